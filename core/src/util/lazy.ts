import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/**
 * A CommonJS dependency loaded the first time it is used, so that start-up pays only for what
 * the app uses (a JSON API never loads the template engine, a production app never loads the
 * pretty printer). Returns a getter for the module.
 *
 * @example
 * const semver = lazyRequire<typeof import("semver")>("semver");
 * semver().satisfies("1.2.3", "^1");
 */
export function lazyRequire<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(name) as T);
}
