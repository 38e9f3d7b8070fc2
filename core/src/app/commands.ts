// Commands that plugins add to the `flagon` command line: their declared shape, and the checks
// `app.addCommand` makes so that every command it accepts can be invoked and documented.
import type { Writable } from "node:stream";
import { ErrorCodes, FlagonError } from "../errors/codes.js";
import type { FlagonApp } from "./app-type.js";

/** The commands of the `flagon` command line itself; a plugin command may not take their names. */
export const BUILT_IN_COMMANDS: readonly string[] = ["dev", "start", "routes", "new", "plugin", "help"];

/** A command, subcommand, option or argument name: lower case, digits and "-", from a letter. */
const NAME = /^[a-z][a-z0-9-]*$/;
const NAME_RULE = 'lower case letters, digits and "-", starting with a letter ([a-z][a-z0-9-]*)';

export type CommandOptionType = "string" | "number" | "boolean";

/** An option of a command, parsed with node:util `parseArgs` and converted to its type. */
export interface CommandOption {
  /** `"boolean"` is a flag (false unless given); `"number"` must parse as a finite number. */
  readonly type: CommandOptionType;
  /** One line for the command's `--help`. */
  readonly description?: string;
  /** A one-letter alias: `short: "t"` for `-t 3`. `h` is taken by `--help`. */
  readonly short?: string;
  /** May be given more than once; the value is then an array (empty when not given). */
  readonly multiple?: boolean;
  /** The command does not run without it (exit code 2, naming the option). */
  readonly required?: boolean;
  /** The value when the option is not given (not for booleans). */
  readonly default?: string | number | readonly string[] | readonly number[];
  /** The only values a string option accepts. */
  readonly choices?: readonly string[];
  /** The value's name in the help: `--to <version>` (default `<n>` for numbers, `<value>`). */
  readonly placeholder?: string;
}

export type CommandOptions = Readonly<Record<string, CommandOption>>;

/** A positional argument of a command, for its usage line and the count check. */
export interface CommandArgument {
  readonly name: string;
  readonly description?: string;
  /** May be left out (only after the required ones). */
  readonly optional?: boolean;
  /** Takes the rest of the positionals (only the last argument). */
  readonly variadic?: boolean;
}

type TypeOf<T extends CommandOptionType, Choice> = T extends "number"
  ? number
  : T extends "boolean"
    ? boolean
    : Choice;
type Scalar<O extends CommandOption> = TypeOf<
  O["type"],
  O extends { readonly choices: readonly (infer C extends string)[] } ? C : string
>;
type Value<O extends CommandOption> = O extends { readonly multiple: true } ? Scalar<O>[] : Scalar<O>;
type AlwaysSet<O extends CommandOption> = O extends
  | { readonly type: "boolean" }
  | { readonly multiple: true }
  | { readonly required: true }
  | { readonly default: unknown }
  ? true
  : false;

/** The parsed options of a command, typed from its declaration. */
export type CommandValues<O extends CommandOptions> = {
  readonly [K in keyof O]: AlwaysSet<O[K]> extends true ? Value<O[K]> : Value<O[K]> | undefined;
};

/** What a command's `run` gets: its parsed options and positionals, and where to write. */
export interface CommandInput<O extends CommandOptions = CommandOptions> {
  readonly values: CommandValues<O>;
  readonly positionals: readonly string[];
  /** The arguments after the command's name, as typed. */
  readonly argv: readonly string[];
  /** Where the command prints (the process's streams; buffers under `runCommand` in tests). */
  readonly stdout: Writable;
  readonly stderr: Writable;
}

/**
 * A command a plugin adds to the `flagon` command line: a leaf with `run`, or a group with
 * `commands` (its subcommands, `flagon db migrate`). Commands run in command mode: the app is
 * built (plugins registered, routes compiled) but its `onReady` hooks run only when the command
 * (or its group) says `ready: true`.
 */
export interface Command<O extends CommandOptions = CommandOptions> {
  /** `[a-z][a-z0-9-]*`; not the name of a built-in command (dev, start, routes, new, plugin, help). */
  readonly name: string;
  /** One line, shown by `flagon --help` and the command's own `--help`. */
  readonly description: string;
  /** Options by name (`"dry-run"` for `--dry-run`). `--help`/`-h` are always there. */
  readonly options?: O;
  /** Positional arguments; without them the command takes none. */
  readonly arguments?: readonly CommandArgument[];
  /** Subcommands: the command is then a group, with no `run`, options or arguments. */
  readonly commands?: readonly Command[];
  /** Run the app's `onReady` hooks (open pools…) before `run`; a group's value is its subcommands' default. */
  readonly ready?: boolean;
  /** The work; a number returned is the exit code, a throw prints its message and exits 1. */
  run?(input: CommandInput<O>, app: FlagonApp): unknown;
}

/**
 * Declares a command with its options typed in `run`, for a subcommand or a command kept in a
 * file of its own (`app.addCommand` types a command given inline just as well).
 *
 * @example
 * const migrate = defineCommand({
 *   name: "migrate",
 *   description: "Apply the migrations up to a version",
 *   options: { to: { type: "number", description: "The target version" } },
 *   ready: true,
 *   async run({ values }, app) { await app.container.resolve(Migrator).migrate(values.to); },
 * });
 * app.addCommand({ name: "db", description: "Database migrations", commands: [migrate] });
 */
export function defineCommand<const O extends CommandOptions = Record<never, never>>(
  command: Command<O>,
): Command<O> {
  return command;
}

const bad = (message: string): FlagonError => new FlagonError(ErrorCodes.BAD_COMMAND, message);
const describe = (value: unknown): string => (typeof value === "string" ? `"${value}"` : String(value));

/** Refuses a command that could never be invoked, documented or parsed; see `Command`. */
export function checkCommand(
  command: Command,
  parents: readonly string[],
  siblings: readonly Command[],
): void {
  const name: unknown = (command as Partial<Command> | null)?.name;
  const where = [...parents, typeof name === "string" ? name : "?"].join(" ");
  if (typeof name !== "string" || !NAME.test(name)) {
    const hint =
      typeof name === "string" && /\s/.test(name.trim()) ? "; for a subcommand use `commands`" : "";
    throw bad(`command name ${describe(name)} is invalid: a command name is ${NAME_RULE}${hint}`);
  }
  if (parents.length === 0 && BUILT_IN_COMMANDS.includes(name)) {
    throw bad(`command "${name}" clashes with the built-in "flagon ${name}"; choose another name`);
  }
  if (siblings.some((c) => c.name === name)) throw bad(`command "flagon ${where}" is added twice`);
  if (typeof command.description !== "string") {
    throw bad(`command "flagon ${where}" needs a description (one line for --help)`);
  }
  if (command.ready !== undefined && typeof command.ready !== "boolean") {
    throw bad(`command "flagon ${where}": ready must be true or false`);
  }
  if (command.commands !== undefined) {
    const list: unknown = command.commands;
    if (!Array.isArray(list) || list.length === 0) {
      throw bad(`command "flagon ${where}": commands must be a non-empty list of subcommands`);
    }
    if (command.run !== undefined || command.options !== undefined || command.arguments !== undefined) {
      throw bad(
        `command "flagon ${where}" has subcommands, so it takes no run, options or arguments (give them to its subcommands)`,
      );
    }
    const seen: Command[] = [];
    for (const sub of command.commands) {
      checkCommand(sub, [...parents, name], seen);
      seen.push(sub);
    }
    return;
  }
  if (typeof command.run !== "function") {
    throw bad(`command "flagon ${where}" needs a run function (or subcommands in commands)`);
  }
  checkOptions(command.options ?? {}, where);
  checkArguments(command.arguments ?? [], where);
}

function checkOptions(options: CommandOptions, where: string): void {
  const shorts = new Set<string>(["h"]);
  for (const [key, option] of Object.entries(options)) {
    const at = `option --${key} of "flagon ${where}"`;
    if (!NAME.test(key)) throw bad(`${at}: an option name is ${NAME_RULE}`);
    if (key === "help") throw bad(`${at}: --help is every command's own`);
    const type: unknown = option.type;
    if (type !== "string" && type !== "number" && type !== "boolean") {
      throw bad(`${at}: type must be "string", "number" or "boolean"; got ${describe(type)}`);
    }
    if (option.short !== undefined) {
      if (typeof option.short !== "string" || !/^[A-Za-z]$/.test(option.short)) {
        throw bad(`${at}: short must be one letter; got ${describe(option.short)}`);
      }
      if (shorts.has(option.short)) throw bad(`${at}: -${option.short} is already taken`);
      shorts.add(option.short);
    }
    if (option.choices !== undefined) {
      const ok = Array.isArray(option.choices) && option.choices.every((c) => typeof c === "string");
      if (type !== "string" || !ok || option.choices.length === 0) {
        throw bad(`${at}: choices must be a non-empty list of strings, on a string option`);
      }
    }
    if (option.default !== undefined) checkDefault(option, at);
  }
}

function checkDefault(option: CommandOption, at: string): void {
  if (option.type === "boolean")
    throw bad(`${at}: a boolean option is false unless given; it takes no default`);
  const values: unknown[] = Array.isArray(option.default) ? option.default : [option.default];
  if (Array.isArray(option.default) !== (option.multiple === true)) {
    throw bad(
      `${at}: the default must be ${option.multiple ? "a list (the option is multiple)" : "one value"}`,
    );
  }
  for (const value of values) {
    const fits =
      option.type === "number"
        ? typeof value === "number" && Number.isFinite(value)
        : typeof value === "string";
    if (!fits || (option.choices && !option.choices.includes(value as string))) {
      throw bad(`${at}: the default ${describe(value)} is not a valid value of the option`);
    }
  }
}

function checkArguments(args: readonly CommandArgument[], where: string): void {
  const list: unknown = args;
  if (!Array.isArray(list)) throw bad(`command "flagon ${where}": arguments must be a list`);
  args.forEach((arg, i) => {
    const name: unknown = (arg as Partial<CommandArgument> | null)?.name;
    const at = `argument ${describe(name)} of "flagon ${where}"`;
    if (typeof name !== "string" || !NAME.test(name)) throw bad(`${at}: an argument name is ${NAME_RULE}`);
    if (arg.variadic && i !== args.length - 1) throw bad(`${at}: only the last argument may be variadic`);
    if (!arg.optional && args.slice(0, i).some((a) => a.optional)) {
      throw bad(`${at}: a required argument cannot follow an optional one`);
    }
  });
}
