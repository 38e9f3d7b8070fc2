import { mkdtemp, rm, writeFile, mkdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { decoratorFlagsWarning, missingDecoratorFlags, parseJsonc } from "./tsconfig-check.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "flagon-tsconfig-check-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function files(entries: Record<string, unknown>): Promise<void> {
  for (const [name, value] of Object.entries(entries)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), typeof value === "string" ? value : JSON.stringify(value));
  }
}

const both = { compilerOptions: { experimentalDecorators: true, emitDecoratorMetadata: true } };

describe("the decorator flags of the app's tsconfig", () => {
  it("parses JSON with comments and trailing commas, keeping // inside strings", () => {
    expect(parseJsonc('{ /* a */ "a": "http://x", // b\n "b": [1,],\n}')).toEqual({ a: "http://x", b: [1] });
  });

  it("names the missing flags, none when both are on, none without a tsconfig", async () => {
    expect(missingDecoratorFlags(dir)).toEqual([]);
    await files({ "tsconfig.json": { compilerOptions: { experimentalDecorators: true } } });
    expect(missingDecoratorFlags(dir)).toEqual(["emitDecoratorMetadata"]);
    await files({ "tsconfig.json": both });
    expect(missingDecoratorFlags(dir)).toEqual([]);
    expect(decoratorFlagsWarning(dir)).toBeUndefined();
  });

  it("follows extends (relative and package) and lets the extending file turn a flag off", async () => {
    await files({
      "node_modules/shared-config/tsconfig.json": both,
      "node_modules/shared-config/package.json": { name: "shared-config" },
      "tsconfig.json": { extends: "shared-config/tsconfig.json" },
    });
    expect(missingDecoratorFlags(dir)).toEqual([]);
    await files({
      "base.json": both,
      "tsconfig.json": { extends: "./base", compilerOptions: { emitDecoratorMetadata: false } },
    });
    expect(missingDecoratorFlags(dir)).toEqual(["emitDecoratorMetadata"]);
  });

  it("a solution file is fine when a referenced project has the flags", async () => {
    await files({
      "tsconfig.json": { files: [], references: [{ path: "./src" }] },
      "src/tsconfig.json": both,
    });
    expect(missingDecoratorFlags(dir)).toEqual([]);
  });

  it("the warning is one line naming the file and the flags", async () => {
    await files({ "tsconfig.json": {} });
    const warning = decoratorFlagsWarning(dir) ?? "";
    expect(warning).not.toContain("\n");
    expect(warning).toContain(path.join(dir, "tsconfig.json"));
    expect(warning).toMatch(/"experimentalDecorators": true, "emitDecoratorMetadata": true/);
  });
});
