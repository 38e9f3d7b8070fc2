// Writing a scaffold (`flagon new`, `flagon plugin new`): checking the target folder, writing
// the files with a progress line each, and showing paths the way the user typed them.
import { mkdir, readdir, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { CliError, type CliIO, print } from "./io.js";
import type { TemplateFile } from "./templates/common.js";

/** Refuses a file in the way, and a folder that is not empty unless `force`. */
export async function checkTarget(dir: string, shown: string, force: boolean): Promise<void> {
  const found = await stat(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  if (!found) return;
  if (!found.isDirectory()) throw new CliError(`${shown} exists and is not a folder`);
  if (!force && (await readdir(dir)).length > 0) {
    throw new CliError(`${shown} is not empty; choose another folder, or add --force to write into it`);
  }
}

/** Writes the files under `dir`, printing each one's path. */
export async function writeScaffold(dir: string, files: readonly TemplateFile[], io: CliIO): Promise<void> {
  for (const file of files) {
    const target = path.join(dir, ...file.path.split("/"));
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, file.contents);
    print(io.stdout, `  ${file.path}`);
  }
}

/** `./relative` when inside the working directory, absolute otherwise. */
export function displayPath(cwd: string, dir: string): string {
  const relative = path.relative(cwd, dir);
  if (relative === "") return ".";
  const outside = relative === ".." || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative);
  return outside ? dir : `.${path.sep}${relative}`;
}

export function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}
