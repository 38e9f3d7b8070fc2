import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  assertSupportedTypeScript,
  assertTypeScriptApi,
  isSupportedTypeScript,
  typeScriptVersion,
} from "./version.js";

describe("the typescript versions the loader runs with", () => {
  it("accepts 5.x and 6.x, refuses 4.x and 7.x", () => {
    expect(["5.0.2", "5.9.3", "6.0.0-beta"].map(isSupportedTypeScript)).toEqual([true, true, true]);
    expect(["4.9.5", "7.0.0", "7.1.0-dev.1", "x"].map(isSupportedTypeScript)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });

  it("reads the version of an installed typescript 7 and refuses it with the fix", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "flagon-ts-version-"));
    try {
      await mkdir(path.join(dir, "lib"));
      await writeFile(
        path.join(dir, "package.json"),
        JSON.stringify({ name: "typescript", version: "7.0.2" }),
      );
      const main = path.join(dir, "lib/typescript.js");
      expect(typeScriptVersion(main)).toBe("7.0.2");
      expect(() => assertSupportedTypeScript(main)).toThrow(
        /typescript 7\.0\.2 is installed, but .*>=5\.0 <7.*npm install --save-dev typescript@~5\.9/,
      );
      expect(() => assertTypeScriptApi({}, main)).toThrow(
        /typescript 7\.0\.2 is installed, but its module has no transpileModule/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("this repository's typescript passes", async () => {
    const ts = await import("typescript");
    expect(() => assertTypeScriptApi(ts.default, "typescript")).not.toThrow();
  });
});
