// Registers the TypeScript loader (hooks.ts) in this process, once.
import { createRequire, register } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { CliError } from "../io.js";
import type { LoaderData } from "./hooks.js";
import { isTypeScriptFile } from "./transpile.js";
import { assertSupportedTypeScript } from "./version.js";

/** Whether a module needs the TypeScript loader (`.ts`, `.mts`). */
export function needsTypeScript(file: string): boolean {
  return isTypeScriptFile(file);
}

/**
 * The typescript package's main file, looked up from the app's root first (the version the app
 * builds with), then from @flagon/cli's own location; undefined when neither has it.
 */
export function resolveTypeScript(
  root: string,
  from: readonly string[] = [import.meta.url],
): string | undefined {
  for (const base of [path.join(root, "package.json"), ...from]) {
    try {
      return createRequire(base).resolve("typescript");
    } catch {
      // not installed there
    }
  }
  return undefined;
}

/**
 * The typescript the app will run with: its main file. Throws a CliError when it is missing
 * (typeScriptMissing) or a version the loader cannot drive (such as 7.x, see version.ts).
 */
export function requireTypeScript(root: string, shown: string): string {
  const main = resolveTypeScript(root);
  if (main === undefined) throw typeScriptMissing(shown);
  assertSupportedTypeScript(main);
  return main;
}

/** The error for a TypeScript app in a project without the typescript package. */
export function typeScriptMissing(shown: string): CliError {
  return new CliError(
    `${shown} is TypeScript, and running it needs the typescript package (an optional peer of ` +
      `@flagon/cli): install typescript (npm install --save-dev typescript), or build the app ` +
      `and set "app" in the config to the built file (such as "dist/app.js")`,
  );
}

// The hooks run on Node's loader thread, which needs a JavaScript file of their own: the built
// hooks.js of this package, found from the package's root, so that it is the same file whether
// this module runs from its TypeScript source (the repository's own tests) or from dist/.
const HOOKS = new URL(
  "dist/loader/hooks.js",
  pathToFileURL(createRequire(import.meta.url).resolve("@flagon/cli/package.json")),
);

// Loader registration is per process by nature (node:module keeps the hooks for the process).
let registeredFor: string | undefined;

export interface RegisterOptions {
  /** The app module, to pick the right project of a solution-style tsconfig. */
  readonly appFile?: string;
  /** How errors name the app (default: appFile, else root). */
  readonly shown?: string;
  /** Load typescript at once instead of at the first .ts file. */
  readonly preload?: boolean;
}

/**
 * Makes `import()` of `.ts` files work in this process, with decorator metadata: transpiled by
 * the typescript package with the compiler options of `<root>/tsconfig.json` (see transpile.ts).
 * A second call is a no-op. Throws a CliError when typescript is not installed.
 */
export function registerTypeScriptLoader(root: string, options: RegisterOptions = {}): void {
  if (registeredFor !== undefined) return;
  const typescript = requireTypeScript(root, options.shown ?? options.appFile ?? root);
  const data: LoaderData = {
    root,
    typescript,
    ...(options.appFile === undefined ? {} : { appFile: options.appFile }),
    ...(options.preload ? { preload: true } : {}),
  };
  register(HOOKS, { data });
  // Stack traces point into the .ts files (the transpiled code carries inline source maps).
  process.setSourceMapsEnabled(true);
  registeredFor = root;
}
