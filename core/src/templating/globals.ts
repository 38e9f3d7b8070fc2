import { isSecretKey } from "../config/secrets.js";
import { isPlainObject, UNSAFE_KEYS } from "../config/merge.js";
import type { UrlForOptions } from "../http/context.js";

/** The part of a session templates use (the session of `ctx.session()` has all of it). */
export interface TemplateSession {
  readonly isNew: boolean;
  get(key: string): unknown;
  has(key: string): boolean;
  keys(): Iterable<string>;
  flashes(options?: { withCategories?: boolean; categories?: string[] }): unknown[];
}

/** The `session` of a render that has none loaded: empty, no flashes. */
export const EMPTY_SESSION: TemplateSession = Object.freeze({
  isNew: true,
  get: () => undefined,
  has: () => false,
  keys: () => [],
  flashes: () => [],
});

const MAX_DEPTH = 8;
const URL_CREDENTIALS = /^([a-z][a-z\d+.-]*:\/\/)[^/?#@\s]*@/i;

function publicValue(value: unknown, depth: number): unknown {
  if (typeof value === "string") return value.replace(URL_CREDENTIALS, "$1[redacted]@");
  if (typeof value === "number" || typeof value === "boolean" || value === null) return value;
  if (typeof value !== "object" || depth >= MAX_DEPTH) return undefined;
  if (Array.isArray(value)) return Object.freeze(value.map((item) => publicValue(item, depth + 1)));
  if (!isPlainObject(value)) return undefined;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (isSecretKey(key) || UNSAFE_KEYS.has(key)) continue;
    const inner = publicValue(value[key], depth + 1);
    if (inner !== undefined) out[key] = inner;
  }
  return Object.freeze(out);
}

/**
 * The app config as templates see it (`{{ config.serverName }}`): a frozen copy without keys
 * that name secrets (`secretKey`, `password`, `apiKey`, `*Token`…; see `isSecretKey`), without
 * the credentials of URLs (`redis://user:pw@host` → `redis://[redacted]@host`), and with
 * functions and class instances left out.
 */
export function publicConfig(config: object): Readonly<Record<string, unknown>> {
  return (publicValue(config, 0) as Readonly<Record<string, unknown>> | undefined) ?? {};
}

type BuildUrl = (
  endpoint: string,
  params: Record<string, unknown> | undefined,
  options: UrlForOptions,
) => string;

/** nunjucks passes keyword arguments (`f(a, id=3)`) as a last object carrying `__keywords`. */
function isKeywords(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && Object.hasOwn(value, "__keywords");
}

const OPTION_KEYWORDS = new Map<string, keyof UrlForOptions>([
  ["_external", "external"],
  ["_anchor", "anchor"],
  ["_method", "method"],
]);

/**
 * The `urlFor` template global. Call it as in code, `urlFor("Todos.show", { id: 3 }, { external: true })`,
 * or with keyword arguments as in Flask, `urlFor("Todos.show", id=3, _external=true)`.
 */
export function urlForGlobal(build: BuildUrl): (endpoint: string, ...args: unknown[]) => string {
  return (endpoint, ...args) => {
    const last = args[args.length - 1];
    const keywords = isKeywords(last) ? (args.pop() as Record<string, unknown>) : undefined;
    const [params, options] = args as [Record<string, unknown> | undefined, UrlForOptions | undefined];
    if (!keywords) return build(endpoint, params, options ?? {});
    const mergedParams: Record<string, unknown> = { ...params };
    const mergedOptions: Record<string, unknown> = { ...options };
    for (const key of Object.keys(keywords)) {
      if (key === "__keywords") continue;
      const option = OPTION_KEYWORDS.get(key);
      if (option) mergedOptions[option] = keywords[key];
      else mergedParams[key] = keywords[key];
    }
    return build(endpoint, mergedParams, mergedOptions);
  };
}
