// What the TypeScript loader does to a file, kept free of node:module so it can be unit-tested:
// the compiler options (the app's tsconfig, with decorator metadata forced on) and the transpile.
// The `typescript` package is passed in: it is an optional peer of @flagon/cli, loaded lazily.
import path from "node:path";
import type TS from "typescript";

type TypeScript = typeof TS;

/** Files the loader transpiles: `.ts` and `.mts` (never `.d.ts`). */
export function isTypeScriptFile(file: string): boolean {
  return /\.m?ts$/.test(file) && !/\.d\.m?ts$/.test(file);
}

/**
 * The app's compiler options (`<root>/tsconfig.json`, following `extends`; for a solution file
 * with `files: []` and `references`, the referenced project that holds the app file), with the
 * options the loader needs forced: legacy decorators with metadata, ES modules, inline source maps.
 */
export function loaderCompilerOptions(ts: TypeScript, root: string, appFile?: string): TS.CompilerOptions {
  const own = readTsconfig(ts, path.join(root, "tsconfig.json"), appFile);
  const options: TS.CompilerOptions = { ...own };
  // Options that only matter to a full build, or that clash with a one-file ESM transpile.
  for (const key of [
    "moduleResolution",
    "outDir",
    "outFile",
    "rootDir",
    "declarationDir",
    "tsBuildInfoFile",
    "paths",
    "baseUrl",
    "sourceRoot",
    "mapRoot",
  ]) {
    delete options[key];
  }
  const target = own.target ?? ts.ScriptTarget.ES2022;
  return {
    ...options,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    module: ts.ModuleKind.ESNext,
    target: target < ts.ScriptTarget.ES2017 ? ts.ScriptTarget.ES2022 : target,
    sourceMap: false,
    inlineSourceMap: true,
    inlineSources: true,
    declaration: false,
    declarationMap: false,
    emitDeclarationOnly: false,
    composite: false,
    incremental: false,
    noEmit: false,
    isolatedModules: true,
  };
}

function readTsconfig(ts: TypeScript, file: string, appFile: string | undefined): TS.CompilerOptions {
  const parsed = parseConfig(ts, file);
  if (!parsed) return {};
  const references = parsed.projectReferences ?? [];
  if (parsed.fileNames.length > 0 || references.length === 0) return parsed.options;
  // A solution file: its own options are usually empty; use a referenced project's.
  const projects = references
    .map((reference) => parseConfig(ts, ts.resolveProjectReferencePath(reference)))
    .filter((project): project is TS.ParsedCommandLine => project !== undefined);
  const normalized = appFile === undefined ? undefined : path.resolve(appFile);
  const holder = projects.find((project) =>
    project.fileNames.some((name) => path.resolve(name) === normalized),
  );
  return (holder ?? projects[0] ?? parsed).options;
}

function parseConfig(ts: TypeScript, file: string): TS.ParsedCommandLine | undefined {
  if (!ts.sys.fileExists(file)) return undefined;
  // A broken tsconfig is the build's problem to report; the loader falls back to defaults.
  const host: TS.ParseConfigFileHost = { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined };
  return ts.getParsedCommandLineOfConfigFile(file, {}, host);
}

/** A syntax error in a TypeScript file, with its position (transpileModule would emit it anyway). */
export class TypeScriptSyntaxError extends SyntaxError {
  override name = "SyntaxError";
}

/** Transpiles one file to an ES module with decorator metadata and an inline source map. */
export function transpile(ts: TypeScript, source: string, file: string, options: TS.CompilerOptions): string {
  const output = ts.transpileModule(source, {
    fileName: file,
    compilerOptions: options,
    reportDiagnostics: true,
  });
  const errors = (output.diagnostics ?? []).filter(
    (d) => d.category === ts.DiagnosticCategory.Error && d.file !== undefined,
  );
  const first = errors[0];
  if (first?.file !== undefined && first.start !== undefined) {
    const { line, character } = first.file.getLineAndCharacterOfPosition(first.start);
    const message = ts.flattenDiagnosticMessageText(first.messageText, "\n");
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : "";
    throw new TypeScriptSyntaxError(`${file}:${line + 1}:${character + 1}: ${message}${more}`);
  }
  return output.outputText;
}

/**
 * Other specifiers to try when a relative import is not found: NodeNext-style `./x.js` written
 * in TypeScript means `./x.ts` (`.mjs` → `.mts`), and an extensionless `./x` may be `./x.ts` or
 * `./x/index.ts`. Bare package names are never rewritten.
 */
export function typeScriptCandidates(specifier: string): string[] {
  const relative =
    specifier.startsWith("./") ||
    specifier.startsWith("../") ||
    specifier.startsWith("/") ||
    specifier.startsWith("file:");
  if (!relative) return [];
  const queryAt = specifier.search(/[?#]/);
  const base = queryAt === -1 ? specifier : specifier.slice(0, queryAt);
  const suffix = queryAt === -1 ? "" : specifier.slice(queryAt);
  if (base.endsWith(".js")) return [`${base.slice(0, -3)}.ts${suffix}`];
  if (base.endsWith(".mjs")) return [`${base.slice(0, -4)}.mts${suffix}`];
  // Names that already carry a module extension are left alone (./data.json, ./x.cjs, ./x.ts).
  if (/\.(?:[cm]?[jt]sx?|json|node|wasm)$/.test(base)) return [];
  const trimmed = base.endsWith("/") ? base.slice(0, -1) : base;
  return [`${trimmed}.ts${suffix}`, `${trimmed}/index.ts${suffix}`];
}
