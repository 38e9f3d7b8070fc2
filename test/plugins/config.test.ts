import "reflect-metadata";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { z } from "zod";
import { Flagon, FlagonError, definePlugin, type FlagonOptions } from "@flagon/core";
import { pluginList, setupError } from "../hooks/helpers.js";

// Configuration as an app in a directory of its own sees it: a config file found from `root`,
// FLAGON_* environment variables (and a .env file), code; precedence defaults < file < env <
// code; plugins' sections validated; plugins listed in the config file by package name.

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const DEFAULT_BODY_LIMIT = 1024 * 1024;

const made: string[] = [];
afterAll(async () => {
  for (const dir of made) await rm(dir, { recursive: true, force: true });
});

/** A fresh directory to be an app's root, with the given files (path → content). */
async function appDir(files: Record<string, string | object> = {}): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "flagon-config-"));
  made.push(dir);
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, typeof content === "string" ? content : JSON.stringify(content, null, 2));
  }
  return dir;
}

// The app reads process.env: every FLAGON_* variable a test sets (or a .env file adds) is
// removed again, and the ones that were there before are restored.
let savedEnv: Record<string, string | undefined> = {};
const flagonVars = () => Object.keys(process.env).filter((k) => k.startsWith("FLAGON_"));
beforeEach(() => {
  savedEnv = Object.fromEntries(flagonVars().map((k) => [k, process.env[k]]));
  for (const key of flagonVars()) delete process.env[key];
});
afterEach(() => {
  for (const key of flagonVars()) delete process.env[key];
  Object.assign(process.env, savedEnv);
});

function setEnv(vars: Record<string, string>): void {
  Object.assign(process.env, vars);
}

/** A plugin owning the `probe` section; whatever register gets is kept in `received`. */
const probeSchema = z.object({
  fromDefault: z.string().default("default"),
  fromFile: z.string().optional(),
  fromEnv: z.string().optional(),
  fromCode: z.string().optional(),
  level: z.number().optional(),
});
type ProbeOptions = z.output<typeof probeSchema>;
let received: ProbeOptions[] = [];
beforeEach(() => {
  received = [];
});
const probePlugin = definePlugin<ProbeOptions>({
  name: "flagon-plugin-config-probe",
  configKey: "probe",
  configSchema: probeSchema,
  register(_app, options) {
    received.push(options);
  },
});

async function readyApp(root: string, options: FlagonOptions = {}): Promise<Flagon> {
  const app = new Flagon({ root, ...options });
  await app.ready();
  return app;
}

describe("the config file", () => {
  test("flagon.config.json in root sets core keys and plugin sections, seen in app.config after ready()", async () => {
    const root = await appDir({ "flagon.config.json": { bodyLimit: 2048, probe: { fromFile: "file" } } });

    const app = await readyApp(root, { plugins: [probePlugin] });

    expect(app.config.bodyLimit).toBe(2048);
    // app.config shows the section as the plugin's schema produced it (issue 10, seam 8)
    expect(app.config["probe"]).toEqual({ fromDefault: "default", fromFile: "file" });
    expect(received).toEqual([{ fromDefault: "default", fromFile: "file" }]);
  });

  test("the bodyLimit from the file is enforced on requests", async () => {
    const root = await appDir({ "flagon.config.json": { bodyLimit: 10 } });
    const app = new Flagon({ root });
    app.post("/echo", async (ctx) => ctx.request.text());

    const small = await app.inject({
      method: "POST",
      url: "/echo",
      body: "0123456789",
      headers: { "content-type": "text/plain" },
    });
    const big = await app.inject({
      method: "POST",
      url: "/echo",
      body: "0123456789X",
      headers: { "content-type": "text/plain" },
    });

    expect(small.statusCode).toBe(200);
    expect(big.statusCode).toBe(413);
  });

  test.each<[string, Record<string, string | object>]>([
    [".flagonrc.yaml", { ".flagonrc.yaml": "bodyLimit: 4321\nprobe:\n  fromFile: found\n" }],
    [".flagonrc.json", { ".flagonrc.json": { bodyLimit: 4321, probe: { fromFile: "found" } } }],
    [
      "package.json#flagon",
      {
        "package.json": {
          name: "some-app",
          private: true,
          flagon: { bodyLimit: 4321, probe: { fromFile: "found" } },
        },
      },
    ],
    [
      "flagon.config.mjs",
      { "flagon.config.mjs": 'export default { bodyLimit: 4321, probe: { fromFile: "found" } };\n' },
    ],
  ])("%s is found too", async (_name, files) => {
    const root = await appDir(files);

    const app = await readyApp(root);

    expect(app.config.bodyLimit).toBe(4321);
    expect(app.config["probe"]).toEqual({ fromFile: "found" });
  });

  test("configFile: false ignores the config file in root", async () => {
    const root = await appDir({ "flagon.config.json": { bodyLimit: 2048, probe: { fromFile: "file" } } });

    const app = await readyApp(root, { configFile: false });

    expect(app.config.bodyLimit).toBe(DEFAULT_BODY_LIMIT);
    expect(app.config["probe"]).toBeUndefined();
  });

  test("configFile names the file to read instead of searching (relative to root)", async () => {
    const root = await appDir({
      "flagon.config.json": { bodyLimit: 1111 },
      "settings/staging.json": { bodyLimit: 2222 },
    });

    const app = await readyApp(root, { configFile: "settings/staging.json" });

    expect(app.config.bodyLimit).toBe(2222);
  });

  test("a bad core value in the file stops start-up naming the key and the file", async () => {
    const root = await appDir({ "flagon.config.json": { bodyLimit: "lots" } });

    const error = await setupError(() => new Flagon({ root }));

    expect(error.code).toBe("FLAGON_ERR_INVALID_CONFIG");
    expect(error.message).toContain("bodyLimit");
  });

  test("a bad plugin value in the file: FLAGON_ERR_INVALID_CONFIG naming config.<key>.<field>, the file and what was expected", async () => {
    const root = await appDir({ "flagon.config.json": { probe: { level: "high" } } });

    const error = await setupError(() => new Flagon({ root, plugins: [probePlugin] }));

    expect(error.code).toBe("FLAGON_ERR_INVALID_CONFIG");
    expect(error.message).toContain("config.probe.level");
    expect(error.message).toContain("flagon.config.json");
    expect(error.message).toMatch(/number/i);
  });

  test("a secret in the file that fails validation is named but never printed", async () => {
    const secretive = definePlugin<{ password: string }>({
      name: "flagon-plugin-secret-file",
      configKey: "db",
      configSchema: z.object({ password: z.string().min(40) }),
      register() {},
    });
    const root = await appDir({ "flagon.config.json": { db: { password: "hunter2-do-not-print" } } });

    const error = await setupError(() => new Flagon({ root, plugins: [secretive] }));

    expect(error.code).toBe("FLAGON_ERR_INVALID_CONFIG");
    expect(error.message).toContain("config.db.password");
    expect(error.message).not.toContain("hunter2-do-not-print");
  });
});

describe("environment variables", () => {
  test("FLAGON_<SECTION>__<KEY> sets config.<section>.<key>, SNAKE_CASE to camelCase, values coerced", async () => {
    const root = await appDir();
    setEnv({
      FLAGON_EXTRA__MAX_AGE: "600",
      FLAGON_EXTRA__RATIO: "0.5",
      FLAGON_EXTRA__ENABLED: "true",
      FLAGON_EXTRA__DISABLED: "false",
      FLAGON_EXTRA__ORIGINS: '["https://a.test","https://b.test"]',
      FLAGON_EXTRA__LIMITS: '{"perMinute":5}',
      FLAGON_EXTRA__NAME: "plain text",
    });

    const app = await readyApp(root);

    expect(app.config["extra"]).toEqual({
      maxAge: 600,
      ratio: 0.5,
      enabled: true,
      disabled: false,
      origins: ["https://a.test", "https://b.test"],
      limits: { perMinute: 5 },
      name: "plain text",
    });
  });

  test("FLAGON_BODY_LIMIT sets config.bodyLimit, and FLAGON_SERVER__CLOSE_TIMEOUT a nested core key", async () => {
    const root = await appDir();
    setEnv({ FLAGON_BODY_LIMIT: "5", FLAGON_SERVER__CLOSE_TIMEOUT: "1234" });

    const app = await readyApp(root);

    expect(app.config.bodyLimit).toBe(5);
    expect(app.config.server.closeTimeout).toBe(1234);
    expect(app.config.server.keepAliveTimeout).toBe(5_000);
  });

  test("a bad value from the environment stops start-up naming the key", async () => {
    const root = await appDir();
    setEnv({ FLAGON_PROBE__LEVEL: "high" });

    const error = await setupError(() => new Flagon({ root, plugins: [probePlugin] }));

    expect(error.code).toBe("FLAGON_ERR_INVALID_CONFIG");
    expect(error.message).toContain("config.probe.level");
    expect(error.message).toMatch(/FLAGON_PROBE__LEVEL|environment/i);
  });

  test("a .env file in root is loaded, without overriding variables already set", async () => {
    const root = await appDir({
      ".env": "FLAGON_PROBE__FROM_FILE=dotenv\nFLAGON_PROBE__FROM_ENV=dotenv\n",
    });
    setEnv({ FLAGON_PROBE__FROM_ENV: "real" });

    const app = await readyApp(root, { plugins: [probePlugin] });

    expect(app.config["probe"]).toEqual({ fromDefault: "default", fromFile: "dotenv", fromEnv: "real" });
    expect(process.env["FLAGON_PROBE__FROM_ENV"]).toBe("real");
  });
});

describe("precedence: defaults < file < env < code", () => {
  const file = { "flagon.config.json": { bodyLimit: 1000 } };
  test.each<[string, Record<string, string | object>, Record<string, string>, FlagonOptions, number]>([
    ["defaults", {}, {}, {}, DEFAULT_BODY_LIMIT],
    ["file over defaults", file, {}, {}, 1000],
    ["env over file", file, { FLAGON_BODY_LIMIT: "2000" }, {}, 2000],
    ["code over env", file, { FLAGON_BODY_LIMIT: "2000" }, { config: { bodyLimit: 3000 } }, 3000],
  ])("%s (bodyLimit)", async (_what, files, env, options, expected) => {
    const root = await appDir(files);
    setEnv(env);

    const app = await readyApp(root, options);

    expect(app.config.bodyLimit).toBe(expected);
  });

  test("each key comes from the highest layer that sets it, in app.config and in a plugin's options", async () => {
    const root = await appDir({
      "flagon.config.json": {
        server: { keepAliveTimeout: 2222, closeTimeout: 1111 },
        probe: { fromFile: "file", fromEnv: "file", fromCode: "file" },
      },
    });
    setEnv({
      FLAGON_SERVER__CLOSE_TIMEOUT: "3333",
      FLAGON_PROBE__FROM_ENV: "env",
      FLAGON_PROBE__FROM_CODE: "env",
    });
    const app = new Flagon({ root, config: { probe: { fromCode: "code config" } } });
    app.register(probePlugin, { level: 7 });

    await app.ready();

    expect(app.config.server).toMatchObject({
      headersTimeout: 60_000,
      keepAliveTimeout: 2222,
      closeTimeout: 3333,
    });
    expect(app.config["probe"]).toEqual(received[0]);
    expect(received).toEqual([
      { fromDefault: "default", fromFile: "file", fromEnv: "env", fromCode: "code config", level: 7 },
    ]);
  });

  test("options given to register win over every config layer", async () => {
    const root = await appDir({ "flagon.config.json": { probe: { fromCode: "file" } } });
    setEnv({ FLAGON_PROBE__FROM_CODE: "env" });
    const app = new Flagon({ root, config: { probe: { fromCode: "code config" } } });
    app.register(probePlugin, { fromCode: "register options" });

    await app.ready();

    expect(received[0]?.fromCode).toBe("register options");
  });
});

describe("plugins listed in the config file by package name", () => {
  // Packages in <root>/node_modules, as npm would install them. They import definePlugin from
  // "@flagon/core", linked to this repository's core (its built output: core/dist).
  beforeAll(() => {
    const dist = path.join(repoRoot, "core/dist/index.js");
    if (!existsSync(dist) || !readFileSync(dist, "utf8").includes("definePlugin")) {
      execFileSync("npx", ["tsc", "-b", "core/tsconfig.lib.json"], { cwd: repoRoot, stdio: "inherit" });
    }
  }, 120_000);

  const log = (): Array<[string, unknown]> =>
    ((globalThis as { __flagonProbeLog?: Array<[string, unknown]> }).__flagonProbeLog ??= []);
  afterEach(() => {
    delete (globalThis as { __flagonProbeLog?: unknown }).__flagonProbeLog;
  });

  function probePackage(name: string, header: string): Record<string, string | object> {
    return {
      [`node_modules/${name}/package.json`]: {
        name,
        version: "1.0.0",
        type: "module",
        keywords: ["flagon-plugin"],
        exports: "./index.js",
        peerDependencies: { "@flagon/core": "*" },
      },
      [`node_modules/${name}/index.js`]: `import { definePlugin } from "@flagon/core";

export default definePlugin({
  name: ${JSON.stringify(name)},
  version: "1.0.0",
  register(app, options) {
    (globalThis.__flagonProbeLog ??= []).push([${JSON.stringify(name)}, options]);
    app.addHook("onSend", (_ctx, response) => {
      response.headers.set(${JSON.stringify(header)}, "yes");
    });
  },
});
`,
    };
  }

  async function rootWithPackages(config: object): Promise<string> {
    const root = await appDir({
      "flagon.config.json": config,
      ...probePackage("flagon-plugin-probe", "x-probe"),
      ...probePackage("flagon-plugin-probe2", "x-probe2"),
      ...probePackage("@acme/flagon-plugin-probe3", "x-probe3"),
    });
    await mkdir(path.join(root, "node_modules/@flagon"), { recursive: true });
    await symlink(path.join(repoRoot, "core"), path.join(root, "node_modules/@flagon/core"), "dir");
    return root;
  }

  test("they are imported and registered in the listed order, with their options, and their hooks run", async () => {
    const root = await rootWithPackages({
      plugins: ["flagon-plugin-probe", ["flagon-plugin-probe2", { x: 1 }], "@acme/flagon-plugin-probe3"],
    });
    const app = new Flagon({ root });
    app.get("/", () => "home");

    const res = await app.inject("/");

    expect(res.statusCode).toBe(200);
    expect(res.headers["x-probe"]).toBe("yes");
    expect(res.headers["x-probe2"]).toBe("yes");
    expect(res.headers["x-probe3"]).toBe("yes");
    expect(log().map(([name]) => name)).toEqual([
      "flagon-plugin-probe",
      "flagon-plugin-probe2",
      "@acme/flagon-plugin-probe3",
    ]);
    expect(log()[1]?.[1]).toEqual({ x: 1 });
    expect(pluginList(app)).toMatchObject({
      "flagon-plugin-probe": "1.0.0",
      "flagon-plugin-probe2": "1.0.0",
      "@acme/flagon-plugin-probe3": "1.0.0",
    });
  }, 60_000);

  test("a listed package that is not installed stops start-up naming it", async () => {
    const root = await rootWithPackages({ plugins: ["flagon-plugin-probe", "flagon-plugin-not-installed"] });

    const error = await setupError(() => new Flagon({ root }));

    expect(error).toBeInstanceOf(FlagonError);
    expect(error.code).toBe("FLAGON_ERR_PLUGIN_IMPORT");
    expect(error.message).toContain("flagon-plugin-not-installed");
  }, 60_000);
});
