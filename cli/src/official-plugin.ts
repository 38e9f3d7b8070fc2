// `flagon plugin new <name> --official`: an official plugin, @flagon/<name>, in the Flagon
// repository's plugins/ folder, referenced from the root tsconfig.json so `tsc -b` builds it.
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { CliError, type CliIO, print, UsageError } from "./io.js";
import { checkTarget, displayPath, writeScaffold } from "./scaffold.js";
import { coreRangeFor } from "./templates/plugin.js";
import { officialPluginFiles } from "./templates/official-plugin.js";

const NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

interface RootPackage {
  workspaces?: unknown;
  devDependencies?: Record<string, string>;
  dependencies?: Record<string, string>;
}

/** The repository root: the nearest folder up from `cwd` whose package.json has `plugins/*` as a workspace. */
async function findRepositoryRoot(cwd: string): Promise<{ root: string; pkg: RootPackage } | undefined> {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    const pkg = await readJson<RootPackage>(path.join(dir, "package.json"));
    if (Array.isArray(pkg?.workspaces) && pkg.workspaces.includes("plugins/*")) return { root: dir, pkg };
    if (path.dirname(dir) === dir) return undefined;
  }
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

/** Adds `./plugins/<name>` to the root tsconfig's references; false when it was there already. */
async function addReference(root: string, name: string): Promise<boolean> {
  const file = path.join(root, "tsconfig.json");
  const config = await readJson<{ references?: { path: string }[] }>(file);
  if (config === undefined) throw new CliError(`${file} not found: the repository root has no tsconfig.json`);
  const references = (config.references ??= []);
  const reference = `./plugins/${name}`;
  if (references.some((r) => path.posix.normalize(r.path) === path.posix.normalize(reference))) return false;
  references.push({ path: reference });
  await writeFile(file, `${JSON.stringify(config, null, 2)}\n`);
  return true;
}

export async function newOfficialPlugin(
  given: string,
  io: CliIO,
  coreVersion: string,
  force: boolean,
): Promise<number> {
  const name = given.startsWith("@flagon/") ? given.slice("@flagon/".length) : given;
  if (!NAME.test(name)) {
    throw new UsageError(
      `invalid official plugin name "${given}": lowercase letters, digits and single hyphens, starting with a letter (e.g. database, rate-limit)`,
    );
  }
  const found = await findRepositoryRoot(io.cwd);
  if (found === undefined) {
    throw new CliError(
      "--official works inside the Flagon repository: no package.json with the plugins/* workspace was found from here up",
    );
  }
  const dir = path.join(found.root, "plugins", name);
  const shown = displayPath(io.cwd, dir);
  await checkTarget(dir, shown, force);

  const zodRange = found.pkg.devDependencies?.["zod"] ?? found.pkg.dependencies?.["zod"] ?? "^4";
  print(io.stdout, `creating @flagon/${name} in ${shown}`);
  const files = officialPluginFiles({ name, coreVersion, coreRange: coreRangeFor(coreVersion), zodRange });
  await writeScaffold(dir, files, io);
  if (await addReference(found.root, name)) print(io.stdout, `  tsconfig.json: references ./plugins/${name}`);
  print(io.stdout, "done — next, at the repository root: npm install && npm run build && npm test");
  print(io.stdout, "(commit package-lock.json with the new workspace: npm ci refuses a lockfile without it)");
  return 0;
}
