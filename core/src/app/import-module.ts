// Importing a module of the user's project at run time, TypeScript included: what a plugin
// needs for files it finds itself (migrations, seeds, fixtures), compiled as the CLI compiles
// the app. The compiling is @flagon/cli's TypeScript loader (an optional peer of core, like the
// typescript package it drives), found where the project installs it.
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

// This file is itself TypeScript when core runs from its sources (the repository's vitest
// aliases @flagon/core to core/src): whatever runs it compiles TypeScript already, and its
// import() goes through that.
const RUNS_FROM_SOURCE = import.meta.url.endsWith(".ts");

/** `.ts` and `.mts`, not declaration files: what the loader compiles. */
const isTypeScriptFile = (file: string): boolean => /\.m?ts$/.test(file) && !/\.d\.m?ts$/.test(file);

/** What core uses of `@flagon/cli/loader`. */
interface TypeScriptLoader {
  registerTypeScriptLoader(root: string, options: { shown?: string }): void;
}

export interface ImportModuleOptions {
  /** The project's root: relative files start there, and its tsconfig.json compiles `.ts` files (default: the working directory). */
  readonly root?: string;
}

/**
 * Imports a module of the project by path. A `.ts` / `.mts` file is compiled by the project's
 * `typescript` with its tsconfig.json, decorator metadata kept (the loader of @flagon/cli that
 * `flagon dev` and `flagon start` use, registered in this process on first need); it fails with
 * a message naming the fix when @flagon/cli or typescript is not installed.
 */
export async function importModule(file: string, options: ImportModuleOptions = {}): Promise<unknown> {
  const root = path.resolve(options.root ?? process.cwd());
  const absolute = path.resolve(root, file);
  if (isTypeScriptFile(absolute) && !RUNS_FROM_SOURCE) {
    const loader = (await import(resolveLoader(root, path.relative(root, absolute)))) as TypeScriptLoader;
    loader.registerTypeScriptLoader(root, { shown: path.relative(root, absolute) });
  }
  return import(pathToFileURL(absolute).href);
}

/** The URL of `@flagon/cli/loader`: the project's copy first, then the one beside this core. */
function resolveLoader(root: string, shown: string): string {
  for (const base of [path.join(root, "package.json"), import.meta.url]) {
    try {
      return pathToFileURL(createRequire(base).resolve("@flagon/cli/loader")).href;
    } catch {
      // not installed there
    }
  }
  throw new Error(
    `${shown} is TypeScript, and importing it needs the TypeScript loader of @flagon/cli (an ` +
      `optional peer of @flagon/core) and the typescript package: install both (npm install ` +
      `@flagon/cli typescript), or compile the file and import the built one`,
  );
}
