// Module customization hooks (registered with node:module's `register` by register.ts) that
// run a TypeScript app with its decorator metadata intact. esbuild and tsx drop
// emitDecoratorMetadata, and constructor injection by type depends on it, so `load` transpiles
// with the typescript package itself; `resolve` maps NodeNext-style `./x.js` imports to `./x.ts`.
// These run on Node's loader thread: the state below belongs to that thread.
import { readFile } from "node:fs/promises";
import { createRequire, type InitializeHook, type LoadHook, type ResolveHook } from "node:module";
import { fileURLToPath } from "node:url";
import type TS from "typescript";
import { isTypeScriptFile, loaderCompilerOptions, transpile, typeScriptCandidates } from "./transpile.js";
import { assertTypeScriptApi } from "./version.js";

/** What register.ts sends to `initialize`. */
export interface LoaderData {
  /** The app's root: its tsconfig.json is read from here. */
  readonly root: string;
  /** The app module, to pick the right project of a solution-style tsconfig. */
  readonly appFile?: string;
  /** Absolute path of the typescript package's main file, resolved by the main thread. */
  readonly typescript: string;
  /** Load typescript now rather than at the first .ts file (a standby process of `flagon dev`). */
  readonly preload?: boolean;
}

let data: LoaderData | undefined;
let typescript: typeof TS | undefined;
let options: TS.CompilerOptions | undefined;

export const initialize: InitializeHook<LoaderData> = (input) => {
  data = input;
  if (input.preload) loadTypeScript();
};

function loadTypeScript(): typeof TS {
  if (!data) throw new Error("the Flagon TypeScript loader was not initialized");
  // require, not import(): an ESM import of this 9 MB CommonJS file would first scan it for
  // named exports (cjs-module-lexer), which costs more than a fifth of a second.
  if (typescript) return typescript;
  const loaded: unknown = createRequire(import.meta.url)(data.typescript);
  assertTypeScriptApi(loaded, data.typescript);
  typescript = loaded as typeof TS;
  return typescript;
}

/** typescript and the compiler options (read from tsconfig.json at the first .ts file). */
function loadCompiler(): { ts: typeof TS; options: TS.CompilerOptions } {
  const ts = loadTypeScript();
  options ??= loaderCompilerOptions(ts, data?.root ?? process.cwd(), data?.appFile);
  return { ts, options };
}

export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    const candidates = context.parentURL?.startsWith("file:") ? typeScriptCandidates(specifier) : [];
    if (candidates.length === 0 || !isNotFound(error)) throw error;
    for (const candidate of candidates) {
      try {
        return await nextResolve(candidate, context);
      } catch (other) {
        if (!isNotFound(other)) throw other;
      }
    }
    throw error;
  }
};

export const load: LoadHook = async (url, context, nextLoad) => {
  if (!url.startsWith("file:")) return nextLoad(url, context);
  const cut = url.search(/[?#]/); // not /[?#].*$/, which is quadratic on a run of "#"
  const file = fileURLToPath(cut === -1 ? url : url.slice(0, cut));
  if (!isTypeScriptFile(file)) return nextLoad(url, context);
  const source = await readFile(file, "utf8");
  const { ts, options } = loadCompiler();
  return { format: "module", source: transpile(ts, source, file, options), shortCircuit: true };
};

function isNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "ERR_MODULE_NOT_FOUND" || code === "ERR_UNSUPPORTED_DIR_IMPORT";
}
