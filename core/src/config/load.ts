import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseEnv } from "node:util";
import { ErrorCodes, FlagonError } from "../errors/codes.js";
import { envOverrides } from "./env.js";
import { readConfigFile } from "./file.js";
import { isPlainObject, mergeConfig } from "./merge.js";
import { type ConfigSource, SourceTree } from "./sources.js";

export interface LoadConfigOptions {
  /** The directory searched for the config file and `.env` (never its parents). */
  root: string;
  /** false: no config file; a path (relative to root): that file, which must exist. Default: search. */
  configFile?: string | false;
  /** The environment to read `FLAGON_…` overrides from and load `.env` into. Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Read `<root>/.env` into `env`, never overriding a variable already set. Default: true. */
  dotenv?: boolean;
  /** The lowest layer. */
  defaults?: Record<string, unknown>;
  /** The highest layer: config given in code. */
  code?: Record<string, unknown>;
}

export interface LoadedConfig {
  /** All layers merged: defaults < file < env < code. */
  readonly config: Record<string, unknown>;
  /** The config file that was loaded, if any (absolute). */
  readonly filepath: string | undefined;
  /**
   * Where the value at a key path came from: the source recorded for the deepest prefix of the
   * path, else defaults. `sourceOf(["cors", "maxAge"])` after `FLAGON_CORS__MAX_AGE=600` is
   * `{ kind: "env", label: "environment variable FLAGON_CORS__MAX_AGE" }`.
   */
  sourceOf(path: readonly PropertyKey[]): ConfigSource;
}

const DEFAULTS: ConfigSource = Object.freeze({ kind: "defaults", label: "defaults" });
const CODE: ConfigSource = Object.freeze({ kind: "code", label: "code" });

/**
 * Loads the app config in layers, each deep-merged over the one before: `defaults`, then the
 * config file found in `root` (see CONFIG_SEARCH_PLACES), then `FLAGON_…` environment
 * variables (see envOverrides; `<root>/.env` is read into the environment first), then `code`.
 * Every problem is a FlagonError FLAGON_ERR_INVALID_CONFIG naming the file or variable; no
 * message quotes a value.
 *
 * @example
 * const { config, sourceOf } = await loadConfig({ root: process.cwd(), code: { bodyLimit: 1e6 } });
 * sourceOf(["cors", "maxAge"]); // { kind: "file", label: "/srv/app/flagon.config.ts" }
 */
export async function loadConfig(options: LoadConfigOptions): Promise<LoadedConfig> {
  const root = path.resolve(options.root);
  const env = options.env ?? process.env;
  const defaults = layer("defaults", options.defaults);
  const code = layer("code", options.code);
  if (options.dotenv ?? true) await loadDotenv(root, env);
  const file = await readConfigFile(root, options.configFile);
  const overrides = envOverrides(env);

  const tree = new SourceTree(DEFAULTS);
  let config: Record<string, unknown> = {};
  const apply = (values: Record<string, unknown>, sourceAt: (path: readonly string[]) => ConfigSource) => {
    config = mergeConfig(config, values) as Record<string, unknown>;
    tree.record(values, sourceAt);
  };
  apply(defaults, () => DEFAULTS);
  if (file !== undefined) {
    const source: ConfigSource = Object.freeze({ kind: "file", label: file.filepath });
    apply(file.config, () => source);
  }
  apply(overrides.config, envSourceAt(overrides.sources));
  apply(code, () => CODE);

  return Object.freeze({
    config,
    filepath: file?.filepath,
    sourceOf: (keyPath: readonly PropertyKey[]) => tree.sourceOf(keyPath),
  });
}

function layer(name: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) {
    throw new FlagonError(ErrorCodes.INVALID_CONFIG, `the ${name} config must be a plain object`);
  }
  return value;
}

/** Reads `<root>/.env` (if there is one) into `env` without overriding what is already set. */
async function loadDotenv(root: string, env: NodeJS.ProcessEnv): Promise<void> {
  const file = path.join(root, ".env");
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as { code?: unknown }).code === "ENOENT") return;
    const reason = error instanceof Error ? error.message : String(error);
    throw new FlagonError(ErrorCodes.INVALID_CONFIG, `cannot read ${file}: ${reason}`, { cause: error });
  }
  for (const [name, value] of Object.entries(parseEnv(text))) {
    if (value !== undefined && name !== "__proto__" && env[name] === undefined) env[name] = value;
  }
}

/**
 * For a path the env layer set: the variable that set it or the nearest section above it; for
 * a section above variables (`cors` for `FLAGON_CORS__MAX_AGE`), the last of those variables.
 */
function envSourceAt(
  sources: ReadonlyArray<[path: string[], variable: string]>,
): (path: readonly string[]) => ConfigSource {
  const labels = new Map<string, ConfigSource>();
  const sourceFor = (variable: string): ConfigSource => {
    let source = labels.get(variable);
    if (source === undefined) {
      source = Object.freeze({ kind: "env", label: `environment variable ${variable}` });
      labels.set(variable, source);
    }
    return source;
  };
  return (keyPath) => {
    let best: [string[], string] | undefined;
    for (const entry of sources) {
      const [variablePath] = entry;
      if (isPrefix(variablePath, keyPath) && (best === undefined || variablePath.length >= best[0].length)) {
        best = entry;
      }
    }
    if (best === undefined) {
      for (const entry of sources) if (isPrefix(keyPath, entry[0])) best = entry;
    }
    // The env layer holds only paths that some variable set, so one of the two loops matched.
    return best === undefined ? DEFAULTS : sourceFor(best[1]);
  };
}

function isPrefix(prefix: readonly string[], of: readonly string[]): boolean {
  return prefix.length <= of.length && prefix.every((key, index) => of[index] === key);
}
