// `flagon routes`, plugin commands and `--help` on every command, through the built command
// line on a TypeScript app; and the loader's proof that a class injected by type keeps its
// `design:paramtypes`.
import { execFile } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  childEnv,
  cliLoader,
  cliMain,
  coreBuilt,
  notBuiltReason,
  removeDir,
  tempApp,
  TSCONFIG,
} from "./helpers.js";

if (!coreBuilt) console.warn(`skipped the flagon routes tests: ${notBuiltReason}`);

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

function node(args: string[], cwd: string): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd, env: childEnv, timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const flagon = (cwd: string, ...args: string[]) => node([cliMain, ...args], cwd);

const files = {
  "tsconfig.json": TSCONFIG,
  "src/repo.ts": `import { Injectable } from "@flagon/core";

@Injectable()
export class Repo {
  all(): string[] {
    return ["a", "b"];
  }
}
`,
  "src/audit.ts": `import { createRouteDecorator, definePlugin } from "@flagon/core";

export const Audited = createRouteDecorator("audit.audited", () => true);
export const Cached = createRouteDecorator("cache.cached", (ttl = 60) => ({ ttl }));

export const audit = definePlugin({
  name: "flagon-plugin-audit",
  register(app) {
    app.addCommand({
      name: "audit-report",
      description: "Print the audited endpoints",
      options: { verbose: { type: "boolean", short: "v", description: "Also print the count" } },
      run({ values, stdout }, app) {
        const audited = app.routes().filter((r) => r.decorators.includes("audit.audited"));
        const count: string = values.verbose ? \` (\${audited.length})\` : "";
        stdout.write("audited: " + audited.map((r) => r.endpoint).join(",") + count + "\\n");
      },
    });
  },
});
`,
  "src/items.controller.ts": `import { Controller, Delete, Get, Param, Post } from "@flagon/core";
import { Audited, Cached } from "./audit.js";
import { Repo } from "./repo.js";

@Audited()
@Controller("/items")
export class Items {
  constructor(private readonly repo: Repo) {}

  @Get("/") @Cached(30) list() { return this.repo.all(); }
  @Post("/") create() { return { created: true }; }
  @Get("/<int:id>") show(@Param("id") id: number) { return { id }; }
  @Delete("/<int:id>") remove(@Param("id") id: number) { return { id }; }
}
`,
  "src/app.ts": `import { Flagon } from "@flagon/core";
import { audit } from "./audit.js";
import { Items } from "./items.controller.js";

export async function createApp(): Promise<Flagon> {
  const app = new Flagon({ controllers: [Items], plugins: [audit], logger: false });
  app.get("/", function home() { return "home"; });
  app.route("/about", ["GET", "POST"], function about() { return "about"; });
  return app;
}
`,
};

// Each test spawns the CLI, which compiles the app first: seconds on a busy machine.
describe.skipIf(!coreBuilt)("flagon routes and app commands on a TypeScript app", { timeout: 30_000 }, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempApp("flagon-routes-", files);
  });
  afterAll(async () => {
    await removeDir(dir);
  });

  it("prints methods, path, endpoint and route decorators, sorted by path", async () => {
    const { code, stdout, stderr } = await flagon(dir, "routes");
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        "METHODS    PATH             ENDPOINT      DECORATORS",
        "GET        /                home          -",
        "GET, POST  /about           about         -",
        "GET        /items/          Items.list    audit.audited, cache.cached",
        "POST       /items/          Items.create  audit.audited",
        "GET        /items/<int:id>  Items.show    audit.audited",
        "DELETE     /items/<int:id>  Items.remove  audit.audited",
        "",
      ].join("\n"),
    );
  });

  it("prints JSON with --json", async () => {
    const { code, stdout } = await flagon(dir, "routes", "--json");
    expect(code).toBe(0);
    const routes = JSON.parse(stdout) as Array<{ path: string; methods: string[]; decorators: string[] }>;
    expect(routes).toHaveLength(6);
    expect(routes[2]).toEqual({
      methods: ["GET"],
      path: "/items/",
      endpoint: "Items.list",
      decorators: ["audit.audited", "cache.cached"],
    });
  });

  it("runs a command a plugin adds, and lists it in --help", async () => {
    const run = await flagon(dir, "audit-report", "--verbose");
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout).toBe("audited: Items.list,Items.create,Items.show,Items.remove (4)\n");
    const help = await flagon(dir, "--help");
    expect(help.stdout).toMatch(
      /Commands of the app \(src\/app\.ts\):\n {2}audit-report +Print the audited endpoints\n/,
    );
    const one = await flagon(dir, "audit-report", "--help");
    expect(one.stdout).toBe(
      [
        "Usage: flagon audit-report [options]",
        "",
        "Print the audited endpoints",
        "",
        "Options:",
        "  -v, --verbose  Also print the count",
        "  -h, --help     Show this help",
        "",
      ].join("\n"),
    );
  });

  it("answers --help on every built-in command", async () => {
    for (const [args, usage] of [
      [["--help"], "Usage: flagon <command> [options]"],
      [["dev", "--help"], "Usage: flagon dev [--port <n>] [--host <addr>]"],
      [["start", "--help"], "Usage: flagon start [--workers <n>] [--port <n>] [--host <addr>]"],
      [["routes", "--help"], "Usage: flagon routes [--json]"],
      [["new", "--help"], "Usage: flagon new <dir> [--template api|web] [--force]"],
      [["plugin", "new", "--help"], "Usage: flagon plugin new <name>"],
    ] as const) {
      const { code, stdout } = await flagon(dir, ...args);
      expect(code, args.join(" ")).toBe(0);
      expect(stdout, args.join(" ")).toContain(usage);
    }
  });

  it("the TypeScript loader records design:paramtypes for a class injected by type from another file", async () => {
    const loader = cliLoader;
    const script = `
      const { Items } = await import("./src/items.controller.ts");
      const { Repo } = await import("./src/repo.js"); // NodeNext-style: ./repo.js is ./repo.ts
      const types = Reflect.getMetadata("design:paramtypes", Items);
      console.log(JSON.stringify({ count: types.length, isRepo: types[0] === Repo, name: types[0].name }));
    `;
    const out = await node(["--import", loader, "--input-type=module", "-e", script], dir);
    expect(out.stderr).toBe("");
    expect(JSON.parse(out.stdout)).toEqual({ count: 1, isRepo: true, name: "Repo" });
  });
});
