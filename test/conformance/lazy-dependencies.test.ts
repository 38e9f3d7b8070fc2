// Issue 5 (start-up): the template engine, semver, mime-types, pino-pretty, cosmiconfig and Keyv
// are loaded on first use, so a JSON API never pays for them. Checked in a fresh node process on
// the built core (the test runner's own process has loaded most of them already).
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { coreBuilt, notBuiltReason } from "../cli/helpers.js";

const testDir = fileURLToPath(new URL("../", import.meta.url));
const LAZY = ["nunjucks", "semver", "mime-types", "pino-pretty", "cosmiconfig", "keyv"];

// Prints the lazily loaded packages present in node's module cache after each step.
const script = `
import "reflect-metadata";
import { createRequire } from "node:module";
import { Flagon } from "@flagon/core";
const cache = createRequire(import.meta.url).cache;
const lazy = ${JSON.stringify(LAZY)};
const loaded = () => lazy.filter((name) => Object.keys(cache).some((file) => file.includes("/node_modules/" + name + "/")));
const views = process.argv[2];
const app = new Flagon({ configFile: false, logger: false, root: views, config: { env: "production" } });
app.get("/json", () => ({ ok: true }));
app.get("/page", (ctx) => ctx.render("page.html", { name: "x" }));
await app.ready();
const json = await app.inject("/json");
const afterJson = loaded();
const page = await app.inject("/page");
const css = await app.inject("/static/site.css");
console.log(JSON.stringify({ statuses: [json.statusCode, page.statusCode, css.statusCode], afterJson, afterPages: loaded() }));
`;

it("a JSON route loads none of the lazy dependencies; a template and a static file load theirs", async ({
  skip,
}) => {
  if (!coreBuilt) skip(notBuiltReason);
  const root = await mkdtemp(path.join(os.tmpdir(), "flagon-lazy-"));
  try {
    await mkdir(path.join(root, "templates"));
    await mkdir(path.join(root, "static"));
    await writeFile(path.join(root, "templates", "page.html"), "<p>{{ name }}</p>");
    await writeFile(path.join(root, "static", "site.css"), "p{}");
    const scriptFile = path.join(testDir, `.lazy-probe-${process.pid}.mjs`);
    await writeFile(scriptFile, script);
    try {
      const stdout = await new Promise<string>((resolve, reject) => {
        execFile(
          process.execPath,
          [scriptFile, root],
          { cwd: testDir, timeout: 30_000 },
          (error, out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out)),
        );
      });
      const result = JSON.parse(stdout.trim().split("\n").pop() as string) as {
        statuses: number[];
        afterJson: string[];
        afterPages: string[];
      };
      expect(result.statuses).toEqual([200, 200, 200]);
      expect(result.afterJson).toEqual([]);
      // The positive control: the same probe sees the engine and the media types once used.
      expect(result.afterPages).toEqual(expect.arrayContaining(["nunjucks", "mime-types"]));
    } finally {
      await rm(scriptFile, { force: true });
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
