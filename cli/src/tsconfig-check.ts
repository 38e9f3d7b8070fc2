// `flagon start`/`dev` transpile with decorator metadata forced on, so an app whose tsconfig
// lacks the decorator flags runs under the CLI and then fails under the user's own `tsc` or
// vitest. This reads the tsconfig (JSON with comments, following relative and package `extends`,
// and for a solution file its references) without loading typescript, and names what is missing.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const FLAGS = ["experimentalDecorators", "emitDecoratorMetadata"] as const;

interface RawConfig {
  extends?: unknown;
  compilerOptions?: Record<string, unknown>;
  references?: Array<{ path?: unknown }>;
  files?: unknown;
}

/** JSON with comments and trailing commas, as tsconfig files are written. */
export function parseJsonc(text: string): unknown {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const start = i;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === "\\") i++;
      out += text.slice(start, i + 1);
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
      out += "\n";
    } else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      i = end === -1 ? text.length : end + 1;
    } else out += c;
  }
  return JSON.parse(out.replace(/,(\s*[}\]])/g, "$1"));
}

function readConfig(file: string): RawConfig | undefined {
  try {
    return parseJsonc(readFileSync(file, "utf8")) as RawConfig;
  } catch {
    return undefined;
  }
}

function resolveExtends(from: string, spec: string): string | undefined {
  if (spec.startsWith(".") || path.isAbsolute(spec)) {
    const file = path.resolve(path.dirname(from), spec);
    return file.endsWith(".json") ? file : `${file}.json`;
  }
  const require = createRequire(from);
  for (const candidate of [spec, `${spec}.json`, `${spec}/tsconfig.json`]) {
    try {
      return require.resolve(candidate);
    } catch {
      // try the next form
    }
  }
  return undefined;
}

/** The decorator flags set (true/false) by a tsconfig and what it extends; undefined when unset. */
function decoratorFlags(file: string, seen = new Set<string>()): Record<string, unknown> {
  if (seen.has(file)) return {};
  seen.add(file);
  const config = readConfig(file);
  if (!config) return {};
  const bases = typeof config.extends === "string" ? [config.extends] : config.extends;
  const flags: Record<string, unknown> = {};
  for (const base of Array.isArray(bases) ? bases : []) {
    const resolved = typeof base === "string" ? resolveExtends(file, base) : undefined;
    if (resolved) Object.assign(flags, decoratorFlags(resolved, seen));
  }
  for (const flag of FLAGS) {
    if (config.compilerOptions?.[flag] !== undefined) flags[flag] = config.compilerOptions[flag];
  }
  return flags;
}

const missingIn = (flags: Record<string, unknown>): string[] => FLAGS.filter((flag) => flags[flag] !== true);

/**
 * The decorator flags `<root>/tsconfig.json` does not turn on (for a solution file, those that
 * none of its referenced projects turns on); [] when all are on or there is no tsconfig.json.
 */
export function missingDecoratorFlags(root: string): string[] {
  const file = path.join(root, "tsconfig.json");
  const config = readConfig(file);
  if (!config) return [];
  const own = missingIn(decoratorFlags(file));
  if (own.length === 0 || !Array.isArray(config.references) || config.references.length === 0) return own;
  const projects = config.references
    .map((ref) => (typeof ref.path === "string" ? path.resolve(root, ref.path) : undefined))
    .filter((p): p is string => p !== undefined)
    .map((p) => (p.endsWith(".json") ? p : path.join(p, "tsconfig.json")));
  const missing = projects.map((project) => missingIn(decoratorFlags(project)));
  return missing.find((m) => m.length === 0) ?? missing[0] ?? own;
}

/** The one warning line for missing decorator flags, or undefined when nothing is missing. */
export function decoratorFlagsWarning(root: string): string | undefined {
  const missing = missingDecoratorFlags(root);
  if (missing.length === 0) return undefined;
  const list = missing.map((flag) => `"${flag}": true`).join(", ");
  return (
    `[flagon] warning: ${path.join(root, "tsconfig.json")} does not set ${list} in compilerOptions: ` +
    `flagon start/dev turn them on, but tsc and vitest will not, and dependency injection then ` +
    `fails there (FLAGON_ERR_DI_UNRESOLVED); add them`
  );
}
