import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BUILT_IN_COMMANDS } from "@flagon/core/plugin";
import { locateApp } from "./app-commands.js";
import { run } from "./run.js";

const coreDir = fileURLToPath(new URL("../../core/", import.meta.url));
const { version } = createRequire(import.meta.url)("../package.json") as { version: string };

function sink(): { stream: Writable; text: () => string } {
  let text = "";
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      text += String(chunk);
      callback();
    },
  });
  return { stream, text: () => text };
}

let tmp: string;

beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "flagon-cli-"));
});

afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = sink();
  const err = sink();
  const code = await run(argv, { cwd: tmp, stdout: out.stream, stderr: err.stream });
  return { code, stdout: out.text(), stderr: err.text() };
}

async function writeFiles(files: Record<string, string>): Promise<void> {
  for (const [name, contents] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(tmp, name)), { recursive: true });
    await writeFile(path.join(tmp, name), contents);
  }
}

async function readJson(file: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(path.join(tmp, file), "utf8")) as Record<string, unknown>;
}

describe("help and usage", () => {
  it("--help lists the built-in commands and options", async () => {
    const { code, stdout, stderr } = await cli("--help");
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(stdout).toMatch(/^Usage: flagon <command>/);
    expect(stdout).toContain("plugin new <name>");
    for (const command of ["dev", "start", "routes", "new <dir>"])
      expect(stdout).toMatch(new RegExp(`\\n  ${command} +\\S`));
    expect(stdout).toContain("--version");
    expect(stdout).not.toContain("app commands"); // no app here: nothing to say about one
  });

  it("--version prints the version of @flagon/cli", async () => {
    expect(await cli("--version")).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
    expect((await cli("-v")).stdout).toBe(`${version}\n`);
  });

  it.each([
    [["plugin", "new", "--help"], "Usage: flagon plugin new <name>"],
    [["plugin", "new", "-h"], "Usage: flagon plugin new <name>"],
    [["help", "plugin", "new"], "Usage: flagon plugin new <name>"],
    [["plugin", "--help"], "Usage: flagon plugin <subcommand>"],
    [["help", "plugin"], "Usage: flagon plugin <subcommand>"],
    [["help"], "Usage: flagon <command>"],
    [["dev", "--help"], "Usage: flagon dev [--port <n>] [--host <addr>]"],
    [["help", "dev"], "Usage: flagon dev"],
    [["start", "--help"], "Usage: flagon start [--workers <n>] [--port <n>] [--host <addr>]"],
    [["start", "-h"], "Usage: flagon start"],
    [["routes", "--help"], "Usage: flagon routes [--json]"],
    [["new", "--help"], "Usage: flagon new <dir> [--template api|web] [--force]"],
    [["help", "new"], "Usage: flagon new"],
  ])("flagon %s prints help", async (argv, usage) => {
    const { code, stdout } = await cli(...argv);
    expect(code).toBe(0);
    expect(stdout).toContain(usage);
  });

  it.each([
    [[], "Usage: flagon <command>"],
    [["frobnicate"], 'unknown command "frobnicate"'],
    [["--nope"], "Unknown option '--nope'"],
    [["plugin"], "Usage: flagon plugin <subcommand>"],
    [["plugin", "old"], 'unknown subcommand "plugin old"'],
    [["plugin", "new"], "plugin new needs a name"],
    [["plugin", "new", "a", "b"], "plugin new takes one name"],
    [["plugin", "new", "x", "--colour"], "Unknown option '--colour'"],
    [["new"], "new needs a folder"],
    [["new", "a", "b"], "new takes one folder"],
    [["new", "a", "--template", "spa"], 'unknown template "spa"; choose api or web'],
    [["start", "--workers", "0"], "--workers must be a number of processes from 1 to 1024"],
    [["start", "--port", "http"], "--port must be a whole number from 0 to 65535"],
    [["dev", "--port", "70000"], "--port must be a whole number from 0 to 65535"],
    [["routes", "extra"], "Unexpected argument 'extra'"],
  ])("flagon %s exits with 2", async (argv, message) => {
    const { code, stdout, stderr } = await cli(...argv);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain(message);
  });
});

describe("flagon plugin new", () => {
  it("writes a package that follows the community plugin convention", async () => {
    const { code, stdout, stderr } = await cli("plugin", "new", "probe", "--from-registry");
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const dir = "flagon-plugin-probe";
    expect(stdout.split("\n")[0]).toBe(`creating flagon-plugin-probe in .${path.sep}${dir}`);
    expect(stdout).toContain(`done — next: cd .${path.sep}${dir} && npm install && npm test`);

    for (const file of [
      "package.json",
      "tsconfig.json",
      "tsconfig.build.json",
      "vitest.config.ts",
      "src/index.ts",
      "test/plugin.test.ts",
      "README.md",
      ".gitignore",
    ]) {
      expect(existsSync(path.join(tmp, dir, file)), file).toBe(true);
      expect(stdout).toContain(`  ${file}\n`);
    }

    const pkg = await readJson(`${dir}/package.json`);
    expect(pkg).toMatchObject({
      name: "flagon-plugin-probe",
      version: "0.1.0",
      keywords: ["flagon-plugin"],
      type: "module",
      files: ["dist"],
      exports: {
        ".": { types: "./dist/index.d.ts", default: "./dist/index.js" },
        "./package.json": "./package.json",
      },
      scripts: { build: "tsc -p tsconfig.build.json", test: "vitest run" },
      peerDependencies: { "@flagon/core": `>=${version} <1` },
      devDependencies: { "@flagon/core": `>=${version} <1`, typescript: "~5.9.3", vitest: "^4.1.0" },
      engines: { node: ">=20.19" },
    });

    const index = await readFile(path.join(tmp, dir, "src/index.ts"), "utf8");
    expect(index).toContain('import { definePlugin, type Flagon } from "@flagon/core";');
    expect(index).toContain('configKey: "probe"');
    expect(index).toContain('"~standard"');
    expect(index).toContain('app.addHook("onSend"');
    const test = await readFile(path.join(tmp, dir, "test/plugin.test.ts"), "utf8");
    expect(test).toContain('import "reflect-metadata";');
    expect(test).toContain("FLAGON_ERR_INVALID_CONFIG");
    const readme = await readFile(path.join(tmp, dir, "README.md"), "utf8");
    expect(readme).toContain("npm install flagon-plugin-probe");
    expect(readme).toContain('"plugins": ["flagon-plugin-probe"]');
  });

  it("names a scoped package and its folder, and honours --dir", async () => {
    expect((await cli("plugin", "new", "@acme/rate-limit")).code).toBe(0);
    expect(await readJson("flagon-plugin-rate-limit/package.json")).toMatchObject({
      name: "@acme/flagon-plugin-rate-limit",
    });
    const index = await readFile(path.join(tmp, "flagon-plugin-rate-limit/src/index.ts"), "utf8");
    expect(index).toContain('configKey: "rateLimit"');

    const { code, stdout } = await cli("plugin", "new", "flagon-plugin-other", "--dir", "packages/other");
    expect(code).toBe(0);
    expect(stdout).toContain(`cd .${path.sep}${path.join("packages", "other")} &&`);
    expect(await readJson("packages/other/package.json")).toMatchObject({ name: "flagon-plugin-other" });
  });

  it("shows an absolute folder outside the working directory, quoted for the shell", async () => {
    const outside = path.join(path.dirname(tmp), `${path.basename(tmp)} out`);
    try {
      const { code, stdout } = await cli("plugin", "new", "probe", "--dir", outside);
      expect(code).toBe(0);
      expect(stdout).toContain(`cd '${outside}' && npm install`);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it.each([
    ["Probe", "must be lower case"],
    ["my plugin", "url-safe"],
    ["flagon-plugin-", 'nothing after "flagon-plugin-"'],
    ["@acme", "scope but no name"],
  ])("rejects the name %j with exit code 2", async (name, message) => {
    const { code, stderr } = await cli("plugin", "new", name);
    expect(code).toBe(2);
    expect(stderr).toContain("invalid plugin name");
    expect(stderr).toContain(message);
  });

  it("refuses a folder that is not empty unless --force", async () => {
    await writeFiles({
      "flagon-plugin-probe/README.md": "mine\n",
      "flagon-plugin-probe/notes.txt": "keep\n",
    });

    const refused = await cli("plugin", "new", "probe");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("is not empty");
    expect(refused.stderr).toContain("--force");
    expect(await readFile(path.join(tmp, "flagon-plugin-probe/README.md"), "utf8")).toBe("mine\n");

    const forced = await cli("plugin", "new", "probe", "--force");
    expect(forced.code).toBe(0);
    expect(await readFile(path.join(tmp, "flagon-plugin-probe/README.md"), "utf8")).toContain(
      "# flagon-plugin-probe",
    );
    expect(await readFile(path.join(tmp, "flagon-plugin-probe/notes.txt"), "utf8")).toBe("keep\n");
  });

  it("writes into an empty existing folder, and refuses a file in the way", async () => {
    await mkdir(path.join(tmp, "empty"));
    expect((await cli("plugin", "new", "probe", "--dir", "empty")).code).toBe(0);

    await writeFiles({ "a-file": "" });
    const { code, stderr } = await cli("plugin", "new", "probe", "--dir", "a-file");
    expect(code).toBe(1);
    expect(stderr).toContain("is not a folder");
  });
});

describe("flagon new", () => {
  it("writes an api app, reporting each file, and says what to do next", async () => {
    const { code, stdout, stderr } = await cli("new", "my-api", "--from-registry");
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout.split("\n")[0]).toBe(`creating my-api (template api) in .${path.sep}my-api`);
    for (const file of ["package.json", "src/app.ts", "src/hello.controller.ts", "test/app.test.ts"]) {
      expect(existsSync(path.join(tmp, "my-api", file)), file).toBe(true);
      expect(stdout).toContain(`  ${file}\n`);
    }
    expect(stdout).toContain(
      `done — next: cd .${path.sep}my-api && npm install && npm test, then npm run dev`,
    );
    expect(await readJson("my-api/package.json")).toMatchObject({
      name: "my-api",
      dependencies: { "@flagon/core": `>=${version} <1`, "@flagon/cli": `>=${version} <1` },
    });
  });

  it("writes a web app with templates, static files and a fresh secret key each time", async () => {
    expect((await cli("new", "site", "--template", "web")).code).toBe(0);
    expect((await cli("new", "site2", "-t", "web")).code).toBe(0);
    for (const file of ["templates/layout.html", "templates/index.html", "static/style.css"]) {
      expect(existsSync(path.join(tmp, "site", file)), file).toBe(true);
    }
    const key = async (dir: string) =>
      /FLAGON_SECRET_KEY=(\S+)/.exec(await readFile(path.join(tmp, dir, ".env"), "utf8"))?.[1];
    const [one, two] = [await key("site"), await key("site2")];
    expect(one).toMatch(/^[\w-]{43}$/);
    expect(one).not.toBe(two);
  });

  it("refuses a folder that is not empty unless --force", async () => {
    await writeFiles({ "busy/notes.txt": "keep\n" });
    const refused = await cli("new", "busy");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("is not empty");
    expect(existsSync(path.join(tmp, "busy/package.json"))).toBe(false);
    expect((await cli("new", "busy", "--force")).code).toBe(0);
    expect(await readFile(path.join(tmp, "busy/notes.txt"), "utf8")).toBe("keep\n");
  });
});

describe("finding the app", () => {
  it("prefers the config key, then src/app.ts, then dist/app.js", async () => {
    expect(await locateApp(tmp)).toMatchObject({ exists: false, shown: "src/app.ts or dist/app.js" });
    await writeFiles({ "dist/app.js": "", "src/app.ts": "" });
    expect(await locateApp(tmp)).toMatchObject({ exists: true, shown: "src/app.ts", configured: false });
    await rm(path.join(tmp, "src"), { recursive: true });
    expect(await locateApp(tmp)).toMatchObject({ exists: true, shown: "dist/app.js" });
    await writeFiles({ "flagon.config.json": JSON.stringify({ app: "server/main.ts" }) });
    expect(await locateApp(tmp)).toMatchObject({
      exists: false,
      configured: true,
      file: path.join(tmp, "server/main.ts"),
    });
  });

  it.each([["dev"], ["start"], ["routes"]])(
    "flagon %s without an app fails with 1 and says where it looked",
    async (command) => {
      const { code, stderr } = await cli(command);
      expect(code).toBe(1);
      expect(stderr).toMatch(/src\/app\.ts or dist\/app\.js does not exist/);
    },
  );
});

// A stand-in for a Flagon app: the CLI only needs createApp() → { build, ready, close, commands }.
const stubApp = (marker: string) => `
import { appendFileSync } from "node:fs";
const log = (line) => appendFileSync(${JSON.stringify(marker)}, line + "\\n");
export async function createApp() {
  const commands = [
    { name: "greet", description: "Say hello", arguments: [{ name: "who", variadic: true, optional: true }],
      options: { loud: { type: "boolean" } },
      run(input, app) { log("greet " + input.positionals.join(" ") + " " + input.values.loud + " " + (app === self)); } },
    { name: "fail", description: "Always fails", async run() { throw new Error("the fail command failed"); } },
    { name: "code", description: "Exits with 3", run: () => 3 },
    { name: "pool", description: "Needs the pool", ready: true, run: () => log("pool") },
  ];
  const self = {
    async build() { log("build"); },
    async ready() { log("ready"); },
    async close() { log("close"); },
    commands: () => commands,
  };
  return self;
}
`;

describe("commands added by the app's plugins", () => {
  let marker: string;
  const events = async () => (await readFile(marker, "utf8")).trim().split("\n");

  beforeEach(() => {
    marker = path.join(tmp, "events.log");
  });

  it("loads dist/app.js in command mode, runs the command with its input, and closes the app", async () => {
    await writeFiles({ "dist/app.js": stubApp(marker) });
    const { code, stderr } = await cli("greet", "a", "b", "--loud");
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(await events()).toEqual(["build", "greet a b true true", "close"]);
  });

  it("makes the app ready first only for a command that asks (ready: true)", async () => {
    await writeFiles({ "dist/app.js": stubApp(marker) });
    expect((await cli("pool")).code).toBe(0);
    expect(await events()).toEqual(["build", "ready", "pool", "close"]);
  });

  it("uses a number returned by the command as the exit code", async () => {
    await writeFiles({ "dist/app.js": stubApp(marker) });
    expect((await cli("code")).code).toBe(3);
  });

  it("reports a failing command with exit code 1 and still closes the app", async () => {
    await writeFiles({ "dist/app.js": stubApp(marker) });
    const { code, stderr } = await cli("fail");
    expect(code).toBe(1);
    expect(stderr).toBe("flagon: the fail command failed\n");
    expect(await events()).toEqual(["build", "close"]);
  });

  it("refuses an unknown option with exit code 2, before anything runs", async () => {
    await writeFiles({ "dist/app.js": stubApp(marker) });
    const { code, stdout, stderr } = await cli("pool", "--loud");
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain("flagon: flagon pool: Unknown option '--loud'");
    expect(stderr).toContain('Run "flagon pool --help" for usage.');
    expect(await events()).toEqual(["build", "close"]);
  });

  it("lists the app's commands in --help, and answers <command> --help, without ready()", async () => {
    await writeFiles({ "dist/app.js": stubApp(marker) });
    const help = await cli("--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("plugin new <name>");
    expect(help.stdout).toMatch(/Commands of the app \(dist\/app\.js\):\n {2}greet +Say hello\n/);

    const one = await cli("pool", "--help");
    expect(one).toEqual({
      code: 0,
      stdout: "Usage: flagon pool\n\nNeeds the pool\n\nOptions:\n  -h, --help  Show this help\n",
      stderr: "",
    });
    expect(await events()).toEqual(["build", "close", "build", "close"]);
  });

  it("says which commands exist when the app has no such one", async () => {
    await writeFiles({ "dist/app.js": stubApp(marker) });
    const { code, stderr } = await cli("deploy");
    expect(code).toBe(2);
    expect(stderr).toContain('unknown command "deploy"');
    expect(stderr).toContain("greet, fail, code, pool");
  });

  it("reads the app's path from the config key `app`", async () => {
    await writeFiles({
      "package.json": JSON.stringify({ name: "my-app", flagon: { app: "build/server.js" } }),
      "build/server.js": stubApp(marker),
    });
    expect((await cli("greet")).code).toBe(0);
    expect(await events()).toContain("greet  false true");
  });

  it("fails with 1 when a configured app is missing or does not load", async () => {
    await writeFiles({ "flagon.config.json": JSON.stringify({ app: "build/missing.js" }) });
    const missing = await cli("greet");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("cannot load the app from build/missing.js");

    await writeFiles({ "dist/app.js": "export const nothing = 1;\n", "flagon.config.json": "{}" });
    const wrong = await cli("greet");
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("does not export a createApp() function");
  });

  it("still shows the built-in commands when the app cannot be loaded, with one line about it", async () => {
    await writeFiles({
      "dist/app.js":
        "export function createApp() { return { ready: async () => { throw new Error('no database'); }, close: async () => {}, commands: () => [] }; }\n",
    });
    const { code, stdout } = await cli("--help");
    expect(code).toBe(0);
    expect(stdout).toContain("plugin new <name>");
    expect(stdout).toContain("(app commands not listed: cannot load the app from dist/app.js: no database)");
  });

  it("lists exactly the built-in names that addCommand refuses", async () => {
    const { stdout } = await cli("--help");
    const commands = stdout.split("\n\n")[1] ?? "";
    const names = [...commands.matchAll(/^ {2}(\S+)/gm)].map((m) => m[1]);
    expect([...names].sort()).toEqual([...BUILT_IN_COMMANDS].sort());
  });
});

// The real core (built): plugins add commands with subcommands; command mode keeps onReady off.
const coreBuilt = existsSync(path.join(coreDir, "dist/index.js"));
describe.skipIf(!coreBuilt)("plugin commands on a real app (needs core/dist: npm run build)", () => {
  let marker: string;
  const events = async () =>
    existsSync(marker) ? (await readFile(marker, "utf8")).trim().split("\n").filter(Boolean) : [];

  beforeEach(async () => {
    marker = path.join(tmp, "events.log");
    await mkdir(path.join(tmp, "node_modules/@flagon"), { recursive: true });
    await symlink(coreDir, path.join(tmp, "node_modules/@flagon/core"), "dir");
    await writeFiles({
      "package.json": JSON.stringify({ name: "fixture-app", private: true, type: "module" }),
      "dist/app.js": `
import { appendFileSync } from "node:fs";
import { Flagon, definePlugin } from "@flagon/core";
const log = (line) => appendFileSync(${JSON.stringify(marker)}, line + "\\n");

const database = definePlugin({
  name: "flagon-plugin-db",
  register(app) {
    app.addHook("onReady", () => log("pool opened"));
    app.addHook("onClose", () => log("pool closed"));
    app.addCommand({
      name: "db",
      description: "Database migrations",
      ready: true,
      commands: [
        {
          name: "migrate",
          description: "Apply the migrations up to a version",
          options: {
            to: { type: "number", short: "t", description: "The target version", required: true },
            "dry-run": { type: "boolean", description: "Print, do not apply" },
          },
          run({ values, stdout }) { stdout.write("migrate to " + values.to + " " + values["dry-run"] + "\\n"); },
        },
        { name: "status", description: "Show the applied migrations", run: () => log("status") },
        { name: "check", description: "Check the schema offline", ready: false, run: () => log("check") },
      ],
    });
  },
});

const seeder = definePlugin({
  name: "flagon-plugin-seeder",
  register(app) {
    app.addCommand({
      name: "seed",
      description: "Fill the database",
      arguments: [{ name: "table", variadic: true }],
      run({ positionals }, app) { log("seed " + positionals.join(",") + " " + app.routes().length); },
    });
    app.addHook("onClose", () => log("seeder closed"));
  },
});

export async function createApp() {
  const app = new Flagon({ root: ${JSON.stringify(tmp)}, logger: false, plugins: [database, seeder] });
  app.get("/", () => "hi");
  return app;
}
`,
    });
  });

  it("runs a subcommand with typed options, after onReady when its group asks, then closes", async () => {
    const { code, stdout, stderr } = await cli("db", "migrate", "--to", "3");
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toBe("migrate to 3 false\n");
    expect(await events()).toEqual(["pool opened", "seeder closed", "pool closed"]);
  });

  it("runs a command without onReady, and closes only what opened (no onClose for an unopened pool)", async () => {
    const { code, stderr } = await cli("seed", "users", "posts");
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(await events()).toEqual(["seed users,posts 1", "seeder closed"]);
    expect((await cli("db", "check")).code).toBe(0);
    expect((await events()).slice(2)).toEqual(["check", "seeder closed"]);
  });

  it("never runs onReady for --help, a group's help or a subcommand's help", async () => {
    const main = await cli("--help");
    expect(main.code).toBe(0);
    expect(main.stdout).toMatch(
      / {2}db +Database migrations\n {2}db migrate +Apply the migrations up to a version\n {2}db status +Show the applied migrations\n/,
    );
    expect(main.stdout).toMatch(/ {2}seed +Fill the database\n/);

    const group = await cli("db", "--help");
    expect(group.code).toBe(0);
    expect(group.stdout).toContain("Usage: flagon db <subcommand>\n\nDatabase migrations\n\nSubcommands:\n");
    expect(group.stdout).toMatch(/\n {2}migrate +Apply the migrations up to a version\n/);

    const sub = await cli("db", "migrate", "--help");
    expect(sub).toEqual({
      code: 0,
      stderr: "",
      stdout: [
        "Usage: flagon db migrate [options]",
        "",
        "Apply the migrations up to a version",
        "",
        "Options:",
        "  -t, --to <n>   The target version (required)",
        "      --dry-run  Print, do not apply",
        "  -h, --help     Show this help",
        "",
      ].join("\n"),
    });
    expect((await cli("help", "db", "migrate")).stdout).toBe(sub.stdout);
    expect((await cli("db", "migrate", "-h")).stdout).toBe(sub.stdout);
    expect(await events()).not.toContain("pool opened");
  });

  it.each([
    [["db"], "Usage: flagon db <subcommand>"],
    [["db", "migrat"], 'unknown subcommand "migrat" (flagon db has: migrate, status, check)'],
    [["db", "--to", "3"], "flagon db needs a subcommand before its options"],
    [["db", "migrate"], "flagon db migrate: --to is required (-t, --to <n>)"],
    [["db", "migrate", "--to", "three"], 'flagon db migrate: --to must be a number; got "three"'],
    [["db", "migrate", "--to", "3", "--force"], "flagon db migrate: Unknown option '--force'"],
    [["db", "status", "extra"], 'flagon db status takes no arguments; got "extra"'],
    [["seed"], "flagon seed needs <table...>"],
  ])("flagon %s is bad usage: exit 2, no onReady", async (argv, message) => {
    const { code, stdout, stderr } = await cli(...argv);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain(message);
    expect(await events()).not.toContain("pool opened");
  });
});
