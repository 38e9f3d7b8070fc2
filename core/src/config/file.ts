import path from "node:path";
import type { CosmiconfigResult, Loader } from "cosmiconfig";
import { lazyRequire } from "../util/lazy.js";
import { ErrorCodes, FlagonError } from "../errors/codes.js";
import { isPlainObject, UNSAFE_KEYS } from "./merge.js";

/** cosmiconfig, loaded when an app looks for a config file (never with `configFile: false`). */
const cosmiconfigModule = lazyRequire<typeof import("cosmiconfig")>("cosmiconfig");

/**
 * The config files looked for in the app's root, in order: the first one that exists wins (a
 * `package.json` without a `flagon` key does not count). Only the root is searched, never its
 * parents.
 */
export const CONFIG_SEARCH_PLACES: readonly string[] = Object.freeze([
  "package.json",
  ".flagonrc",
  ".flagonrc.json",
  ".flagonrc.yaml",
  ".flagonrc.yml",
  ".flagonrc.js",
  ".flagonrc.mjs",
  ".flagonrc.ts",
  "flagon.config.ts",
  "flagon.config.mjs",
  "flagon.config.js",
  "flagon.config.json",
  "flagon.config.yaml",
  "flagon.config.yml",
]);

/**
 * What the JSON loader returns for a file that holds `null`: cosmiconfig takes a loader's null
 * to mean "no config here, look further", but a JSON config that says null is a mistake.
 */
const NULL_CONTENT: object = Object.freeze({});

/** Config files that are modules: their default export is the config, or a function making it. */
const MODULE_EXTENSIONS: ReadonlySet<string> = new Set([".js", ".mjs", ".cjs", ".ts"]);

export interface ConfigFile {
  /** Absolute path. */
  readonly filepath: string;
  readonly config: Record<string, unknown>;
}

/**
 * Finds and loads the config file: `configFile` false skips it, a string names a file (relative
 * to root) that must exist, undefined searches CONFIG_SEARCH_PLACES in root.
 */
export async function readConfigFile(
  root: string,
  configFile: string | false | undefined,
): Promise<ConfigFile | undefined> {
  if (configFile === false) return undefined;
  const explorer = cosmiconfigModule().cosmiconfig("flagon", {
    searchPlaces: [...CONFIG_SEARCH_PLACES],
    // "none": look in searchFrom only. (A stopDir would switch to the "global" strategy, which
    // also reads ~/.config/flagon.)
    searchStrategy: "none",
    // An empty file that exists is the config file (an empty config), not a reason to go on
    // looking further down the list.
    ignoreEmptySearchPlaces: false,
    cache: false,
    // cosmiconfig's JSON and YAML loaders quote the file around a syntax error: ours do not,
    // because that text may hold a secret.
    loaders: { ".json": loadJson, ".yaml": loadYaml, ".yml": loadYaml, noExt: loadYaml },
  });
  const target = configFile === undefined ? undefined : path.resolve(root, configFile);
  let result: CosmiconfigResult;
  try {
    result = target === undefined ? await explorer.search(root) : await explorer.load(target);
  } catch (error) {
    throw fileError(failedFile(error) ?? target ?? root, error, target !== undefined);
  }
  if (result === null) {
    // Only a package.json without a `flagon` key gets here: found, but no config in it.
    return target === undefined ? undefined : { filepath: target, config: {} };
  }
  const filepath = result.filepath;
  const raw: unknown = result.config;
  return { filepath, config: await toConfig(filepath, raw) };
}

async function toConfig(filepath: string, raw: unknown): Promise<Record<string, unknown>> {
  if (raw === NULL_CONTENT) {
    throw invalid(`config file ${filepath} must hold a plain object of settings, not null`);
  }
  let value = raw;
  if (MODULE_EXTENSIONS.has(path.extname(filepath))) {
    if (value === undefined) {
      throw invalid(
        `config file ${filepath} has no default export: export default an object, or a function returning one`,
      );
    }
    try {
      value = await Promise.resolve(value); // a default export may be a promise
      if (typeof value === "function") value = await (value as () => unknown)();
    } catch (error) {
      throw invalid(`config file ${filepath}: its config function failed: ${messageOf(error)}`, error);
    }
  } else if (value === undefined) {
    value = {}; // an empty JSON/YAML file
  }
  if (!isPlainObject(value)) {
    throw invalid(`config file ${filepath} must hold a plain object of settings, not ${kindOf(value)}`);
  }
  return value;
}

/** Turns whatever cosmiconfig or a loader threw into a FlagonError naming the file. */
export function fileError(filepath: string, error: unknown, named: boolean): FlagonError {
  const code = codeOf(error);
  if (named && code === "ENOENT") {
    return invalid(`config file ${filepath} (the configFile option) does not exist`);
  }
  if (
    path.extname(filepath) === ".ts" &&
    code === "ERR_MODULE_NOT_FOUND" &&
    /['"]typescript['"]/.test(messageOf(error))
  ) {
    return invalid(
      `config file ${filepath} is TypeScript, and loading it needs the typescript package: ` +
        `run "npm install --save-dev typescript", or write the config as flagon.config.mjs`,
      error,
    );
  }
  if (error instanceof ConfigSyntaxError) {
    // No cause: the parser's own error quotes the file.
    return invalid(`config file ${filepath} does not parse: ${error.message}`);
  }
  return invalid(`cannot load config file ${filepath}: ${messageOf(error)}`, error);
}

/** A syntax error in a JSON or YAML config file, worded without quoting the file. */
class ConfigSyntaxError extends Error {
  override name = "ConfigSyntaxError";
}

const loadJson: Loader = (_filepath, content) => {
  try {
    const parsed: unknown = JSON.parse(content, (key, value: unknown) =>
      UNSAFE_KEYS.has(key) ? undefined : value,
    );
    return parsed ?? NULL_CONTENT;
  } catch (error) {
    throw new ConfigSyntaxError(`invalid JSON: ${jsonReason(messageOf(error), content)}`);
  }
};

const loadYaml: Loader = (filepath, content) => {
  try {
    // js-yaml gives null for a file of comments only: that is an empty config, like an empty file.
    const loaded: unknown = cosmiconfigModule().defaultLoaders[".yaml"](filepath, content);
    return loaded ?? undefined;
  } catch (error) {
    throw new ConfigSyntaxError(`invalid YAML: ${yamlReason(error)}`);
  }
};

/**
 * V8's JSON.parse message minus the text it quotes: `Unexpected token 'h', "…hunter2}" is not
 * valid JSON` → `Unexpected token`; `Expected ',' or '}' … in JSON at position 20` → the
 * reason, then the line and column.
 */
export function jsonReason(message: string, content: string): string {
  const position = /at position (\d+)/.exec(message)?.[1];
  let reason = message.startsWith("Unexpected token") ? "Unexpected token" : withoutQuote(message);
  if (reason === "" || reason.includes('"')) reason = "not valid JSON";
  return position === undefined ? reason : `${reason} at ${lineAndColumn(content, Number(position))}`;
}

const NOT_JSON = '" is not valid JSON';

/**
 * The message without its position and without the text it quotes (cut by index: the regexes
 * /\s*(in JSON )?at position \d+.*$/s and /,?\s*".*" is not valid JSON$/s are quadratic).
 */
function withoutQuote(message: string): string {
  let reason = message;
  const at = reason.search(/(?:in JSON )?at position \d/);
  if (at !== -1) reason = reason.slice(0, at);
  if (reason.endsWith(NOT_JSON)) {
    const quote = reason.indexOf('"');
    if (quote < reason.length - NOT_JSON.length) {
      let cut = quote;
      while (cut > 0 && /\s/.test(reason.charAt(cut - 1))) cut -= 1;
      if (reason.charAt(cut - 1) === ",") cut -= 1;
      reason = reason.slice(0, cut);
    }
  }
  return reason.trim();
}

function lineAndColumn(content: string, index: number): string {
  const before = content.slice(0, index);
  const line = before.split("\n").length;
  const column = index - before.lastIndexOf("\n");
  return `line ${line}, column ${column}`;
}

/** js-yaml's reason and position, without the snippet of the file its message carries. */
function yamlReason(error: unknown): string {
  if (typeof error !== "object" || error === null) return "does not parse";
  const { reason, mark } = error as { reason?: unknown; mark?: { line?: unknown; column?: unknown } };
  const text = typeof reason === "string" && reason !== "" ? reason : "does not parse";
  if (typeof mark?.line !== "number" || typeof mark.column !== "number") return text;
  return `${text} at line ${mark.line + 1}, column ${mark.column + 1}`;
}

function failedFile(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { filepath, path: file } = error as { filepath?: unknown; path?: unknown };
  if (typeof filepath === "string") return filepath;
  return typeof file === "string" ? file : undefined;
}

function codeOf(error: unknown): unknown {
  return typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an instance of a class";
  return typeof value === "undefined" ? "undefined" : `a ${typeof value}`;
}

function invalid(message: string, cause?: unknown): FlagonError {
  return new FlagonError(ErrorCodes.INVALID_CONFIG, message, cause === undefined ? undefined : { cause });
}
