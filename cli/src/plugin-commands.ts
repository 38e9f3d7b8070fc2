// The commands that the app's plugins add (`app.addCommand`): finding the subcommand, parsing
// its options with node:util parseArgs, the generated --help, and running it in command mode.
import { parseArgs, type ParseArgsConfig } from "node:util";
import type { Flagon } from "@flagon/core";
import type { Command, CommandArgument, CommandInput, CommandOption } from "@flagon/core/plugin";
import { CliError, type CliIO, columns, errorMessage, print, UsageError } from "./io.js";

/** What running a command needs of the app: its commands, and `ready()` for those that ask. */
export interface CommandHost {
  commands(): readonly Command[];
  ready(): Promise<void>;
}

type ParseOptions = NonNullable<ParseArgsConfig["options"]>;

const isHelp = (arg: string): boolean => arg === "--help" || arg === "-h";
const line = (path: readonly Command[]): string => `flagon ${path.map((c) => c.name).join(" ")}`;

/**
 * Runs `flagon <argv…>` for a command of an app that is built (`app.build()`): a subcommand's
 * options are parsed before anything runs, `--help` prints the generated help, and `onReady`
 * hooks run only for a command that says `ready: true` (itself or its group). Throws a
 * UsageError for bad usage and rethrows the command's own error; resolves with the exit code.
 */
export async function runPluginCommand(
  app: CommandHost,
  argv: readonly string[],
  io: CliIO,
): Promise<number> {
  const [name = "", ...rest] = argv;
  const commands = app.commands();
  const top = commands.find((c) => c.name === name);
  if (!top) {
    const known =
      commands.length === 0 ? "the app adds none" : `the app has: ${commands.map((c) => c.name).join(", ")}`;
    throw new UsageError(`unknown command "${name}" (not built in, and ${known})`);
  }
  let command: Command = top;
  const path = [command];
  let args = rest;
  while (command.commands) {
    const [next, ...more] = args;
    const subs: readonly Command[] = command.commands;
    const has = `${line(path)} has: ${subs.map((c) => c.name).join(", ")}`;
    if (next === undefined || isHelp(next)) {
      print(next === undefined ? io.stderr : io.stdout, groupHelp(path, subs));
      return next === undefined ? 2 : 0;
    }
    if (next.startsWith("-")) {
      throw new UsageError(
        `${line(path)} needs a subcommand before its options (${has})`,
        `${line(path)} --help`,
      );
    }
    const sub: Command | undefined = subs.find((c) => c.name === next);
    if (!sub) throw new UsageError(`unknown subcommand "${next}" (${has})`, `${line(path)} --help`);
    path.push(sub);
    command = sub;
    args = more;
  }
  const end = args.indexOf("--");
  if ((end === -1 ? args : args.slice(0, end)).some(isHelp)) {
    print(io.stdout, leafHelp(path, command));
    return 0;
  }
  if (typeof command.run !== "function") throw new CliError(`${line(path)} has no run function`);
  const input = parseInput(command, args, line(path), io);
  if (path.reduce<boolean>((ready, c) => c.ready ?? ready, false)) await app.ready();
  const result = await command.run(input, app as unknown as Flagon);
  if (typeof result !== "number") return 0;
  return Number.isInteger(result) && result >= 0 && result <= 255 ? result : 1;
}

/** The rows of `flagon --help` for the app's commands: groups, then each subcommand by its full name. */
export function commandRows(commands: readonly Command[], prefix = ""): Array<readonly [string, string]> {
  return commands.flatMap((c) => [
    [`${prefix}${c.name}`, c.description] as const,
    ...(c.commands ? commandRows(c.commands, `${prefix}${c.name} `) : []),
  ]);
}

function parseInput(command: Command, argv: readonly string[], usage: string, io: CliIO): CommandInput {
  const declared = Object.entries(command.options ?? {});
  const options: ParseOptions = {};
  for (const [name, option] of declared) {
    options[name] = {
      type: option.type === "boolean" ? "boolean" : "string",
      ...(option.short === undefined ? {} : { short: option.short }),
      ...(option.multiple ? { multiple: true } : {}),
    };
  }
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${usage}: ${errorMessage(error)}`, `${usage} --help`);
  }
  const values: Record<string, unknown> = {};
  for (const [name, option] of declared) values[name] = convert(name, option, parsed.values[name], usage);
  checkPositionals(command.arguments ?? [], parsed.positionals, usage);
  return {
    values,
    positionals: parsed.positionals,
    argv,
    stdout: io.stdout,
    stderr: io.stderr,
  } as CommandInput;
}

function convert(name: string, option: CommandOption, raw: unknown, usage: string): unknown {
  const fail = (message: string): never => {
    throw new UsageError(`${usage}: ${message}`, `${usage} --help`);
  };
  if (raw === undefined) {
    if (option.required) fail(`--${name} is required (${optionUsage(name, option).trim()})`);
    if (option.default !== undefined) return option.default;
    return option.type === "boolean" ? false : option.multiple ? [] : undefined;
  }
  if (option.type === "boolean") return raw;
  const one = (text: string): string | number => {
    if (option.type === "number") {
      const value = Number(text);
      if (text.trim() === "" || !Number.isFinite(value)) fail(`--${name} must be a number; got "${text}"`);
      return value;
    }
    if (option.choices && !option.choices.includes(text)) {
      fail(`--${name} must be one of ${option.choices.join(", ")}; got "${text}"`);
    }
    return text;
  };
  return Array.isArray(raw) ? raw.map((v) => one(v as string)) : one(raw as string);
}

function checkPositionals(
  declared: readonly CommandArgument[],
  given: readonly string[],
  usage: string,
): void {
  const min = declared.filter((a) => !a.optional).length;
  const max = declared.some((a) => a.variadic) ? Infinity : declared.length;
  const missing = declared[given.length];
  if (given.length < min && missing) {
    throw new UsageError(`${usage} needs ${argumentUsage(missing)}`, `${usage} --help`);
  }
  if (given.length > max) {
    const message =
      max === 0
        ? `${usage} takes no arguments; got "${given[0]}"`
        : `${usage} takes at most ${max} argument${max === 1 ? "" : "s"}; got ${given.length}`;
    throw new UsageError(message, `${usage} --help`);
  }
}

const argumentUsage = (a: CommandArgument): string =>
  `${a.optional ? "[" : "<"}${a.name}${a.variadic ? "..." : ""}${a.optional ? "]" : ">"}`;

function placeholder(option: CommandOption): string {
  if (option.placeholder !== undefined) return `<${option.placeholder}>`;
  if (option.choices) return `<${option.choices.join("|")}>`;
  return option.type === "number" ? "<n>" : "<value>";
}

function optionUsage(name: string, option: CommandOption): string {
  const value = option.type === "boolean" ? "" : ` ${placeholder(option)}`;
  return `${option.short === undefined ? "    " : `-${option.short}, `}--${name}${value}`;
}

function optionText(option: CommandOption): string {
  const notes: string[] = [];
  if (option.required) notes.push("required");
  if (option.default !== undefined) {
    notes.push(
      `default: ${Array.isArray(option.default) ? option.default.join(", ") : String(option.default)}`,
    );
  }
  if (option.multiple) notes.push("repeatable");
  const text = option.description ?? "";
  return notes.length === 0 ? text : `${text} (${notes.join("; ")})`.trim();
}

function leafHelp(path: readonly Command[], command: Command): string {
  const options = Object.entries(command.options ?? {});
  const args = command.arguments ?? [];
  const usage = [line(path), options.length > 0 ? "[options]" : "", ...args.map(argumentUsage)];
  const sections = [`Usage: ${usage.filter(Boolean).join(" ")}`, command.description];
  if (args.length > 0) {
    sections.push(`Arguments:\n${columns(args.map((a) => [argumentUsage(a), a.description ?? ""]))}`);
  }
  const rows = options.map(([name, option]): readonly [string, string] => [
    optionUsage(name, option),
    optionText(option),
  ]);
  rows.push(["-h, --help", "Show this help"]);
  sections.push(`Options:\n${columns(rows)}`);
  return sections.filter(Boolean).join("\n\n");
}

function groupHelp(path: readonly Command[], subs: readonly Command[]): string {
  const rows = subs.map((c): readonly [string, string] => [
    c.commands ? `${c.name} <subcommand>` : c.name,
    c.description,
  ]);
  return [
    `Usage: ${line(path)} <subcommand>`,
    path[path.length - 1]?.description ?? "",
    `Subcommands:\n${columns(rows)}`,
    `Run "${line(path)} <subcommand> --help" for one subcommand's options.`,
  ]
    .filter(Boolean)
    .join("\n\n");
}
