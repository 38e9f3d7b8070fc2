import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { StandardSchemaV1 } from "@standard-schema/spec";
import { lazyRequire } from "../util/lazy.js";
import { ErrorCodes, FlagonError } from "../errors/codes.js";
import type { FlagonApp } from "./app-type.js";

const semver = lazyRequire<typeof import("semver")>("semver");

/** A brand shared by every copy of @flagon/core, so a plugin built against another copy still counts. */
const PLUGIN = Symbol.for("flagon.plugin");

export interface PluginDefinition<Options, App = FlagonApp> {
  /** The npm package name; unique within an app. */
  name: string;
  /** The plugin's version, checked against other plugins' dependency ranges. */
  version?: string;
  /** The semver range of @flagon/core the plugin supports. */
  core?: string;
  /**
   * Plugins that must be registered before this one, with semver ranges:
   * `{ "@flagon/database": "^1.0.0" }`, or a list of `"name"` / `"name@range"`.
   */
  dependencies?: Readonly<Record<string, string>> | readonly string[];
  /**
   * Plugins (by name) this one is registered before, so each of its hooks comes first among
   * hooks of the same name; names not installed are ignored. See "Order between plugins".
   */
  before?: readonly string[];
  /** Plugins (by name) this one is registered after; names not installed are ignored. */
  after?: readonly string[];
  /**
   * Core features the plugin needs, checked at start-up: `"sessions"` (the secret key is then
   * required as when the app's own config has a `session` section), `"templates"` (the app's
   * template folder must exist). An unknown name stops start-up, naming the plugin.
   */
  requires?: readonly CoreFeature[];
  /** The plugin's section of the app config; merged under the options given to `register`. */
  configKey?: string;
  /** Validates (and may default) the merged options; its output is what `register` gets. */
  configSchema?: StandardSchemaV1<unknown, Options>;
  register(app: App, options: Options): void | Promise<void>;
}

/** The core features a plugin may list in `requires`. */
export const CORE_FEATURES = ["sessions", "templates"] as const;
export type CoreFeature = (typeof CORE_FEATURES)[number];

export interface FlagonPlugin<Options = unknown, App = FlagonApp> extends PluginDefinition<Options, App> {
  readonly [PLUGIN]: true;
}

/**
 * Declares a plugin. The same API serves official and community plugins.
 *
 * @example
 * export default definePlugin<{ origins: string[] }>({
 *   name: "flagon-plugin-cors",
 *   configKey: "cors",
 *   register(app, options) { app.addHook("onSend", addHeaders(options)); },
 * });
 */
export function definePlugin<Options = undefined, App = FlagonApp>(
  definition: PluginDefinition<Options, App>,
  // NoInfer: inside `plugins: [...]` the expected type would otherwise infer App as never.
): FlagonPlugin<NoInfer<Options>, NoInfer<App>> {
  if (typeof definition.name !== "string" || definition.name === "") {
    throw new TypeError("definePlugin needs a name (the plugin's npm package name)");
  }
  if (typeof definition.register !== "function") {
    throw new TypeError(`plugin ${definition.name} needs a register function`);
  }
  for (const key of ["before", "after"] as const) {
    const names = definition[key];
    if (names !== undefined && (!Array.isArray(names) || names.some((n) => typeof n !== "string"))) {
      throw new TypeError(`plugin ${definition.name}: ${key} must be a list of plugin names`);
    }
  }
  return Object.freeze({ ...definition, [PLUGIN]: true as const });
}

export function isPlugin(value: unknown): value is FlagonPlugin<unknown, never> {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[PLUGIN] === true;
}

/** The version of this @flagon/core (same relative path from src/ and dist/). */
export const CORE_VERSION = (createRequire(import.meta.url)("../../package.json") as { version: string })
  .version;

/** `["a", "@s/b@^2"]` or `{ a: "*", "@s/b": "^2" }` → name/range pairs. */
export function dependencyRanges(
  dependencies: PluginDefinition<unknown>["dependencies"],
): Array<[string, string]> {
  if (dependencies === undefined) return [];
  if (!Array.isArray(dependencies)) return Object.entries(dependencies as Record<string, string>);
  return (dependencies as readonly string[]).map((spec) => {
    const at = spec.indexOf("@", 1);
    return at === -1 ? [spec, "*"] : [spec.slice(0, at), spec.slice(at + 1)];
  });
}

/** Checks a plugin's core range and dependencies against what is registered so far. */
export function checkPluginCompatibility(
  plugin: FlagonPlugin<unknown, never>,
  registered: ReadonlyMap<string, string | undefined>,
): void {
  if (registered.has(plugin.name)) {
    throw new FlagonError(ErrorCodes.PLUGIN_DUPLICATE, `plugin ${plugin.name} is registered twice`);
  }
  if (
    plugin.core !== undefined &&
    !semver().satisfies(CORE_VERSION, plugin.core, { includePrerelease: true })
  ) {
    throw new FlagonError(
      ErrorCodes.PLUGIN_VERSION,
      `plugin ${plugin.name} supports @flagon/core ${plugin.core}, but this is ${CORE_VERSION}`,
    );
  }
  for (const feature of plugin.requires ?? []) {
    if (!(CORE_FEATURES as readonly string[]).includes(feature)) {
      throw new FlagonError(
        ErrorCodes.PLUGIN_REQUIRES,
        `plugin ${plugin.name} requires unknown core feature "${String(feature)}"; known features are ${CORE_FEATURES.join(", ")}`,
      );
    }
  }
  for (const [name, range] of dependencyRanges(plugin.dependencies)) {
    if (!registered.has(name)) {
      throw new FlagonError(
        ErrorCodes.PLUGIN_DEPENDENCY,
        `plugin ${plugin.name} needs plugin ${name} (${range}), which is not registered`,
      );
    }
    const version = registered.get(name);
    if (
      range !== "*" &&
      (version === undefined || !semver().satisfies(version, range, { includePrerelease: true }))
    ) {
      throw new FlagonError(
        ErrorCodes.PLUGIN_VERSION,
        `plugin ${plugin.name} needs ${name} ${range}, but ${version === undefined ? "it declares no version" : `${version} is registered`}`,
      );
    }
  }
}

/** Runs one plugin's register with a deadline; any failure names the plugin. */
export async function runRegister(
  run: () => void | Promise<void>,
  name: string,
  timeout: number,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        new FlagonError(
          ErrorCodes.PLUGIN_TIMEOUT,
          `plugin ${name} did not finish registering within ${timeout} ms`,
        ),
      );
    }, timeout);
  });
  try {
    await Promise.race([Promise.resolve().then(run), deadline]);
  } catch (error) {
    // Errors about plugins (a nested plugin's checks, the timeout) and config errors already
    // name their subject; anything else is this plugin's register failing.
    if (
      error instanceof FlagonError &&
      (error.code.startsWith("FLAGON_ERR_PLUGIN_") || error.code === ErrorCodes.INVALID_CONFIG)
    ) {
      throw error;
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw new FlagonError(ErrorCodes.PLUGIN_REGISTER, `plugin ${name} failed to register: ${reason}`, {
      cause: error,
    });
  } finally {
    clearTimeout(timer);
  }
}

/** Imports a plugin package by name, resolved from the app's root (as the app itself would). */
export async function importPlugin(name: string, root: string): Promise<FlagonPlugin<unknown, never>> {
  const require = createRequire(path.join(root, "package.json"));
  let resolved: string;
  try {
    resolved = require.resolve(name);
  } catch (error) {
    throw new FlagonError(
      ErrorCodes.PLUGIN_IMPORT,
      `cannot find plugin package "${name}" from ${root}; is it installed?`,
      {
        cause: error,
      },
    );
  }
  const module = (await import(pathToFileURL(resolved).href)) as { default?: unknown; plugin?: unknown };
  const plugin = module.default ?? module.plugin;
  if (!isPlugin(plugin)) {
    throw new FlagonError(
      ErrorCodes.PLUGIN_IMPORT,
      `package "${name}" does not export a plugin (its default export must come from definePlugin)`,
    );
  }
  return plugin;
}
