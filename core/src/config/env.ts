import { ErrorCodes, FlagonError } from "../errors/codes.js";
import { isPlainObject, mergeConfig, UNSAFE_KEYS } from "./merge.js";
import { isSecretKey } from "./secrets.js";

const PREFIX = "FLAGON_";
/** A decimal number without leading zeros (`007` stays text: ids, PINs and zip codes). */
const DECIMAL = /^-?(0|[1-9]\d*)(\.\d+)?$/;

export interface EnvOverrides {
  config: Record<string, unknown>;
  /** Each variable that was applied, with the config path it set; shallower paths first. */
  sources: Array<[path: string[], variable: string]>;
}

interface Override {
  variable: string;
  path: string[];
  value: unknown;
}

/**
 * The config that `FLAGON_…` environment variables set. After the prefix, `__` separates
 * nested keys and each key goes from SNAKE_CASE to camelCase: `FLAGON_CORS__MAX_AGE=600` →
 * `{ cors: { maxAge: 600 } }`, `FLAGON_BODY_LIMIT` → `bodyLimit`, `FLAGON_ENV` → `env`.
 *
 * Values: `true`/`false` → booleans; a decimal number without leading zeros (and, if whole,
 * within ±2^53) → number; text starting with `[` or `{` → JSON; anything else stays a string.
 * Shallower variables apply first, so `FLAGON_CORS__MAX_AGE` refines an object given in
 * `FLAGON_CORS`. A variable with an empty key (`FLAGON__X`, `FLAGON_A____B`), invalid JSON, or
 * a path through another variable's non-object value is a FLAGON_ERR_INVALID_CONFIG naming the
 * variable(s); keys `__proto__`, `constructor` and `prototype` are ignored.
 */
export function envOverrides(env: NodeJS.ProcessEnv): EnvOverrides {
  const overrides: Override[] = [];
  for (const [variable, raw] of Object.entries(env)) {
    if (!variable.startsWith(PREFIX) || raw === undefined) continue;
    const path = pathOf(variable);
    if (path === undefined) continue;
    overrides.push({ variable, path, value: coerce(variable, path, raw) });
  }
  overrides.sort((a, b) => a.path.length - b.path.length || (a.variable < b.variable ? -1 : 1));

  let config: Record<string, unknown> = {};
  const owners = new Map<string, string>();
  const sources: EnvOverrides["sources"] = [];
  for (const { variable, path, value } of overrides) {
    checkConflicts(config, owners, variable, path);
    owners.set(path.join("\0"), variable);
    config = mergeConfig(config, nest(path, value)) as Record<string, unknown>;
    sources.push([path, variable]);
  }
  return { config, sources };
}

/** The config path a variable names, or undefined when a key would reach a prototype. */
function pathOf(variable: string): string[] | undefined {
  const segments = variable.slice(PREFIX.length).split("__");
  if (segments.some((segment) => segment === "" || segment.startsWith("_") || segment.endsWith("_"))) {
    throw new FlagonError(
      ErrorCodes.INVALID_CONFIG,
      `environment variable ${variable} has an empty key: separate keys with "__" and words with "_", as in FLAGON_CORS__MAX_AGE`,
    );
  }
  const path = segments.map(camelCase);
  return path.some((key) => UNSAFE_KEYS.has(key)) ? undefined : path;
}

function camelCase(segment: string): string {
  return segment.toLowerCase().replace(/_([a-z\d])/g, (_match, letter: string) => letter.toUpperCase());
}

function coerce(variable: string, path: string[], raw: string): unknown {
  if (raw === "true") return true;
  if (raw === "false") return false;
  if (DECIMAL.test(raw)) {
    const number = Number(raw);
    if (raw.includes(".") || Number.isSafeInteger(number)) return number;
  }
  if (!raw.startsWith("[") && !raw.startsWith("{")) return raw;
  try {
    return JSON.parse(raw, (key, value: unknown) => (UNSAFE_KEYS.has(key) ? undefined : value)) as unknown;
  } catch (error) {
    // JSON.parse quotes the text around the error: never show it for a secret.
    const secret = isSecretKey(variable) || path.some(isSecretKey);
    const reason = secret || !(error instanceof Error) ? "" : `: ${error.message}`;
    throw new FlagonError(
      ErrorCodes.INVALID_CONFIG,
      `environment variable ${variable} starts like JSON but is not valid JSON${reason}`,
    );
  }
}

function checkConflicts(
  config: Record<string, unknown>,
  owners: ReadonlyMap<string, string>,
  variable: string,
  path: readonly string[],
): void {
  let node: unknown = config;
  for (let depth = 1; depth <= path.length; depth++) {
    const key = path[depth - 1] as string;
    node = isPlainObject(node) ? node[key] : undefined;
    const owner = owners.get(path.slice(0, depth).join("\0"));
    if (owner === undefined) continue;
    if (depth === path.length) {
      throw conflict(variable, owner, `both set config.${path.join(".")}`);
    }
    if (!isPlainObject(node)) {
      throw conflict(
        variable,
        owner,
        `${owner} sets config.${path.slice(0, depth).join(".")} to a non-object`,
      );
    }
  }
}

function conflict(variable: string, owner: string, why: string): FlagonError {
  return new FlagonError(
    ErrorCodes.INVALID_CONFIG,
    `environment variables ${owner} and ${variable} conflict: ${why}`,
  );
}

function nest(path: readonly string[], value: unknown): Record<string, unknown> {
  let result: unknown = value;
  for (let index = path.length - 1; index >= 0; index--) result = { [path[index] as string]: result };
  return result as Record<string, unknown>;
}
