// issue 10 (and issue 11, item 2): in a fresh clone `npm ci && npm run build` left no `flagon`
// command, because the bin pointed into dist/, which did not exist when npm linked it; `npx
// flagon` then asked the registry and got a 404. The bin is now a committed file (of @flagon/cli,
// since the CLI left core for its own package).
import { execFile } from "node:child_process";
import { existsSync, realpathSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { childEnv, cliDir, coreBuilt, exec, notBuiltReason, removeDir } from "./helpers.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const gitCheckout = existsSync(path.join(root, ".git"));

async function binTarget(): Promise<string> {
  const pkg = JSON.parse(await readFile(path.join(cliDir, "package.json"), "utf8")) as {
    bin: Record<string, string>;
  };
  const target = pkg.bin["flagon"];
  expect(target, "cli/package.json has a flagon bin").toBeTypeOf("string");
  return path.join(cliDir, target ?? "");
}

function git(args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile("git", args, { cwd: root, env: childEnv }, (error, stdout) =>
      resolve({ code: error ? 1 : 0, stdout }),
    );
  });
}

describe("issue 10: the flagon command exists in a clone before anything is built", () => {
  it("the bin of @flagon/cli is a committed file outside dist/", async () => {
    const target = await binTarget();
    expect(path.relative(cliDir, target).split(path.sep)[0]).not.toBe("dist");
    expect(existsSync(target), target).toBe(true);
    if (!gitCheckout) return; // a source tarball: no git to ask
    const tracked = await git(["ls-files", "--error-unmatch", path.relative(root, target)]);
    expect(tracked.code, `${target} is not committed`).toBe(0);
    const mode = await git(["ls-files", "-s", path.relative(root, target)]);
    expect(mode.stdout.split(" ")[0], "the bin is committed executable").toBe("100755");
  });

  it("npm linked node_modules/.bin/flagon to it at install", async () => {
    const link = path.join(root, "node_modules/.bin/flagon");
    expect(
      existsSync(link),
      `${link} is missing: npm links the bin at install; run npm ci (or npm install) after pulling this change`,
    ).toBe(true);
    expect(realpathSync(link)).toBe(realpathSync(await binTarget()));
  });

  it.skipIf(!coreBuilt)("`npx flagon --help` at the root of the repository runs the built CLI", async () => {
    const npx = process.platform === "win32" ? "npx.cmd" : "npx";
    const outcome = await exec(npx, ["--no-install", "flagon", "--help"], root, 60_000);
    expect(outcome.code, outcome.output).toBe(0);
    expect(outcome.output).toContain("Usage: flagon <command> [options]");
  });
  if (!coreBuilt) console.warn(`skipped running npx flagon: ${notBuiltReason}`);

  it("says to build first when cli/dist is missing, with exit code 1", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "flagon-bin-"));
    try {
      await mkdir(path.join(dir, "bin"));
      await copyFile(await binTarget(), path.join(dir, "bin/flagon.js"));
      const outcome = await exec(process.execPath, [path.join(dir, "bin/flagon.js"), "--help"], dir, 30_000);
      expect(outcome.code).toBe(1);
      expect(outcome.output).toContain("@flagon/cli is not built");
      expect(outcome.output).toContain("npm run build");
    } finally {
      await removeDir(dir);
    }
  });
});
