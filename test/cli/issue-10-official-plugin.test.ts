// Issue 10, the plugins' home: `flagon plugin new <name> --official` writes plugins/<name> as
// @flagon/<name> and references it from the root tsconfig.json; the skeleton builds, lints clean
// and passes its own tests with the repository's root set-up. The repository is mimicked in a
// temp folder: its root files copied, core/ and node_modules/ linked, so nothing here is touched.
import { cp, mkdtemp, readFile, rm, symlink } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliMain, coreBuilt, coreDir, exec, expectSuccess, notBuiltReason } from "./helpers.js";

const repo = path.resolve(coreDir, "..");
let root = "";

beforeAll(async () => {
  if (!coreBuilt) return;
  root = await mkdtemp(path.join(os.tmpdir(), "flagon-official-"));
  for (const file of [
    "package.json",
    "tsconfig.base.json",
    "tsconfig.json",
    "vitest.shared.ts",
    ".prettierrc.json",
    ".prettierignore",
  ]) {
    await cp(path.join(repo, file), path.join(root, file));
  }
  await symlink(coreDir, path.join(root, "core"), "dir");
  await symlink(path.join(repo, "node_modules"), path.join(root, "node_modules"), "dir");
});
afterAll(async () => {
  if (root !== "") await rm(root, { recursive: true, force: true });
});

describe.skipIf(!coreBuilt)(
  `flagon plugin new --official${coreBuilt ? "" : ` (skipped: ${notBuiltReason})`}`,
  () => {
    it("writes @flagon/<name> under plugins/, referenced from the root tsconfig, that builds and passes its tests", async () => {
      const made = await exec(
        process.execPath,
        [cliMain, "plugin", "new", "rate-limit", "--official"],
        root,
        30_000,
      );
      expectSuccess(made);
      expect(made.output).toContain("creating @flagon/rate-limit in ./plugins/rate-limit");
      const dir = path.join(root, "plugins", "rate-limit");

      const pkg = JSON.parse(await readFile(path.join(dir, "package.json"), "utf8")) as Record<string, any>;
      const corePkg = JSON.parse(await readFile(path.join(coreDir, "package.json"), "utf8")) as {
        version: string;
      };
      expect(pkg["name"]).toBe("@flagon/rate-limit");
      expect(pkg["version"]).toBe(corePkg.version);
      expect(Object.keys(pkg["peerDependencies"])).toEqual(["@flagon/core"]);
      const tsconfig = JSON.parse(await readFile(path.join(root, "tsconfig.json"), "utf8")) as {
        references: { path: string }[];
      };
      expect(tsconfig.references.map((r) => r.path)).toContain("./plugins/rate-limit");

      // Written once: a second run refuses the folder, and the reference is not doubled.
      const again = await exec(
        process.execPath,
        [cliMain, "plugin", "new", "rate-limit", "--official"],
        root,
        30_000,
      );
      expect(again.code).not.toBe(0);
      expect(again.output).toContain("is not empty");

      const tsc = path.join(repo, "node_modules", "typescript", "bin", "tsc");
      expectSuccess(await exec(process.execPath, [tsc, "-b", "plugins/rate-limit"], root, 120_000));
      const vitest = path.join(repo, "node_modules", "vitest", "vitest.mjs");
      const tests = await exec(process.execPath, [vitest, "run", "--root", dir], root, 120_000);
      expectSuccess(tests);
      expect(tests.output).toMatch(/3 passed/);
      const prettier = path.join(repo, "node_modules", "prettier", "bin", "prettier.cjs");
      expectSuccess(
        await exec(
          process.execPath,
          [prettier, "--check", "plugins/rate-limit", "tsconfig.json"],
          root,
          60_000,
        ),
      );
    }, 240_000);

    it("refuses a name that is not a lowercase hyphenated word, and a folder outside the repository", async () => {
      const bad = await exec(
        process.execPath,
        [cliMain, "plugin", "new", "Rate_Limit", "--official"],
        root,
        30_000,
      );
      expect(bad.code).toBe(2);
      expect(bad.output).toContain('invalid official plugin name "Rate_Limit"');
      const outside = await exec(
        process.execPath,
        [cliMain, "plugin", "new", "cache", "--official"],
        os.tmpdir(),
        30_000,
      );
      expect(outside.code).not.toBe(0);
      expect(outside.output).toContain("--official works inside the Flagon repository");
    }, 60_000);
  },
);
