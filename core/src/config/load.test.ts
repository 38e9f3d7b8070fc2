import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { ErrorCodes, FlagonError } from "../errors/codes.js";
import { loadConfig } from "./load.js";

const made: string[] = [];

async function project(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "flagon-load-"));
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

const DEFAULTS = { kind: "defaults", label: "defaults" };
const CODE = { kind: "code", label: "code" };
const env = (variable: string) => ({ kind: "env", label: `environment variable ${variable}` });

describe("precedence: defaults < file < env < code", () => {
  test("for a leaf", async () => {
    const root = await project({ "flagon.config.json": '{ "bodyLimit": 2, "a": 2, "b": 2 }' });
    const defaults = { bodyLimit: 1, a: 1, b: 1, c: 1 };
    const loaded = await loadConfig({
      root,
      dotenv: false,
      defaults,
      env: { FLAGON_BODY_LIMIT: "3", FLAGON_A: "3" },
      code: { bodyLimit: 4 },
    });
    expect(loaded.config).toEqual({ bodyLimit: 4, a: 3, b: 2, c: 1 });
    expect(loaded.sourceOf(["bodyLimit"])).toEqual(CODE);
    expect(loaded.sourceOf(["a"])).toEqual(env("FLAGON_A"));
    expect(loaded.sourceOf(["b"])).toEqual({ kind: "file", label: path.join(root, "flagon.config.json") });
    expect(loaded.sourceOf(["c"])).toEqual(DEFAULTS);
  });

  test("for a nested section: keys merge, each from the highest layer that set it", async () => {
    const root = await project({
      "flagon.config.yaml": "cors:\n  origins: [https://a.test]\n  maxAge: 60\n  credentials: true\n",
    });
    const file = { kind: "file", label: path.join(root, "flagon.config.yaml") };
    const loaded = await loadConfig({
      root,
      dotenv: false,
      defaults: { cors: { origins: ["*"], maxAge: 5, methods: ["GET"], headers: ["x"] } },
      env: { FLAGON_CORS__MAX_AGE: "600", FLAGON_CORS__METHODS: '["GET","POST"]' },
      code: { cors: { credentials: false } },
    });
    expect(loaded.config).toEqual({
      cors: {
        origins: ["https://a.test"],
        maxAge: 600,
        methods: ["GET", "POST"],
        headers: ["x"],
        credentials: false,
      },
    });
    expect(loaded.sourceOf(["cors", "origins"])).toEqual(file);
    expect(loaded.sourceOf(["cors", "origins", 0])).toEqual(file);
    expect(loaded.sourceOf(["cors", "maxAge"])).toEqual(env("FLAGON_CORS__MAX_AGE"));
    expect(loaded.sourceOf(["cors", "methods", 1])).toEqual(env("FLAGON_CORS__METHODS"));
    expect(loaded.sourceOf(["cors", "headers"])).toEqual(DEFAULTS);
    expect(loaded.sourceOf(["cors", "credentials"])).toEqual(CODE);
    // The section itself: the last layer that wrote into it.
    expect(loaded.sourceOf(["cors"])).toEqual(CODE);
  });

  test("a value that replaces a section takes over everything beneath it", async () => {
    const root = await project({ "flagon.config.json": '{ "cors": { "maxAge": 60 } }' });
    const loaded = await loadConfig({ root, dotenv: false, env: {}, code: { cors: false } });
    expect(loaded.config).toEqual({ cors: false });
    expect(loaded.sourceOf(["cors", "maxAge"])).toEqual(CODE);
  });

  test("an object from env JSON merges into the file's section", async () => {
    const root = await project({ "flagon.config.json": '{ "cors": { "maxAge": 60, "origins": ["a"] } }' });
    const loaded = await loadConfig({ root, dotenv: false, env: { FLAGON_CORS: '{"maxAge": 1}' } });
    expect(loaded.config).toEqual({ cors: { maxAge: 1, origins: ["a"] } });
    expect(loaded.sourceOf(["cors", "maxAge"])).toEqual(env("FLAGON_CORS"));
    expect(loaded.sourceOf(["cors", "origins"])).toMatchObject({ kind: "file" });
  });

  test("code replaces arrays and keeps class instances as they are", async () => {
    class Store {}
    const store = new Store();
    const loaded = await loadConfig({
      root: await project({ "flagon.config.json": '{ "plugins": ["a", "b"], "cache": { "ttl": 5 } }' }),
      dotenv: false,
      env: {},
      code: { plugins: ["c"], cache: { store } },
    });
    expect(loaded.config["plugins"]).toEqual(["c"]);
    expect((loaded.config["cache"] as { store: unknown; ttl: number }).store).toBe(store);
    expect((loaded.config["cache"] as { store: unknown; ttl: number }).ttl).toBe(5);
  });

  test("neither defaults nor code is mutated", async () => {
    const defaults = { cors: { maxAge: 1 } };
    const code = { cors: { origins: ["a"] } };
    const loaded = await loadConfig({ root: await project({}), dotenv: false, env: {}, defaults, code });
    expect(defaults).toEqual({ cors: { maxAge: 1 } });
    expect(code).toEqual({ cors: { origins: ["a"] } });
    expect(loaded.config["cors"]).not.toBe(defaults.cors);
  });

  test("FLAGON_ENV sets config.env; NODE_ENV is not read here", async () => {
    const loaded = await loadConfig({
      root: await project({}),
      dotenv: false,
      env: { FLAGON_ENV: "test", NODE_ENV: "development" },
    });
    expect(loaded.config).toEqual({ env: "test" });
    expect(loaded.sourceOf(["env"])).toEqual(env("FLAGON_ENV"));
  });

  test("defaults or code that is not a plain object is refused", async () => {
    const root = await project({});
    await expect(
      loadConfig({ root, env: {}, code: [] as unknown as Record<string, unknown> }),
    ).rejects.toMatchObject({ code: ErrorCodes.INVALID_CONFIG });
  });
});

describe("sourceOf", () => {
  test("each layer, unknown paths (deepest recorded prefix, else defaults), symbols and numbers", async () => {
    const root = await project({ ".flagonrc.json": '{ "database": { "url": "postgres://x" } }' });
    const loaded = await loadConfig({
      root,
      dotenv: false,
      defaults: { logLevel: "info" },
      env: { FLAGON_SERVER__CLOSE_TIMEOUT: "5" },
      code: { session: { secret: "s" } },
    });
    const file = { kind: "file", label: path.join(root, ".flagonrc.json") };
    expect(loaded.sourceOf(["logLevel"])).toEqual(DEFAULTS);
    expect(loaded.sourceOf(["database", "url"])).toEqual(file);
    expect(loaded.sourceOf(["database", "pool", "max"])).toEqual(file);
    expect(loaded.sourceOf(["server", "closeTimeout"])).toEqual(env("FLAGON_SERVER__CLOSE_TIMEOUT"));
    expect(loaded.sourceOf(["server"])).toEqual(env("FLAGON_SERVER__CLOSE_TIMEOUT"));
    expect(loaded.sourceOf(["server", "requestTimeout"])).toEqual(env("FLAGON_SERVER__CLOSE_TIMEOUT"));
    expect(loaded.sourceOf(["session", "secret"])).toEqual(CODE);
    expect(loaded.sourceOf(["nothing", "here"])).toEqual(DEFAULTS);
    expect(loaded.sourceOf([])).toEqual(DEFAULTS);
    expect(loaded.sourceOf(["database", Symbol("x")])).toEqual(file);
    expect(loaded.filepath).toBe(file.label);
  });
});

describe(".env", () => {
  test("is read into the env given, without overriding variables already set, before overrides apply", async () => {
    const root = await project({
      ".env":
        "FLAGON_BODY_LIMIT=7\nFLAGON_CORS__MAX_AGE=600\nDATABASE_URL=postgres://db\n# comment\nSET=from-file\n",
    });
    const privateEnv: NodeJS.ProcessEnv = { SET: "already", FLAGON_CORS__MAX_AGE: "1" };
    const loaded = await loadConfig({ root, env: privateEnv });
    expect(privateEnv).toEqual({
      SET: "already",
      FLAGON_CORS__MAX_AGE: "1",
      FLAGON_BODY_LIMIT: "7",
      DATABASE_URL: "postgres://db",
    });
    expect(loaded.config).toEqual({ bodyLimit: 7, cors: { maxAge: 1 } });
    expect(loaded.sourceOf(["bodyLimit"])).toEqual(env("FLAGON_BODY_LIMIT"));
  });

  test("an empty value already set still counts as set", async () => {
    const root = await project({ ".env": "EMPTY=filled\n" });
    const privateEnv: NodeJS.ProcessEnv = { EMPTY: "" };
    await loadConfig({ root, env: privateEnv });
    expect(privateEnv["EMPTY"]).toBe("");
  });

  test("dotenv: false leaves the env alone; no .env is fine", async () => {
    const root = await project({ ".env": "A=1\n" });
    const privateEnv: NodeJS.ProcessEnv = {};
    await loadConfig({ root, env: privateEnv, dotenv: false });
    expect(privateEnv).toEqual({});
    await expect(loadConfig({ root: await project({}), env: privateEnv })).resolves.toBeDefined();
  });

  test("a .env that is a directory is an error naming it", async () => {
    const root = await project({ ".env/x": "" });
    await expect(loadConfig({ root, env: {} })).rejects.toSatisfy(
      (error: unknown) =>
        error instanceof FlagonError &&
        error.code === ErrorCodes.INVALID_CONFIG &&
        error.message.includes(path.join(root, ".env")),
    );
  });
});

describe("errors name their source, never a secret value", () => {
  test("invalid JSON in a secret env variable loaded from .env", async () => {
    const root = await project({ ".env": "FLAGON_AUTH__SECRET=[hunter2\n" });
    const caught: unknown = await loadConfig({ root, env: {} }).catch((error: unknown) => error);
    expect(caught).toBeInstanceOf(FlagonError);
    expect((caught as FlagonError).message).toContain("FLAGON_AUTH__SECRET");
    expect((caught as FlagonError).message).not.toContain("hunter2");
  });
});
