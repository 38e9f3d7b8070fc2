// Importing a module of the user's project at run time, TypeScript included: what a plugin
// needs for files it finds itself (migrations, seeds, fixtures), compiled as the CLI compiles
// the app.
import path from "node:path";
import { pathToFileURL } from "node:url";
import { needsTypeScript, registerTypeScriptLoader } from "../cli/loader/register.js";

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
  if (needsTypeScript(absolute)) registerTypeScriptLoader(root, { shown: path.relative(root, absolute) });
  return import(pathToFileURL(absolute).href);
}
