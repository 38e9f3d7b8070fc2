import { mkdir, mkdtemp, rm, symlink, unlink, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { FlagonError } from "../errors/codes.js";
import { TemplateError } from "./errors.js";
import { FolderLoader } from "./loader.js";
import { SOURCE_LIMITS, type SourceLimits, TemplateSources } from "./sources.js";

const made: string[] = [];
afterAll(async () => {
  for (const dir of made) await rm(dir, { recursive: true, force: true });
});

/** A temporary directory holding the given files (relative path → content). */
async function folder(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "flagon-loader-"));
  made.push(dir);
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  return dir;
}

/** A loader over these folders; `changes` records what each update reported as changed. */
function loaderOver(folders: string[], limits: Partial<SourceLimits> = {}) {
  const changes: string[][] = [];
  const sources = new TemplateSources(
    () => folders,
    (names) => changes.push([...names].sort()),
    { ...SOURCE_LIMITS, ...limits },
  );
  const loader = new FolderLoader(sources);
  /** Rechecks the folders (as a development render does), then loads the template. */
  const get = async (name: string) => {
    await sources.update(true);
    return loader.getSource(name);
  };
  return { sources, loader, changes, get };
}

describe("FolderLoader over TemplateSources", () => {
  test("searches folders in order: the first that has the name wins", async () => {
    const app = await folder({ "shared.html": "app", "only-app.html": "A" });
    const plugin = await folder({ "shared.html": "plugin", "only-plugin.html": "P", "sub/deep.html": "D" });
    const { get } = loaderOver([app, plugin]);
    expect((await get("shared.html"))?.src).toBe("app");
    expect((await get("only-app.html"))?.src).toBe("A");
    expect((await get("only-plugin.html"))?.src).toBe("P");
    expect(await get("sub/deep.html")).toEqual({ src: "D", path: "sub/deep.html", noCache: false });
    expect(await get("missing.html")).toBeNull();
  });

  test("getSource is synchronous and reads nothing: before the first update nothing is found", async () => {
    const app = await folder({ "page.html": "x" });
    const { sources, loader } = loaderOver([app]);
    expect(sources.complete).toBe(false);
    expect(loader.getSource("page.html")).toBeNull();
    await sources.update(false);
    expect(sources.complete).toBe(true);
    await rm(app, { recursive: true });
    expect(loader.getSource("page.html")?.src).toBe("x");
  });

  test("a folder that does not exist is skipped, and so is a directory named like the template", async () => {
    const real = await folder({ "page.html": "ok", "dir.html/x": "" });
    const { get } = loaderOver([path.join(real, "nope"), real]);
    expect((await get("page.html"))?.src).toBe("ok");
    expect(await get("dir.html")).toBeNull();
    expect((await get("dir.html/x"))?.src).toBe("");
  });

  test("folders added later are read by the next update", async () => {
    const first = await folder({});
    const later = await folder({ "late.html": "late" });
    const folders = [first];
    const { sources, loader } = loaderOver(folders);
    await sources.update(false);
    expect(loader.getSource("late.html")).toBeNull();
    folders.push(later);
    expect(sources.complete).toBe(false);
    await sources.update(false);
    expect(loader.getSource("late.html")?.src).toBe("late");
  });

  test.each([
    "../secret.txt",
    "a/../../secret.txt",
    "a/../b.html",
    "./page.html",
    "/etc/passwd",
    "//etc/passwd",
    "a//b.html",
    "dir/",
    "..\\secret.txt",
    "a\\b.html",
    "page.html\0.txt",
    "C:/Windows/win.ini",
    "c:secret",
    "",
  ])("refuses the name %j", async (name) => {
    const parent = await folder({ "secret.txt": "SECRET", "templates/page.html": "page" });
    const { get } = loaderOver([path.join(parent, "templates")]);
    const error: unknown = await get(name).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TemplateError);
    expect((error as Error).message).toContain("is not allowed");
  });

  test("a symlink inside the folder is followed (the folder's owner put it there), a link loop is not", async () => {
    const outside = await folder({ "shared.html": "linked", "dir/inner.html": "inner" });
    const app = await folder({ "sub/page.html": "p" });
    await symlink(path.join(outside, "shared.html"), path.join(app, "link.html"));
    await symlink(path.join(outside, "dir"), path.join(app, "linked-dir"));
    await symlink(app, path.join(app, "sub", "loop"));
    await symlink(path.join(app, "nowhere.html"), path.join(app, "dangling.html"));
    const { get } = loaderOver([app]);
    expect((await get("link.html"))?.src).toBe("linked");
    expect((await get("linked-dir/inner.html"))?.src).toBe("inner");
    expect((await get("sub/loop/sub/page.html"))?.src).toBeUndefined();
    expect(await get("dangling.html")).toBeNull();
  });

  test("a file given as a folder is skipped like a missing one", async () => {
    const app = await folder({ "page.html": "x" });
    const { get } = loaderOver([path.join(app, "page.html"), app]);
    expect((await get("page.html"))?.src).toBe("x");
  });

  test("dot files, dot folders and node_modules are not read", async () => {
    const app = await folder({
      "page.html": "p",
      ".page.html.swp": "swap",
      ".git/config.html": "git",
      "node_modules/pkg/a.html": "dep",
      "sub/node_modules/b.html": "dep",
    });
    const { get } = loaderOver([app]);
    expect((await get("page.html"))?.src).toBe("p");
    for (const name of [
      ".page.html.swp",
      ".git/config.html",
      "node_modules/pkg/a.html",
      "sub/node_modules/b.html",
    ]) {
      expect(await get(name)).toBeNull();
    }
  });

  describe("limits", () => {
    test("a folder holding too many files and folders is an error naming the limit, and nothing changes", async () => {
      const app = await folder({ "a.html": "a", "b/c.html": "c" });
      const { sources, loader } = loaderOver([app], { maxEntries: 3 });
      await sources.update(false);
      expect(loader.getSource("b/c.html")?.src).toBe("c");
      await writeFile(path.join(app, "d.html"), "d");
      const error = (await sources.update(true).catch((e: unknown) => e)) as FlagonError;
      expect(error).toBeInstanceOf(FlagonError);
      expect(error.code).toBe("FLAGON_ERR_INVALID_CONFIG");
      expect(error.message).toMatch(/more than 3 files and folders .*templates\.folder/);
      expect(loader.getSource("a.html")?.src).toBe("a");
    });

    test("the limit counts the files of every folder together", async () => {
      const one = await folder({ "a.html": "a", "b.html": "b" });
      const two = await folder({ "c.html": "c", "d.html": "d" });
      const folders = [one];
      const { sources } = loaderOver(folders, { maxEntries: 3 });
      await sources.update(false);
      folders.push(two);
      await expect(sources.update(false)).rejects.toThrow(/more than 3 files/);
    });

    test("a file over the size limit is not read; rendering it is an error naming it", async () => {
      const app = await folder({ "big.html": "x".repeat(101), "ok.html": "x".repeat(100) });
      const { get } = loaderOver([app], { maxFileBytes: 100 });
      expect((await get("ok.html"))?.src).toHaveLength(100);
      const error = (await get("big.html").catch((e: unknown) => e)) as TemplateError;
      expect(error).toBeInstanceOf(TemplateError);
      expect(error.message).toMatch(
        /template "big\.html" \(.*big\.html\) is 101 bytes, over the 0\.0 MiB limit/,
      );
    });

    test("all sources together are bounded", async () => {
      const app = await folder({ "a.html": "x".repeat(60), "b.html": "x".repeat(60) });
      const { sources } = loaderOver([app], { maxTotalBytes: 100 });
      await expect(sources.update(false)).rejects.toThrow(/hold more than/);
    });

    test("folders nested too deep are an error", async () => {
      const app = await folder({ "a/b/c/d.html": "d" });
      const { sources } = loaderOver([app], { maxDepth: 2 });
      await expect(sources.update(false)).rejects.toThrow(/nested more than 2 folders deep/);
    });
  });

  describe("updates (development reloads)", () => {
    test("reports nothing for unchanged files; an edited, added or removed file is reported and served", async () => {
      const app = await folder({ "page.html": "v1", "keep.html": "k" });
      const { get, changes } = loaderOver([app]);
      expect((await get("page.html"))?.src).toBe("v1");
      expect(changes).toEqual([["keep.html", "page.html"]]);
      await get("page.html");
      // Files written just now are "racy" and read again, but unchanged sources are not reported.
      expect(changes).toHaveLength(1);

      await writeFile(path.join(app, "page.html"), "version 2");
      await writeFile(path.join(app, "new.html"), "new");
      await unlink(path.join(app, "keep.html"));
      expect((await get("page.html"))?.src).toBe("version 2");
      expect(changes[1]).toEqual(["keep.html", "new.html", "page.html"]);
      expect(await get("keep.html")).toBeNull();
      expect((await get("new.html"))?.src).toBe("new");
    });

    test("an edit that keeps the size and the modification time is still seen when the file was read just after a write", async () => {
      const app = await folder({ "page.html": "aaaa" });
      const file = path.join(app, "page.html");
      const { get } = loaderOver([app]);
      const then = new Date(Date.now() - 500);
      await utimes(file, then, then);
      expect((await get("page.html"))?.src).toBe("aaaa");
      await writeFile(file, "bbbb");
      await utimes(file, then, then);
      expect((await get("page.html"))?.src).toBe("bbbb");
    });

    test("an edit that keeps the size is seen through the modification time", async () => {
      const app = await folder({ "page.html": "aaaa" });
      const file = path.join(app, "page.html");
      const old = new Date(Date.now() - 60_000);
      await utimes(file, old, old);
      const { get } = loaderOver([app]);
      expect((await get("page.html"))?.src).toBe("aaaa");
      await writeFile(file, "bbbb");
      await utimes(file, new Date(), new Date(Date.now() + 5_000));
      expect((await get("page.html"))?.src).toBe("bbbb");
    });

    test("a deleted file falls back to the next folder's template", async () => {
      const app = await folder({ "page.html": "app" });
      const plugin = await folder({ "page.html": "plugin" });
      const { get, changes } = loaderOver([app, plugin]);
      expect((await get("page.html"))?.src).toBe("app");
      await unlink(path.join(app, "page.html"));
      expect((await get("page.html"))?.src).toBe("plugin");
      expect(changes.at(-1)).toEqual(["page.html"]);
    });

    test("a call made while a scan runs waits for a scan that started after it", async () => {
      const app = await folder({ "page.html": "v1" });
      const { sources, loader } = loaderOver([app]);
      const first = sources.update(true);
      await writeFile(path.join(app, "page.html"), "v2");
      const second = sources.update(true);
      const third = sources.update(true);
      expect(third).toBe(second);
      await Promise.all([first, second]);
      expect(loader.getSource("page.html")?.src).toBe("v2");
    });
  });
});
