import type { FlagonConfig } from "./schema.js";

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
