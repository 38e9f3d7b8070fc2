// Finding and loading the user's app: the `flagon` commands that serve, list or extend it.
import { access } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { type Command, loadConfig } from "@flagon/core/plugin";
import { CliError, errorMessage } from "./io.js";
import { needsTypeScript, registerTypeScriptLoader } from "./loader/register.js";

/** Where the app module is looked for, in order, when the config has no `app` key. */
export const DEFAULT_APPS: readonly string[] = ["src/app.ts", "dist/app.js"];

/** What the CLI needs of the object `createApp()` returns: a Flagon app, checked by shape. */
export interface LoadedApp {
  ready(): Promise<void>;
  /** Everything but the onReady hooks (command mode); an app without it is made ready instead. */
  build?(): Promise<void>;
  close(): Promise<void>;
  commands(): readonly Command[];
  listen(options: { port?: number; host?: string }): Promise<{ url: string; port: number }>;
  routes(): ReadonlyArray<{
    methods: readonly string[];
    path: string;
    endpoint: string;
    decorators?: readonly string[];
  }>;
  readonly config: { readonly server?: { readonly closeTimeout?: number } };
}

export interface AppLocation {
  /** The app's root (the working directory of the command). */
  readonly root: string;
  /** Absolute path of the app module. */
  readonly file: string;
  /** As written in the config, or the default. */
  readonly shown: string;
  /** Whether the config named it (then a missing file is an error, not just "no app here"). */
  readonly configured: boolean;
  readonly exists: boolean;
}

const exists = (file: string): Promise<boolean> =>
  access(file).then(
    () => true,
    () => false,
  );

/**
 * Finds the app module: the config key `app` (config file, package.json#flagon, FLAGON_APP),
 * else the first of src/app.ts and dist/app.js that exists.
 */
export async function locateApp(cwd: string): Promise<AppLocation> {
  const root = path.resolve(cwd);
  // A copy of the environment takes in .env: the app loads it itself, and a supervisor that
  // kept it would hand stale values to every app process it starts after .env changes.
  const { config } = await loadConfig({ root, env: { ...process.env } });
  const configured = config["app"];
  if (configured !== undefined && (typeof configured !== "string" || configured === "")) {
    throw new CliError(`config.app must be the path of the app module (such as "src/app.ts")`);
  }
  if (configured !== undefined) {
    const file = path.resolve(root, configured);
    return { root, file, shown: configured, configured: true, exists: await exists(file) };
  }
  for (const shown of DEFAULT_APPS) {
    const file = path.resolve(root, shown);
    if (await exists(file)) return { root, file, shown, configured: false, exists: true };
  }
  const shown = DEFAULT_APPS.join(" or ");
  return { root, file: path.resolve(root, DEFAULT_APPS[0] ?? ""), shown, configured: false, exists: false };
}

/** Throws the CliError for an app module that does not exist. */
export function assertAppExists(location: AppLocation): void {
  if (location.exists) return;
  throw new CliError(
    location.configured
      ? `${location.shown} (config.app) does not exist (build the app first?)`
      : `no app here: ${location.shown} does not exist (or set "app" in the config)`,
  );
}

/** Imports the app module (through the TypeScript loader for `.ts`) and calls its `createApp()`. */
export async function createAppFrom(location: AppLocation): Promise<LoadedApp> {
  assertAppExists(location);
  if (needsTypeScript(location.file)) {
    registerTypeScriptLoader(location.root, { appFile: location.file, shown: location.shown });
  }
  const serversBefore = listeningServers();
  const module = (await import(pathToFileURL(location.file).href)) as { createApp?: unknown };
  if (typeof module.createApp !== "function") {
    throw new CliError(noCreateApp(location, listeningServers() > serversBefore));
  }
  const app = (await (module.createApp as () => unknown)()) as Partial<LoadedApp> | null;
  if (
    typeof app?.ready !== "function" ||
    typeof app.close !== "function" ||
    typeof app.commands !== "function"
  ) {
    throw new CliError(`createApp() in ${location.shown} did not return a Flagon app`);
  }
  return app as LoadedApp;
}

/**
 * Imports the app module, calls its `createApp()` and waits for `ready()` — or, with
 * `ready: false` (command mode), for `build()`: no onReady hooks, so no pools are opened.
 */
export async function loadApp(location: AppLocation, { ready = true } = {}): Promise<LoadedApp> {
  const loaded = await createAppFrom(location);
  try {
    await (ready || typeof loaded.build !== "function" ? loaded.ready() : loaded.build());
  } catch (error) {
    await loaded.close().catch(() => undefined);
    throw error;
  }
  return loaded;
}

/** Loads the app in command mode, lists its commands, and closes it. */
export async function listAppCommands(location: AppLocation): Promise<readonly Command[]> {
  const app = await loadApp(location, { ready: false });
  try {
    return [...app.commands()];
  } finally {
    await app.close();
  }
}

/** Servers open in this process (a module that calls listen() at top level adds one). */
function listeningServers(): number {
  return process.getActiveResourcesInfo().filter((name) => /^(TCPServerWrap|PipeServerWrap)$/.test(name))
    .length;
}

/** Why an app module without createApp() cannot be run, and the two ways to run it. */
export function noCreateApp(location: AppLocation, startedServer: boolean): string {
  const contract =
    `the flagon CLI expects the module to export createApp(), which returns the app without ` +
    `listening (export function createApp() { const app = new Flagon(); …; return app; }); the CLI ` +
    `listens, and drains the app on SIGTERM`;
  const alternative =
    `or run the file yourself with node after compiling it with tsc (experimentalDecorators and ` +
    `emitDecoratorMetadata on), e.g. npx tsc && node dist/app.js`;
  return startedServer
    ? `${location.shown} started a server while it was imported (it calls listen() at top level) ` +
        `and exports no createApp() function: ${contract}; ${alternative}`
    : `${location.shown} does not export a createApp() function: ${contract}; ${alternative}`;
}

export function describeLoadError(location: AppLocation, error: unknown): string {
  return `cannot load the app from ${location.shown}: ${errorMessage(error)}`;
}
