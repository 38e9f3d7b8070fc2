// @flagon/core is published as a bundle (core/scripts/bundle.mjs): one module per entry point in
// core/dist/bundle/, because loading ~100 small modules was most of `import "@flagon/core"`'s
// cost at start-up. These tests run the built package the way an app loads it (plain Node, no
// vitest aliases): every export of package.json is there with the same names as the modules it
// was built from, importing the root loads a handful of core's files instead of a hundred, and
// what resolves files by URL from inside core (the TypeScript loader's hooks) still finds them.
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

const coreDir = fileURLToPath(new URL("../../core/", import.meta.url));
const pkg = JSON.parse(readFileSync(path.join(coreDir, "package.json"), "utf8")) as {
  exports: Record<string, string | { types?: string; default?: string }>;
};
const entries = Object.entries(pkg.exports).filter(
  (entry): entry is [string, { types: string; default: string }] =>
    typeof entry[1] === "object" && entry[1].default !== undefined && entry[1].types !== undefined,
);
const built = existsSync(path.join(coreDir, "dist/bundle/index.js"));
const reason = "core/dist/bundle is missing: build first (npm run build)";
if (!built && process.env["CI"]) throw new Error(`${reason}; CI must build before it tests`);

/** Runs an ES module in a plain Node process from this workspace (so `@flagon/core` resolves as for an app). */
function run(source: string, args: string[] = []): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...args, "--input-type=module", "-e", source],
      { cwd: fileURLToPath(new URL(".", import.meta.url)), timeout: 30_000 },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
    );
  });
}

describe.skipIf(!built)("the bundled @flagon/core", () => {
  it("bundles every export of package.json, with the names of the module it was built from", async () => {
    expect(entries.map(([subpath]) => subpath)).toContain(".");
    for (const [subpath, target] of entries) {
      expect(target.default, `export "${subpath}"`).toMatch(/^\.\/dist\/bundle\/[\w/-]+\.js$/);
      const bundled = pathToFileURL(path.join(coreDir, target.default)).href;
      const source = pathToFileURL(path.join(coreDir, target.types.replace(/\.d\.ts$/, ".js"))).href;
      const out = await run(
        `import "reflect-metadata";
         const names = async (url) => Object.keys(await import(url)).sort();
         console.log(JSON.stringify([await names(${JSON.stringify(bundled)}), await names(${JSON.stringify(source)})]));`,
      );
      const [fromBundle, fromSource] = JSON.parse(out) as [string[], string[]];
      expect(fromBundle.length, `export "${subpath}" has names`).toBeGreaterThan(0);
      expect(fromBundle, `export "${subpath}"`).toEqual(fromSource);
    }
  });

  it('loads a handful of core\'s own files for `import "@flagon/core"`, not one per source file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "flagon-bundle-"));
    try {
      const log = path.join(dir, "loaded.txt");
      const hooks = path.join(dir, "hooks.mjs");
      await writeFile(
        hooks,
        `import { appendFileSync } from "node:fs";
         export async function resolve(specifier, context, next) {
           const result = await next(specifier, context);
           appendFileSync(${JSON.stringify(log)}, result.url + "\\n");
           return result;
         }`,
      );
      const register = `import { register } from "node:module"; register(${JSON.stringify(pathToFileURL(hooks).href)});`;
      await run(`import "reflect-metadata"; await import("@flagon/core");`, [
        "--import",
        `data:text/javascript,${encodeURIComponent(register)}`,
      ]);
      const coreUrl = pathToFileURL(coreDir).href;
      const loaded = [...new Set(readFileSync(log, "utf8").split("\n"))].filter((url) =>
        url.startsWith(coreUrl),
      );
      expect(loaded.length, loaded.join("\n")).toBeGreaterThan(0);
      expect(
        loaded.every((url) => url.startsWith(`${coreUrl}dist/bundle/`)),
        loaded.join("\n"),
      ).toBe(true);
      expect(loaded.length, loaded.join("\n")).toBeLessThanOrEqual(5);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("imports a TypeScript module through importModule (its loader hooks are found from the bundle)", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "flagon-bundle-ts-"));
    try {
      await writeFile(
        path.join(dir, "tsconfig.json"),
        JSON.stringify({ compilerOptions: { module: "NodeNext" } }),
      );
      await writeFile(path.join(dir, "answer.ts"), "const answer: number = 42;\nexport default answer;\n");
      const out = await run(
        `import "reflect-metadata";
         import { importModule } from "@flagon/core/plugin";
         const mod = await importModule("answer.ts", { root: ${JSON.stringify(dir)} });
         console.log(mod.default);`,
      );
      expect(out.trim()).toBe("42");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
