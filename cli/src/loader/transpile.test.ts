import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import ts from "typescript";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resolveTypeScript, typeScriptMissing } from "./register.js";
import {
  isTypeScriptFile,
  loaderCompilerOptions,
  transpile,
  TypeScriptSyntaxError,
  typeScriptCandidates,
} from "./transpile.js";

let tmp: string;

beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "flagon-loader-"));
});

afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function writeFiles(files: Record<string, unknown>): Promise<void> {
  for (const [name, contents] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(tmp, name)), { recursive: true });
    await writeFile(path.join(tmp, name), typeof contents === "string" ? contents : JSON.stringify(contents));
  }
}

describe("typeScriptCandidates", () => {
  it.each([
    ["./greeter.js", ["./greeter.ts"]],
    ["../lib/x.mjs", ["../lib/x.mts"]],
    ["./x.js?v=1", ["./x.ts?v=1"]],
    ["/abs/app.js", ["/abs/app.ts"]],
    ["file:///abs/app.js", ["file:///abs/app.ts"]],
    ["./user.service", ["./user.service.ts", "./user.service/index.ts"]],
    ["./lib/", ["./lib.ts", "./lib/index.ts"]],
    ["./data.json", []],
    ["./x.cjs", []],
    ["./x.ts", []],
    ["@flagon/core", []],
    ["typescript", []],
    ["node:fs", []],
  ])("%s → %j", (specifier, expected) => {
    expect(typeScriptCandidates(specifier)).toEqual(expected);
  });
});

describe("isTypeScriptFile", () => {
  it.each([
    ["/a/app.ts", true],
    ["/a/app.mts", true],
    ["/a/app.d.ts", false],
    ["/a/app.d.mts", false],
    ["/a/app.cts", false],
    ["/a/app.js", false],
    ["/a/app.tsx", false],
  ])("%s → %s", (file, expected) => {
    expect(isTypeScriptFile(file)).toBe(expected);
  });
});

describe("loaderCompilerOptions", () => {
  it("forces decorator metadata, ES modules and inline source maps over the app's tsconfig", async () => {
    await writeFiles({
      "tsconfig.base.json": { compilerOptions: { target: "ES2021", useDefineForClassFields: false } },
      "tsconfig.json": {
        extends: "./tsconfig.base.json",
        compilerOptions: {
          module: "NodeNext",
          moduleResolution: "NodeNext",
          experimentalDecorators: false,
          sourceMap: true,
          outDir: "dist",
          declaration: true,
          composite: true,
          noEmit: true,
        },
        include: ["src"],
      },
      "src/app.ts": "export {};\n",
    });
    const options = loaderCompilerOptions(ts, tmp);
    expect(options).toMatchObject({
      target: ts.ScriptTarget.ES2021,
      useDefineForClassFields: false,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      module: ts.ModuleKind.ESNext,
      inlineSourceMap: true,
      inlineSources: true,
      sourceMap: false,
      declaration: false,
      composite: false,
      noEmit: false,
    });
    expect(options.moduleResolution).toBeUndefined();
    expect(options.outDir).toBeUndefined();
  });

  it("takes the options of the referenced project that holds the app in a solution-style tsconfig", async () => {
    await writeFiles({
      "tsconfig.json": {
        files: [],
        references: [{ path: "./tsconfig.spec.json" }, { path: "./tsconfig.app.json" }],
      },
      "tsconfig.spec.json": { compilerOptions: { target: "ES2020" }, include: ["test"] },
      "tsconfig.app.json": { compilerOptions: { target: "ES2023" }, include: ["src"] },
      "src/app.ts": "export {};\n",
      "test/app.test.ts": "export {};\n",
    });
    expect(loaderCompilerOptions(ts, tmp, path.join(tmp, "src/app.ts")).target).toBe(ts.ScriptTarget.ES2023);
  });

  it("works without a tsconfig, and with a broken one", async () => {
    expect(loaderCompilerOptions(ts, tmp)).toMatchObject({
      target: ts.ScriptTarget.ES2022,
      emitDecoratorMetadata: true,
    });
    await writeFiles({ "tsconfig.json": "{ this is not json" });
    expect(loaderCompilerOptions(ts, tmp).emitDecoratorMetadata).toBe(true);
  });
});

describe("transpile", () => {
  const controller = `import { Controller } from "@flagon/core";
import { Greeter } from "./greeter.js";
import type { Options } from "./options.js";

@Controller()
export class Hello {
  constructor(private readonly greeter: Greeter, options: Options) {}
}
`;

  it("records the constructor's parameter types, keeping the import of a class injected by type", () => {
    const out = transpile(ts, controller, "/app/src/hello.ts", loaderCompilerOptions(ts, tmp));
    expect(out).toContain('import { Greeter } from "./greeter.js";');
    expect(out).not.toContain("./options.js"); // a type-only import is gone
    expect(out).toMatch(
      /__metadata\("design:paramtypes", \[typeof \(_a = typeof Greeter !== "undefined" && Greeter\)/,
    );
    expect(out).toMatch(/^\/\/# sourceMappingURL=data:application\/json;base64,/m);
    expect(out).not.toContain("require(");
  });

  it("throws a SyntaxError naming the file, line and column", () => {
    const source = "export const a = 1;\nexport const b = ;\n";
    expect(() => transpile(ts, source, "/app/src/bad.ts", loaderCompilerOptions(ts, tmp))).toThrow(
      TypeScriptSyntaxError,
    );
    expect(() => transpile(ts, source, "/app/src/bad.ts", loaderCompilerOptions(ts, tmp))).toThrow(
      /^\/app\/src\/bad\.ts:2:18: Expression expected\.$/,
    );
  });
});

describe("finding typescript", () => {
  it("looks in the app's root first, then where @flagon/cli is", async () => {
    await writeFiles({
      "package.json": { name: "app" },
      "node_modules/typescript/package.json": { name: "typescript", main: "./lib/typescript.js" },
      "node_modules/typescript/lib/typescript.js": "module.exports = {};\n",
    });
    expect(resolveTypeScript(tmp)).toBe(path.join(tmp, "node_modules/typescript/lib/typescript.js"));
    // Nowhere to be found: undefined, and the error says what to do.
    const empty = await mkdtemp(path.join(os.tmpdir(), "flagon-loader-empty-"));
    try {
      expect(resolveTypeScript(empty, [])).toBeUndefined();
      expect(resolveTypeScript(empty)).toBeDefined(); // this repository's own typescript
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
    expect(typeScriptMissing("src/app.ts").message).toMatch(
      /^src\/app\.ts is TypeScript, and running it needs the typescript package .*install typescript/,
    );
  });
});
