// Importing a module of the user's project at run time, TypeScript included: what a plugin
// needs for files it finds itself (migrations, seeds, fixtures), compiled as the CLI compiles
// the app.
import path from "node:path";
import { pathToFileURL } from "node:url";
import { needsTypeScript, registerTypeScriptLoader } from "../cli/loader/register.js";

// This file is itself TypeScript when core runs from its sources (the repository's vitest
// aliases @flagon/core to core/src): whatever runs it compiles TypeScript already, and its
// import() goes through that, while the loader's hooks exist only in the build (dist/).
const RUNS_FROM_SOURCE = import.meta.url.endsWith(".ts");

export interface ImportModuleOptions {
  /** The project's root: relative files start there, and its tsconfig.json compiles `.ts` files (default: the working directory). */
  readonly root?: string;
}

/**
 * Imports a module of the project by path. A `.ts` / `.mts` file is compiled by the project's
 * `typescript` with its tsconfig.json, decorator metadata kept (the loader `flagon dev` and
 * `flagon start` use, registered in this process on first need); it fails with a message
 * naming the fix when typescript is not installed.
 */
export async function importModule(file: string, options: ImportModuleOptions = {}): Promise<unknown> {
  const root = path.resolve(options.root ?? process.cwd());
  const absolute = path.resolve(root, file);
  if (needsTypeScript(absolute) && !RUNS_FROM_SOURCE) {
    registerTypeScriptLoader(root, { shown: path.relative(root, absolute) });
  }
  return import(pathToFileURL(absolute).href);
}
