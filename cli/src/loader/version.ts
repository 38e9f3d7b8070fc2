// Which typescript the loader can drive: 5.x and 6.x, whose JavaScript API (transpileModule,
// sys, getParsedCommandLineOfConfigFile) the loader uses. TypeScript 7 is the native compiler,
// whose npm package has no such API, so it is refused with the installed version and the fix.
import { readFileSync } from "node:fs";
import path from "node:path";
import { CliError } from "../io.js";

/** The range of typescript the CLI runs apps with (also cli/package.json's peer range). */
export const SUPPORTED_TYPESCRIPT = ">=5.0 <7";

/** The version in the package.json of the typescript package whose main file is `main`. */
export function typeScriptVersion(main: string): string | undefined {
  let dir = path.dirname(main);
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as {
        name?: unknown;
        version?: unknown;
      };
      if (pkg.name === "typescript") return typeof pkg.version === "string" ? pkg.version : undefined;
    } catch {
      // no package.json here
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Whether a typescript version is one the loader supports (5.x or 6.x). */
export function isSupportedTypeScript(version: string): boolean {
  const major = Number(/^(\d+)\./.exec(version)?.[1]);
  return major >= 5 && major < 7;
}

/** The error for a typescript the loader cannot use: names the version and the fix. */
export function typeScriptUnsupported(version: string | undefined, main: string, reason?: string): CliError {
  const what = version === undefined ? `the typescript package at ${main}` : `typescript ${version}`;
  const why = reason ?? `flagon start and flagon dev need typescript ${SUPPORTED_TYPESCRIPT}`;
  return new CliError(
    `${what} is installed, but ${why} (TypeScript 7 has no JavaScript API for the loader to ` +
      `transpile with): install a supported version (npm install --save-dev typescript@~5.9), ` +
      `or build the app with your own compiler and set "app" in the config to the built file ` +
      `(such as "dist/app.js")`,
  );
}

/** Throws typeScriptUnsupported unless the typescript at `main` is a supported version. */
export function assertSupportedTypeScript(main: string): void {
  const version = typeScriptVersion(main);
  if (version === undefined || !isSupportedTypeScript(version)) throw typeScriptUnsupported(version, main);
}

/** Throws typeScriptUnsupported when a loaded typescript module lacks the API the loader uses. */
export function assertTypeScriptApi(ts: unknown, main: string): void {
  const api = ts as { transpileModule?: unknown; sys?: { fileExists?: unknown } } | null;
  if (typeof api?.transpileModule === "function" && typeof api.sys?.fileExists === "function") return;
  throw typeScriptUnsupported(
    typeScriptVersion(main),
    main,
    "its module has no transpileModule/sys JavaScript API, which flagon start and flagon dev use",
  );
}
