// The `flagon` command line: built-in commands, then the commands that the app's plugins add.
import { createRequire } from "node:module";
import { parseArgs } from "node:util";
import { type AppLocation, describeLoadError, listAppCommands, loadApp, locateApp } from "./app-commands.js";
import { dev } from "./dev.js";
import { CliError, type CliIO, columns, errorMessage, print, reportError, UsageError } from "./io.js";
import { newApp } from "./new-app.js";
import { commandRows, runPluginCommand } from "./plugin-commands.js";
import { pluginNew } from "./plugin-new.js";
import { routes } from "./routes.js";
import { start } from "./start.js";

export type { CliIO } from "./io.js";

// The same relative path from src/ and dist/. Core, the CLI and the official plugins are released
// together, under one version: scaffolds depend on all of them with the range of this one.
const { version } = createRequire(import.meta.url)("../package.json") as { version: string };

const BUILT_IN: ReadonlyArray<readonly [string, string]> = [
  ["dev", "Run the app for development, restarting it when a file changes"],
  ["start", "Run the app in production (--workers N: a cluster of N processes)"],
  ["routes", "List the app's routes: methods, path, endpoint, decorators"],
  ["new <dir>", "Scaffold an app (--template api|web)"],
  ["plugin new <name>", "Scaffold a community plugin package (flagon-plugin-<name>)"],
  ["help [command]", "Show help for flagon or for one command"],
];

const pluginHelp = `Usage: flagon plugin <subcommand>

Subcommands:
${columns([["new <name>", "Scaffold a community plugin package; see flagon plugin new --help"]])}`;

function mainHelp(appSection: string): string {
  return `Usage: flagon <command> [options]

Commands:
${columns(BUILT_IN)}
${appSection}
Options:
${columns([
  ["-h, --help", "Show help (flagon <command> --help for one command)"],
  ["-v, --version", "Print the version of @flagon/cli"],
])}`;
}

/**
 * Runs the `flagon` command line and resolves with its exit code: 0 done, 1 failed, 2 wrong
 * usage (unknown command or option, bad argument).
 *
 * @example
 * process.exitCode = await run(process.argv.slice(2), { cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr });
 */
export async function run(argv: readonly string[], io: CliIO): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (error) {
    return reportError(error, io.stderr);
  }
}

async function dispatch(argv: readonly string[], io: CliIO): Promise<number> {
  // Options before the command are flagon's own; everything after belongs to the command.
  const at = argv.findIndex((arg) => !arg.startsWith("-"));
  const { values } = parseArgs({
    args: at === -1 ? [...argv] : argv.slice(0, at),
    options: { help: { type: "boolean", short: "h" }, version: { type: "boolean", short: "v" } },
  });
  if (values.version) {
    print(io.stdout, version);
    return 0;
  }
  const command = at === -1 ? undefined : argv[at];
  const rest = argv.slice(at + 1);
  if (values.help || command === undefined) {
    print(values.help ? io.stdout : io.stderr, await helpWithAppCommands(io));
    return values.help ? 0 : 2;
  }
  switch (command) {
    case "help":
      return rest.length === 0 ? dispatch(["--help"], io) : dispatch([...rest, "--help"], io);
    case "dev":
      return dev(rest, io);
    case "start":
      return start(rest, io);
    case "routes":
      return routes(rest, io);
    case "new":
      return newApp(rest, io, version);
    case "plugin":
      return pluginCommand(rest, io);
    default:
      return appCommand(command, rest, io);
  }
}

async function pluginCommand(args: readonly string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "new") return pluginNew(rest, io, version);
  if (sub === undefined || sub === "--help" || sub === "-h") {
    print(sub === undefined ? io.stderr : io.stdout, pluginHelp);
    return sub === undefined ? 2 : 0;
  }
  throw new UsageError(`unknown subcommand "plugin ${sub}"; flagon plugin has: new`);
}

/** The main help, with the app's plugin commands when an app can be loaded here. */
async function helpWithAppCommands(io: CliIO): Promise<string> {
  let location: AppLocation | undefined;
  try {
    location = await locateApp(io.cwd);
    if (!location.exists && !location.configured) return mainHelp("");
    const commands = await listAppCommands(location);
    if (commands.length === 0) return mainHelp("");
    return mainHelp(`\nCommands of the app (${location.shown}):\n${columns(commandRows(commands))}\n`);
  } catch (error) {
    const line = location ? describeLoadError(location, error) : errorMessage(error);
    return mainHelp(`\n(app commands not listed: ${line})\n`);
  }
}

/**
 * A command that is not built in: one of the app's, run in command mode. The app is built
 * (plugins registered, no onReady hooks) so that its commands are known; the command's options
 * are checked, and `ready()` runs only for a command that asks; the app is closed after.
 */
async function appCommand(name: string, args: readonly string[], io: CliIO): Promise<number> {
  const location = await locateApp(io.cwd);
  if (!location.exists && !location.configured) {
    throw new UsageError(`unknown command "${name}" (and no app at ${location.shown} to add commands)`);
  }
  let app;
  try {
    app = await loadApp(location, { ready: false });
  } catch (error) {
    throw new CliError(`${describeLoadError(location, error)} (needed to run "${name}")`, { cause: error });
  }
  try {
    return await runPluginCommand(app, [name, ...args], io);
  } finally {
    await app.close();
  }
}
