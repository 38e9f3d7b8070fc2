// issue 10, bug 7: addCommand accepted names (and options) that `flagon` could never invoke.
import { describe, expect, it } from "vitest";
import { ErrorCodes, Flagon } from "../index.js";
import { BUILT_IN_COMMANDS, type Command } from "./commands.js";

const run = (): void => undefined;
const leaf = (name: string, extra: Partial<Command> = {}): Command => ({
  name,
  description: "d",
  run,
  ...extra,
});

function refusal(command: Command, app = new Flagon({ logger: false })): string {
  try {
    app.addCommand(command);
  } catch (error) {
    expect(error).toMatchObject({ name: "FlagonError", code: ErrorCodes.BAD_COMMAND });
    return (error as Error).message;
  }
  throw new Error(`addCommand accepted ${JSON.stringify(command)}`);
}

describe("issue 10: addCommand refuses commands that cannot be invoked", () => {
  it.each(["db migrate", "Seed", "9lives", "-x", "", "db_migrate", "sé", " db"])(
    "refuses the name %j, naming the rule",
    (name) => {
      expect(refusal(leaf(name))).toContain("[a-z][a-z0-9-]*");
    },
  );

  it("points a name with a space at subcommands", () => {
    expect(refusal(leaf("db migrate"))).toContain("for a subcommand use `commands`");
  });

  it.each(BUILT_IN_COMMANDS)("refuses the built-in name %s", (name) => {
    expect(refusal(leaf(name))).toContain(`clashes with the built-in "flagon ${name}"`);
  });

  it("accepts a built-in's name as a subcommand, and refuses a duplicate at either level", () => {
    const app = new Flagon({ logger: false });
    app.addCommand({ name: "db", description: "d", commands: [leaf("new"), leaf("status")] });
    expect(app.commands().map((c) => c.name)).toEqual(["db"]);
    expect(refusal(leaf("db"), app)).toContain('"flagon db" is added twice');
    expect(refusal({ name: "cache", description: "d", commands: [leaf("clear"), leaf("clear")] })).toContain(
      '"flagon cache clear" is added twice',
    );
  });

  it.each<[string, Command, string]>([
    ["no description", { name: "x", run } as unknown as Command, "needs a description"],
    ["no run", { name: "x", description: "d" }, "needs a run function"],
    ["run and subcommands", { ...leaf("x"), commands: [leaf("y")] }, "takes no run, options or arguments"],
    ["an empty group", { name: "x", description: "d", commands: [] }, "non-empty list of subcommands"],
    [
      "a bad subcommand",
      { name: "x", description: "d", commands: [leaf("Y")] },
      'command name "Y" is invalid',
    ],
    [
      "an option named help",
      leaf("x", { options: { help: { type: "boolean" } } }),
      "--help is every command's own",
    ],
    [
      "an option with a space",
      leaf("x", { options: { "dry run": { type: "boolean" } } }),
      "an option name is",
    ],
    ["an unknown type", leaf("x", { options: { n: { type: "int" as "number" } } }), 'type must be "string"'],
    ["-h taken", leaf("x", { options: { host: { type: "string", short: "h" } } }), "-h is already taken"],
    [
      "a short used twice",
      leaf("x", { options: { a: { type: "string", short: "a" }, b: { type: "string", short: "a" } } }),
      "-a is already taken",
    ],
    [
      "a long short",
      leaf("x", { options: { a: { type: "string", short: "ab" } } }),
      "short must be one letter",
    ],
    [
      "choices on a number",
      leaf("x", { options: { a: { type: "number", choices: ["1"] } } }),
      "choices must be",
    ],
    [
      "a boolean default",
      leaf("x", { options: { a: { type: "boolean", default: "x" } } }),
      "takes no default",
    ],
    [
      "a default of the wrong type",
      leaf("x", { options: { a: { type: "number", default: "3" } } }),
      "default",
    ],
    [
      "a default outside choices",
      leaf("x", { options: { a: { type: "string", choices: ["b"], default: "c" } } }),
      "default",
    ],
    [
      "a variadic argument not last",
      leaf("x", { arguments: [{ name: "a", variadic: true }, { name: "b" }] }),
      "only the last",
    ],
    [
      "required after optional",
      leaf("x", { arguments: [{ name: "a", optional: true }, { name: "b" }] }),
      "cannot follow",
    ],
    ["a bad argument name", leaf("x", { arguments: [{ name: "A B" }] }), "an argument name is"],
    ["ready not a boolean", leaf("x", { ready: "yes" as unknown as boolean }), "ready must be true or false"],
  ])("refuses %s", (_what, command, message) => {
    expect(refusal(command)).toContain(message);
  });

  it("accepts a well-formed command with options, arguments and subcommands", () => {
    const app = new Flagon({ logger: false });
    app.addCommand({
      name: "db",
      description: "Database",
      ready: true,
      commands: [
        {
          name: "migrate",
          description: "Migrate",
          options: {
            to: { type: "number", short: "t", default: 3 },
            "dry-run": { type: "boolean" },
            tag: { type: "string", multiple: true, default: ["a"] },
            env: { type: "string", choices: ["dev", "prod"] },
          },
          arguments: [{ name: "file" }, { name: "more", optional: true, variadic: true }],
          run,
        },
      ],
    });
    expect(app.commands()[0]?.commands?.[0]?.name).toBe("migrate");
  });
});
