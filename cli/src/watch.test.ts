import { mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Change, isRelevant, isRelevantRootFile, watchApp } from "./watch.js";

describe("which changes restart the app", () => {
  it.each([
    ["app.ts", true],
    ["users/users.controller.ts", true],
    ["layout.html", true],
    ["css/site.css", true],
    ["node_modules/x/index.js", false],
    ["sub/dist/app.js", false],
    [".git/index", false],
    ["app.ts.swp", false],
    ["app.ts~", false],
    [".#app.ts", false],
    ["4913", false],
  ])("%s under a watched folder → %s", (file, expected) => {
    expect(isRelevant(file)).toBe(expected);
  });

  it.each([
    ["flagon.config.ts", true],
    ["flagon.config.json", true],
    [".flagonrc", true],
    ["package.json", true],
    [".env", true],
    ["tsconfig.json", true],
    ["tsconfig.app.json", true],
    ["app.ts", true],
    ["package-lock.json", false],
    ["README.md", false],
    ["notes.txt", false],
  ])("%s at the root → %s", (file, expected) => {
    expect(isRelevantRootFile(file)).toBe(expected);
  });
});

describe("watchApp", () => {
  let tmp: string;
  let stop: (() => void) | undefined;

  beforeEach(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), "flagon-watch-"));
  });

  afterEach(async () => {
    stop?.();
    await rm(tmp, { recursive: true, force: true });
  });

  it("reports a burst of changes once, existing files first; skips missing folders and ignored files", async () => {
    await mkdir(path.join(tmp, "src/deep"), { recursive: true });
    await mkdir(path.join(tmp, "src/node_modules"), { recursive: true });
    const changes: Change[] = [];
    const watcher = watchApp({
      root: tmp,
      folders: ["src", "templates", "src/deep", "../outside"],
      debounceMs: 50,
      onChange: (change) => changes.push(change),
    });
    stop = watcher.close;
    expect(watcher.folders).toEqual(["src"]);

    await writeFile(path.join(tmp, "src/node_modules/ignored.js"), "");
    await writeFile(path.join(tmp, "README.md"), "");
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(changes).toEqual([]);

    await writeFile(path.join(tmp, "src/.tmp-write"), "");
    await rm(path.join(tmp, "src/.tmp-write"));
    await writeFile(path.join(tmp, "src/deep/a.ts"), "export {};\n");
    await writeFile(path.join(tmp, "flagon.config.json"), "{}");
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(changes).toHaveLength(1);
    const files = changes[0]?.files ?? [];
    expect(files.slice(0, 2).sort()).toEqual([path.join("src", "deep", "a.ts"), "flagon.config.json"].sort());
    expect(files.at(-1)).toBe(path.join("src", ".tmp-write"));
  });

  it("keeps seeing a file that editors replace by renaming over it, and files in folders made later", async () => {
    await mkdir(path.join(tmp, "src"), { recursive: true });
    await writeFile(path.join(tmp, "src/app.ts"), "v0");
    const changes: Change[] = [];
    stop = watchApp({ root: tmp, folders: ["src"], debounceMs: 30, onChange: (c) => changes.push(c) }).close;
    const settle = () => new Promise((resolve) => setTimeout(resolve, 150));

    for (const version of ["v1", "v2", "v3"]) {
      // What sed -i and "safe write" editors do: write a temp file, rename it over the original.
      await writeFile(path.join(tmp, "src/.app.ts.tmp"), version);
      await rename(path.join(tmp, "src/.app.ts.tmp"), path.join(tmp, "src/app.ts"));
      await settle();
    }
    expect(changes.map((c) => c.files[0])).toEqual([1, 2, 3].map(() => path.join("src", "app.ts")));

    await mkdir(path.join(tmp, "src/users/deep"), { recursive: true });
    await settle();
    await writeFile(path.join(tmp, "src/users/deep/users.ts"), "x");
    await settle();
    expect(changes.at(-1)?.files).toEqual([path.join("src", "users", "deep", "users.ts")]);
  });
});
