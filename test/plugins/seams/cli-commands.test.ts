// Seam 9 of issue 10: commands with subcommands and parsed options, and the command mode in which
// the app is built without its onReady hooks. Through the public API only.
import { definePlugin, Flagon } from "@flagon/core";
import { defineCommand } from "@flagon/core/plugin";
import { runCommand } from "@flagon/cli/testing";
import { describe, expect, it } from "vitest";

/** A database-like plugin: a pool opened in onReady and closed in onClose, and `db` commands. */
function databaseApp(events: string[]): Flagon {
  const migrate = defineCommand({
    name: "migrate",
    description: "Apply the migrations up to a version",
    options: {
      to: { type: "number", short: "t", description: "The target version" },
      step: { type: "string", choices: ["one", "all"], default: "all" },
      tag: { type: "string", multiple: true },
    },
    run({ values, stdout }) {
      // The types follow the declaration: a number or undefined, a choice, a list.
      const to: number | undefined = values.to;
      const step: "one" | "all" = values.step;
      const tags: string[] = values.tag;
      stdout.write(`migrate to=${to} (${typeof to}) step=${step} tags=${tags.join("+")}\n`);
      return to === 0 ? 4 : undefined;
    },
  });
  const database = definePlugin({
    name: "flagon-plugin-database",
    register(app) {
      app.addHook("onReady", () => void events.push("pool opened"));
      app.addHook("onClose", () => void events.push("pool closed"));
      app.addCommand({
        name: "db",
        description: "Database migrations",
        ready: true,
        commands: [
          migrate,
          {
            name: "rollback",
            description: "Undo the last migration",
            run: () => {
              throw new Error("nothing to roll back");
            },
          },
          {
            name: "lint",
            description: "Check migration files offline",
            ready: false,
            run: () => void events.push("lint"),
          },
        ],
      });
    },
  });
  const cache = definePlugin({
    name: "flagon-plugin-cache",
    register(app) {
      app.addHook("onClose", () => void events.push("cache closed"));
    },
  });
  const app = new Flagon({ logger: false, plugins: [database, cache] });
  app.addHook("onRoute", (route) => void events.push(`route ${route.path}`));
  app.get("/", () => "hi");
  return app;
}

describe("issue 10 seam 9: plugin commands in command mode", () => {
  it("build() registers plugins and compiles routes without onReady; close() skips the onClose of what never opened", async () => {
    const events: string[] = [];
    const app = databaseApp(events);
    await app.build();
    expect(app.routes().map((r) => r.path)).toEqual(["/"]);
    expect(app.commands().map((c) => c.name)).toEqual(["db"]);
    expect(events).toEqual(["route /"]);
    await app.close();
    expect(events).toEqual(["route /", "cache closed"]);
  });

  it("ready() after build() runs just the onReady hooks, and close() then closes everything", async () => {
    const events: string[] = [];
    const app = databaseApp(events);
    await app.build();
    await app.ready();
    await app.ready();
    expect(events).toEqual(["route /", "pool opened"]);
    await app.close();
    expect(events.slice(2)).toEqual(["cache closed", "pool closed"]);
  });

  it("runs a subcommand with typed option values, after onReady because its group asks", async () => {
    const events: string[] = [];
    const app = databaseApp(events);
    const result = await runCommand(app, [
      "db",
      "migrate",
      "--to",
      "3",
      "--tag",
      "a",
      "-t",
      "5",
      "--tag",
      "b",
    ]);
    expect(result).toEqual({ code: 0, stdout: "migrate to=5 (number) step=all tags=a+b\n", stderr: "" });
    expect(events).toEqual(["route /", "pool opened"]);
    expect((await runCommand(app, ["db", "migrate", "--to", "0", "--step", "one"])).code).toBe(4);
    await app.close();
    expect(events.slice(2)).toEqual(["cache closed", "pool closed"]);
  });

  it("a subcommand may opt out of its group's ready", async () => {
    const events: string[] = [];
    const app = databaseApp(events);
    expect((await runCommand(app, ["db", "lint"])).code).toBe(0);
    expect(events).toEqual(["route /", "lint"]);
    await app.close();
  });

  it("--help of a group and of a subcommand is generated, and runs no onReady", async () => {
    const events: string[] = [];
    const app = databaseApp(events);
    const group = await runCommand(app, ["db", "--help"]);
    expect(group.code).toBe(0);
    expect(group.stdout).toBe(
      [
        "Usage: flagon db <subcommand>",
        "",
        "Database migrations",
        "",
        "Subcommands:",
        "  migrate   Apply the migrations up to a version",
        "  rollback  Undo the last migration",
        "  lint      Check migration files offline",
        "",
        'Run "flagon db <subcommand> --help" for one subcommand\'s options.',
        "",
      ].join("\n"),
    );
    const sub = await runCommand(app, ["db", "migrate", "--to", "x", "--help"]);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toBe(
      [
        "Usage: flagon db migrate [options]",
        "",
        "Apply the migrations up to a version",
        "",
        "Options:",
        "  -t, --to <n>          The target version",
        "      --step <one|all>  (default: all)",
        "      --tag <value>     (repeatable)",
        "  -h, --help            Show this help",
        "",
      ].join("\n"),
    );
    expect(events).not.toContain("pool opened");
    await app.close();
  });

  it("bad usage is exit code 2 naming the problem, before onReady; a thrown error is exit code 1", async () => {
    const events: string[] = [];
    const app = databaseApp(events);
    const unknown = await runCommand(app, ["db", "migrate", "--force"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^flagon: flagon db migrate: Unknown option '--force'/);
    expect(unknown.stderr).toContain('Run "flagon db migrate --help" for usage.');
    const choice = await runCommand(app, ["db", "migrate", "--step", "two"]);
    expect(choice).toMatchObject({ code: 2, stdout: "" });
    expect(choice.stderr).toContain('--step must be one of one, all; got "two"');
    expect((await runCommand(app, ["db"])).code).toBe(2);
    expect(events).not.toContain("pool opened");

    const failed = await runCommand(app, ["db", "rollback"]);
    expect(failed).toEqual({ code: 1, stdout: "", stderr: "flagon: nothing to roll back\n" });
    await app.close();
  });

  it("a plugin registered by another owns its own onReady/onClose pair", async () => {
    const events: string[] = [];
    const inner = definePlugin({
      name: "inner",
      register(app) {
        app.addHook("onReady", () => void events.push("inner ready"));
        app.addHook("onClose", () => void events.push("inner closed"));
      },
    });
    const outer = definePlugin({
      name: "outer",
      register(app) {
        app.register(inner);
        app.addHook("onClose", () => void events.push("outer closed"));
      },
    });
    const app = new Flagon({ logger: false, plugins: [outer] });
    await app.build();
    await app.close();
    expect(events).toEqual(["outer closed"]);
  });
});
