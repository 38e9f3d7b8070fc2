import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { ErrorCodes, FlagonError } from "../errors/codes.js";
import { defineConfig } from "./define.js";
import type { FlagonConfig } from "./schema.js";
import { CONFIG_SEARCH_PLACES, fileError, jsonReason } from "./file.js";
import { loadConfig } from "./load.js";

const made: string[] = [];

/** A fresh directory holding `files` (name → content). */
async function project(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "flagon-config-"));
  made.push(dir);
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  return dir;
}

afterAll(async () => {
  await Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** Loads with no environment and no .env, so only the file counts. */
function load(root: string, configFile?: string | false) {
  return loadConfig({ root, env: {}, dotenv: false, ...(configFile === undefined ? {} : { configFile }) });
}

async function loadError(root: string, configFile?: string | false): Promise<FlagonError> {
  const caught: unknown = await load(root, configFile).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(caught).toBeInstanceOf(FlagonError);
  expect((caught as FlagonError).code).toBe(ErrorCodes.INVALID_CONFIG);
  return caught as FlagonError;
}

describe("config file search places", () => {
  test.each<[string, string]>([
    ["package.json", JSON.stringify({ name: "app", flagon: { bodyLimit: 5 } })],
    [".flagonrc", "bodyLimit: 5\n"],
    [".flagonrc.json", '{ "bodyLimit": 5 }'],
    [".flagonrc.yaml", "bodyLimit: 5\n"],
    [".flagonrc.yml", "bodyLimit: 5\n"],
    [".flagonrc.js", "module.exports = { bodyLimit: 5 };\n"],
    [".flagonrc.mjs", "export default { bodyLimit: 5 };\n"],
    [".flagonrc.ts", "const config: { bodyLimit: number } = { bodyLimit: 5 };\nexport default config;\n"],
    ["flagon.config.ts", "export default { bodyLimit: 5 } satisfies Record<string, number>;\n"],
    ["flagon.config.mjs", "export default async () => ({ bodyLimit: 5 });\n"],
    ["flagon.config.js", "module.exports = function config() { return { bodyLimit: 5 }; };\n"],
    ["flagon.config.json", '{ "bodyLimit": 5 }'],
    ["flagon.config.yaml", "# a comment\nbodyLimit: 5\n"],
    ["flagon.config.yml", "bodyLimit: 5\n"],
  ])("%s is found", async (name, content) => {
    const root = await project({ [name]: content });
    const loaded = await load(root);
    expect(loaded.filepath).toBe(path.join(root, name));
    expect(loaded.config).toEqual({ bodyLimit: 5 });
  });

  test("every search place is covered above, in this order", () => {
    expect(CONFIG_SEARCH_PLACES).toEqual([
      "package.json",
      ".flagonrc",
      ".flagonrc.json",
      ".flagonrc.yaml",
      ".flagonrc.yml",
      ".flagonrc.js",
      ".flagonrc.mjs",
      ".flagonrc.ts",
      "flagon.config.ts",
      "flagon.config.mjs",
      "flagon.config.js",
      "flagon.config.json",
      "flagon.config.yaml",
      "flagon.config.yml",
    ]);
  });

  test("an ESM .js (package type module) may export an async function; package.json without flagon is skipped", async () => {
    const root = await project({
      "package.json": JSON.stringify({ name: "app", type: "module" }),
      "flagon.config.js":
        "export default async function config() {\n  return { cors: { maxAge: 600 } };\n}\n",
    });
    const loaded = await load(root);
    expect(loaded.filepath).toBe(path.join(root, "flagon.config.js"));
    expect(loaded.config).toEqual({ cors: { maxAge: 600 } });
  });

  test("a .ts config is transpiled and loaded, leaving no compiled file behind", async () => {
    const root = await project({
      "flagon.config.ts": [
        "interface Config { bodyLimit: number; cors: { origins: string[] } }",
        "const config: Config = { bodyLimit: 5, cors: { origins: ['https://a.test'] } };",
        "export default config;",
      ].join("\n"),
    });
    expect((await load(root)).config).toEqual({ bodyLimit: 5, cors: { origins: ["https://a.test"] } });
    expect(await readdir(root)).toEqual(["flagon.config.ts"]);
  });

  test("when two exist, the earlier search place wins (package.json#flagon before .flagonrc before flagon.config.*)", async () => {
    const root = await project({
      "package.json": JSON.stringify({ flagon: { from: "package.json" } }),
      ".flagonrc.json": '{ "from": ".flagonrc.json" }',
      "flagon.config.mjs": "export default { from: 'flagon.config.mjs' };",
    });
    expect((await load(root)).config).toEqual({ from: "package.json" });

    const second = await project({
      "flagon.config.yaml": "from: flagon.config.yaml",
      "flagon.config.ts": "export default { from: 'flagon.config.ts' };",
      "flagon.config.json": '{ "from": "flagon.config.json" }',
    });
    expect((await load(second)).config).toEqual({ from: "flagon.config.ts" });
  });

  test("an empty file found first is the (empty) config: the search stops there", async () => {
    const root = await project({ ".flagonrc": "", "flagon.config.json": '{ "bodyLimit": 5 }' });
    const loaded = await load(root);
    expect(loaded.filepath).toBe(path.join(root, ".flagonrc"));
    expect(loaded.config).toEqual({});
  });

  test("a YAML file of comments only is an empty config too", async () => {
    const root = await project({ "flagon.config.yaml": "# bodyLimit: 5\n" });
    expect(await load(root)).toMatchObject({ config: {}, filepath: path.join(root, "flagon.config.yaml") });
  });

  test("the search never walks up past root: a config in the parent is not found", async () => {
    const parent = await project({
      "flagon.config.json": '{ "bodyLimit": 5 }',
      "package.json": JSON.stringify({ flagon: { bodyLimit: 6 } }),
      "app/README.md": "no config here",
    });
    const loaded = await load(path.join(parent, "app"));
    expect(loaded.filepath).toBeUndefined();
    expect(loaded.config).toEqual({});
  });

  test("no config file at all: an empty config and no filepath", async () => {
    const loaded = await load(await project({}));
    expect(loaded).toMatchObject({ config: {}, filepath: undefined });
  });

  test("a root that does not exist finds nothing", async () => {
    const loaded = await load(path.join(await project({}), "missing"));
    expect(loaded.filepath).toBeUndefined();
  });
});

describe("configFile option", () => {
  test("a string names the file, relative to root, and skips the search", async () => {
    const root = await project({
      "flagon.config.json": '{ "from": "search" }',
      "config/production.yaml": "from: named\n",
    });
    const loaded = await load(root, "config/production.yaml");
    expect(loaded.filepath).toBe(path.join(root, "config/production.yaml"));
    expect(loaded.config).toEqual({ from: "named" });
  });

  test("an absolute path works too", async () => {
    const root = await project({ "x.json": '{ "a": 1 }' });
    expect((await load(await project({}), path.join(root, "x.json"))).config).toEqual({ a: 1 });
  });

  test("a named file that does not exist is an error naming it", async () => {
    const root = await project({ "flagon.config.json": "{}" });
    const error = await loadError(root, "flagon.prod.json");
    expect(error.message).toContain(path.join(root, "flagon.prod.json"));
    expect(error.message).toContain("does not exist");
  });

  test("a named package.json reads its flagon key (or nothing)", async () => {
    const root = await project({ "package.json": JSON.stringify({ flagon: { a: 1 } }) });
    expect((await load(root, "package.json")).config).toEqual({ a: 1 });
    const bare = await project({ "package.json": JSON.stringify({ name: "x" }) });
    expect(await load(bare, "package.json")).toMatchObject({
      config: {},
      filepath: path.join(bare, "package.json"),
    });
  });

  test("a named file with an unknown extension is an error naming it", async () => {
    const root = await project({ "flagon.toml": "a = 1" });
    expect((await loadError(root, "flagon.toml")).message).toContain(path.join(root, "flagon.toml"));
  });

  test("false skips the file entirely", async () => {
    const root = await project({ "flagon.config.json": '{ "bodyLimit": 5 }' });
    expect(await load(root, false)).toMatchObject({ config: {}, filepath: undefined });
  });
});

describe("bad config files", () => {
  test("invalid JSON names the file, the reason and the line, but quotes nothing from it", async () => {
    const root = await project({ "flagon.config.json": '{\n  "db": { "password": "hunter2", }\n}' });
    const error = await loadError(root);
    expect(error.message).toContain(path.join(root, "flagon.config.json"));
    expect(error.message).toMatch(/invalid JSON: .* at line 2, column \d+/);
    expect(error.message).not.toContain("hunter2");
    expect(String(error.stack)).not.toContain("hunter2");
    expect(error.cause).toBeUndefined();
  });

  test("JSON with a bare word: the secret after the colon is not quoted", async () => {
    const root = await project({ ".flagonrc.json": '{ "token": hunter2 }' });
    const error = await loadError(root);
    expect(error.message).toContain(".flagonrc.json");
    expect(error.message).not.toContain("hunter2");
  });

  test("invalid YAML names the file, the reason and the line, but quotes nothing from it", async () => {
    const root = await project({ "flagon.config.yaml": 'db:\n  password: "hunter2\n  host: x\n' });
    const error = await loadError(root);
    expect(error.message).toContain(path.join(root, "flagon.config.yaml"));
    expect(error.message).toMatch(/invalid YAML: .+ at line \d+, column \d+/);
    expect(error.message).not.toContain("hunter2");
  });

  test("a syntax error in a module names the file", async () => {
    const root = await project({ "flagon.config.mjs": "export default {" });
    expect((await loadError(root)).message).toContain(path.join(root, "flagon.config.mjs"));
  });

  test("a config function that throws names the file and keeps the cause", async () => {
    const root = await project({
      "flagon.config.mjs": "export default () => { throw new Error('no db url'); };",
    });
    const error = await loadError(root);
    expect(error.message).toContain(path.join(root, "flagon.config.mjs"));
    expect(error.message).toContain("no db url");
    expect(error.cause).toBeInstanceOf(Error);
  });

  test("a module without a default export is an error saying so", async () => {
    const root = await project({ "flagon.config.mjs": "export const config = { bodyLimit: 5 };" });
    expect((await loadError(root)).message).toContain("has no default export");
  });

  test.each<[string, string, string]>([
    ["flagon.config.json", "[1, 2]", "an array"],
    ["flagon.config.json", '"text"', "a string"],
    ["flagon.config.json", "null", "null"],
    [".flagonrc", "just words", "a string"],
    ["flagon.config.yaml", "- a\n- b\n", "an array"],
    ["package.json", JSON.stringify({ flagon: 5 }), "a number"],
    ["flagon.config.mjs", "export default 'text';", "a string"],
    ["flagon.config.mjs", "export default () => undefined;", "undefined"],
    ["flagon.config.mjs", "export default new (class Config {})();", "an instance of a class"],
  ])("%s holding %s is not a config: %s", async (name, content, kind) => {
    const root = await project({ [name]: content });
    const error = await loadError(root);
    expect(error.message).toContain(path.join(root, name));
    expect(error.message).toContain(`not ${kind}`);
  });

  test("file JSON cannot pollute Object.prototype", async () => {
    const root = await project({
      "flagon.config.json":
        '{"__proto__": {"polluted": 1}, "cors": {"__proto__": {"polluted": 1}, "maxAge": 1}}',
    });
    const { config } = await load(root);
    expect(config).toEqual({ cors: { maxAge: 1 } });
    expect(Object.hasOwn(config, "__proto__")).toBe(false);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  test("file YAML cannot pollute Object.prototype", async () => {
    const root = await project({
      "flagon.config.yaml": "__proto__:\n  polluted: 1\nconstructor:\n  prototype:\n    polluted: 1\n",
    });
    expect((await load(root)).config).toEqual({});
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });
});

describe("fileError", () => {
  test("a .ts config without the typescript package says to install it", () => {
    const missing = Object.assign(
      new Error(
        "Cannot find package 'typescript' imported from /app/node_modules/cosmiconfig/dist/loaders.js",
      ),
      { code: "ERR_MODULE_NOT_FOUND" },
    );
    const error = fileError("/app/flagon.config.ts", missing, false);
    expect(error.code).toBe(ErrorCodes.INVALID_CONFIG);
    expect(error.message).toContain("/app/flagon.config.ts");
    expect(error.message).toContain("npm install --save-dev typescript");
  });

  test("other module-not-found errors are reported as they are", () => {
    const missing = Object.assign(new Error("Cannot find package 'dotenv'"), {
      code: "ERR_MODULE_NOT_FOUND",
    });
    expect(fileError("/app/flagon.config.ts", missing, false).message).toContain(
      "Cannot find package 'dotenv'",
    );
  });
});

describe("jsonReason", () => {
  test.each<[string, string]>([
    ['Unexpected token \'h\', "{"a": hunter2}" is not valid JSON', "Unexpected token"],
    ["Unexpected token h in JSON at position 6", "Unexpected token at line 1, column 7"],
    [
      "Expected ',' or '}' after property value in JSON at position 6",
      "Expected ',' or '}' after property value at line 1, column 7",
    ],
    [
      "Expected double-quoted property name in JSON at position 6 (line 1 column 7)",
      "Expected double-quoted property name at line 1, column 7",
    ],
    ["Unexpected end of JSON input", "Unexpected end of JSON input"],
    [
      "Unexpected non-whitespace character after JSON at position 6",
      "Unexpected non-whitespace character after JSON at line 1, column 7",
    ],
    ['"[object Object]" is not valid JSON', "not valid JSON"],
  ])("%s → %s", (message, reason) => {
    expect(jsonReason(message, '{"a": hunter2}')).toBe(reason);
  });
});

describe("defineConfig", () => {
  test("returns its argument, typed; tuples of [plugin, options] infer", () => {
    const config = defineConfig({
      bodyLimit: 2_000_000,
      cors: { origins: ["https://a.test"] },
      plugins: ["flagon-plugin-x", ["@flagon/cache", { ttl: 60 }]],
    });
    const typed: FlagonConfig = config;
    expect(typed).toBe(config);
    const make = () => ({ pluginTimeout: 5 });
    expect(defineConfig(make)).toBe(make);
    expect(defineConfig(async () => ({ app: "src/app.ts" }))).toBeTypeOf("function");
  });
});
