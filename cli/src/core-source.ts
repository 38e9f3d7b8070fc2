// Where a scaffold (`flagon new`, `flagon plugin new`) gets @flagon/core from. Until the
// packages are published, `npm install` of a registry range 404s; a CLI that runs from a
// checkout of the Flagon repository (its package folder is `cli/`, beside `core/` and a
// package.json named flagon-monorepo) points the dependency at the checkout's `core/` with
// `file:` instead. Decided from the
// file system only: no network call, so offline it cannot hang. --from-registry and
// --from-checkout force either way.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { UsageError } from "./io.js";
import type { TemplateFile } from "./templates/common.js";

/** The folder of this @flagon/cli package (dist/ is one level down). */
const CLI_DIR = fileURLToPath(new URL("../", import.meta.url));

export const coreSourceOptions = {
  "from-registry": { type: "boolean" },
  "from-checkout": { type: "boolean" },
} as const;

export const coreSourceHelp: ReadonlyArray<readonly [string, string]> = [
  ["--from-checkout", "Depend on this checkout's core/ with file: (the default when run from one)"],
  ["--from-registry", "Depend on @flagon/core from the npm registry (a version range)"],
];

/** The checkout's core folder when this CLI runs from a clone of the repository, else undefined. */
export function checkoutCore(cliDir: string = CLI_DIR): string | undefined {
  const root = path.dirname(path.resolve(cliDir));
  if (path.basename(path.resolve(cliDir)) !== "cli" || !existsSync(path.join(root, ".git"))) return undefined;
  try {
    const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { name?: unknown };
    return pkg.name === "flagon-monorepo" ? path.join(root, "core") : undefined;
  } catch {
    return undefined;
  }
}

/** The `file:` folder to depend on, or undefined for the registry range. */
export function coreCheckout(flags: {
  "from-registry"?: boolean;
  "from-checkout"?: boolean;
}): string | undefined {
  if (flags["from-registry"] && flags["from-checkout"]) {
    throw new UsageError("--from-registry and --from-checkout exclude each other");
  }
  if (flags["from-registry"]) return undefined;
  const found = checkoutCore();
  if (flags["from-checkout"] && found === undefined) {
    throw new UsageError(
      `--from-checkout: this flagon (${CLI_DIR}) does not run from a clone of the Flagon repository`,
    );
  }
  return found;
}

/**
 * The checkout's folder of an official package: `core/` for @flagon/core, `cli/` for
 * @flagon/cli, `plugins/<name>/` for @flagon/<name> when that folder holds a package of that
 * name; else undefined.
 */
export function checkoutPackage(core: string, name: string): string | undefined {
  if (name === "@flagon/core") return core;
  if (!name.startsWith("@flagon/")) return undefined;
  const short = name.slice("@flagon/".length);
  const dir =
    short === "cli" ? path.join(path.dirname(core), "cli") : path.join(path.dirname(core), "plugins", short);
  try {
    const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as { name?: unknown };
    return pkg.name === name ? dir : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Rewrites the @flagon/core entries of package.json's `sections` to `file:<core>`, and those of
 * the other official packages the checkout holds (@flagon/cli, @flagon/database…) to their
 * folders.
 */
export function pointAtCheckout(
  files: readonly TemplateFile[],
  core: string,
  sections: readonly string[],
): TemplateFile[] {
  return files.map((file) => {
    if (file.path !== "package.json") return file;
    const pkg = JSON.parse(file.contents) as Record<string, Record<string, string> | undefined>;
    for (const section of sections) {
      const deps = pkg[section];
      for (const name of Object.keys(deps ?? {})) {
        const dir = checkoutPackage(core, name);
        if (dir !== undefined) deps![name] = `file:${dir}`;
      }
    }
    return { path: file.path, contents: `${JSON.stringify(pkg, null, 2)}\n` };
  });
}

/** The line that says where @flagon/core comes from. */
export function coreSourceNote(core: string | undefined): string {
  return core === undefined
    ? "@flagon/core comes from the npm registry (--from-registry)"
    : `@flagon/core is not installed from the registry: it points at this checkout (file:${core}); ` +
        `see docs/install.md`;
}
