import type { CoreConfig } from "../app/config.js";

/** The app config: the core's keys, the keys below, and one section per plugin (`configKey`). */
export interface FlagonConfig extends CoreConfig {
  /** Plugins to import and register at start-up: a package name, or `[name, options]`. */
  plugins?: Array<string | [string, Record<string, unknown>]>;
  /** The module that exports the app, for the `flagon` command. */
  app?: string;
  /** How long each plugin's `register` may take, in ms (default 10 000). */
  pluginTimeout?: number;
}

/**
 * Types a config file's default export; returns its argument unchanged. Also accepts a
 * function (possibly async) that returns the config.
 *
 * @example
 * // flagon.config.ts
 * import { defineConfig } from "@flagon/core";
 * export default defineConfig({
 *   bodyLimit: 2_000_000,
 *   cors: { origins: ["https://a.test"] },
 *   plugins: ["flagon-plugin-x", ["@flagon/cache", { ttl: 60 }]],
 * });
 */
export function defineConfig<T extends FlagonConfig>(config: T): T;
export function defineConfig<T extends FlagonConfig>(config: () => T | Promise<T>): () => T | Promise<T>;
export function defineConfig(config: unknown): unknown {
  return config;
}
