// Commands that plugins add with `app.addCommand`: the CLI loads the user's app to find them.
import { access } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { loadConfig } from "../config/index.js";
import { CliError, errorMessage } from "./io.js";

/** Where the app module is looked for when the config has no `app` key. */
export const DEFAULT_APP = "dist/app.js";

/** A command as the app lists it (`app.commands()`). */
export interface AppCommand {
  readonly name: string;
  readonly description: string;
  run(args: readonly string[], app: never): unknown;
}

/** What the CLI needs of the object `createApp()` returns: a Flagon app, checked by shape. */
export interface LoadedApp {
  ready(): Promise<void>;
  close(): Promise<void>;
  commands(): readonly AppCommand[];
}

export interface AppLocation {
  /** Absolute path of the app module. */
  readonly file: string;
  /** As written in the config, or the default. */
  readonly shown: string;
  /** Whether the config named it (then a missing file is an error, not just "no app here"). */
  readonly configured: boolean;
  readonly exists: boolean;
}

/** Finds the app module: config key `app` (config file, package.json#flagon, FLAGON_APP), else dist/app.js. */
export async function locateApp(cwd: string): Promise<AppLocation> {
  const { config } = await loadConfig({ root: cwd });
  const configured = config["app"];
  if (configured !== undefined && (typeof configured !== "string" || configured === "")) {
    throw new CliError(`config.app must be the path of the app module (such as "${DEFAULT_APP}")`);
  }
  const shown = configured ?? DEFAULT_APP;
  const file = path.resolve(cwd, shown);
  const exists = await access(file).then(
    () => true,
    () => false,
  );
  return { file, shown, configured: configured !== undefined, exists };
}

/** Imports the app module, calls its `createApp()` and waits for `ready()`. */
export async function loadApp(location: AppLocation): Promise<LoadedApp> {
  if (!location.exists) throw new CliError(`${location.shown} does not exist (build the app first?)`);
  const module = (await import(pathToFileURL(location.file).href)) as { createApp?: unknown };
  if (typeof module.createApp !== "function") {
    throw new CliError(`${location.shown} does not export a createApp() function`);
  }
  const app = (await (module.createApp as () => unknown)()) as Partial<LoadedApp> | null;
  if (
    typeof app?.ready !== "function" ||
    typeof app.close !== "function" ||
    typeof app.commands !== "function"
  ) {
    throw new CliError(`createApp() in ${location.shown} did not return a Flagon app`);
  }
  const loaded = app as LoadedApp;
  try {
    await loaded.ready();
  } catch (error) {
    await loaded.close().catch(() => undefined);
    throw error;
  }
  return loaded;
}

/** Loads the app, lists its commands, and closes it. */
export async function listAppCommands(location: AppLocation): Promise<readonly AppCommand[]> {
  const app = await loadApp(location);
  try {
    return [...app.commands()];
  } finally {
    await app.close();
  }
}

export function describeLoadError(location: AppLocation, error: unknown): string {
  return `cannot load the app from ${location.shown}: ${errorMessage(error)}`;
}
