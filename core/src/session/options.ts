import { ErrorCodes, FlagonError } from "../errors/codes.js";
import { type AppSecrets, appSecrets } from "./secrets.js";

/** Where sessions live: in a signed cookie (default), in process memory, or in Redis. */
export type SessionStoreConfig = "cookie" | "memory" | { redis: string; namespace?: string };

/** `config.session`: every key optional. Times are in seconds, except `storeTimeout` (ms). */
export interface SessionConfig {
  /** Cookie name (default "session"; sent as `__Host-session` when Secure with no Domain and Path=/). */
  cookieName?: string;
  /** "cookie" (signed, default), "memory", or `{ redis: "redis://…", namespace? }` (needs @keyv/redis). */
  store?: SessionStoreConfig;
  /** Lifetime of a signed-cookie session from when it was last written (default 14 days). */
  maxAge?: number;
  /** Server sessions: ended after this long without a request that loads them (default 2 h). */
  idleTimeout?: number;
  /**
   * Ended this long after they were created (or regenerated), however active (default 14 days):
   * server sessions, and signed-cookie sessions, whose cookie carries its creation time.
   */
  absoluteTimeout?: number;
  /** SameSite attribute (default "lax"); "none" needs `secure: true`. */
  sameSite?: "lax" | "strict" | "none";
  /** Domain attribute; none by default (a host-only cookie). */
  domain?: string;
  /** Path attribute (default "/"). */
  path?: string;
  /** "auto" (default): Secure when the request is HTTPS, directly or through a trusted proxy. */
  secure?: "auto" | boolean;
  /** How long a server-session store may take per call before the request fails with 503 (default 200 ms). */
  storeTimeout?: number;
}

/** `config.session` with defaults applied. */
export interface SessionOptions {
  readonly cookieName: string;
  readonly store: SessionStoreConfig;
  readonly maxAge: number;
  readonly idleTimeout: number;
  readonly absoluteTimeout: number;
  readonly sameSite: "lax" | "strict" | "none";
  readonly domain: string | undefined;
  readonly path: string;
  readonly secure: "auto" | boolean;
  readonly storeTimeout: number;
}

/** Shortest `secretKey` (and fallback) accepted outside development. */
export const MIN_SECRET_LENGTH = 32;

const DAY = 86_400;
const KNOWN_KEYS = new Set([
  "cookieName",
  "store",
  "maxAge",
  "idleTimeout",
  "absoluteTimeout",
  "sameSite",
  "domain",
  "path",
  "secure",
  "storeTimeout",
]);
// RFC 6265 cookie-name (an RFC 7230 token).
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const UNSAFE_ATTRIBUTE = /[;,\s\u0000-\u001f\u007f-\uffff]/;

function invalid(key: string, expected: string, got?: unknown): FlagonError {
  const shown =
    got === undefined ? "" : `, got ${typeof got === "number" ? String(got) : JSON.stringify(got)}`;
  return new FlagonError(ErrorCodes.INVALID_CONFIG, `config.${key} must be ${expected}${shown}`);
}

function seconds(session: Record<string, unknown>, key: string, fallback: number): number {
  const value = session[key] ?? fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || value > 10 * 365 * DAY) {
    throw invalid(`session.${key}`, "a positive number of seconds (at most 10 years)", value);
  }
  return value;
}

function checkStore(value: unknown): SessionStoreConfig {
  if (value === undefined) return "cookie";
  if (value === "cookie" || value === "memory") return value;
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const { redis, namespace, ...rest } = value as Record<string, unknown>;
    const extra = Object.keys(rest);
    if (extra.length > 0)
      throw invalid(`session.store.${extra[0] as string}`, "absent (known: redis, namespace)");
    if (typeof redis !== "string" || !/^rediss?:\/\//.test(redis)) {
      throw invalid("session.store.redis", "a redis:// or rediss:// URL");
    }
    if (namespace !== undefined && (typeof namespace !== "string" || namespace === "")) {
      throw invalid("session.store.namespace", "a non-empty string", namespace);
    }
    return namespace === undefined ? { redis } : { redis, namespace };
  }
  throw invalid("session.store", '"cookie", "memory" or { redis: "redis://…" }', value);
}

/** Validates `config.session` and applies its defaults. Unknown keys are errors (typos). */
export function resolveSessionOptions(value: unknown): SessionOptions {
  if (value !== undefined && (typeof value !== "object" || value === null || Array.isArray(value))) {
    throw invalid("session", "an object", value);
  }
  const session = (value ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(session)) {
    if (!KNOWN_KEYS.has(key))
      throw invalid(`session.${key}`, `absent (known: ${[...KNOWN_KEYS].join(", ")})`);
  }
  const cookieName = session["cookieName"] ?? "session";
  if (typeof cookieName !== "string" || !TOKEN.test(cookieName)) {
    throw invalid("session.cookieName", "a cookie name (letters, digits and !#$%&'*+-.^_`|~)", cookieName);
  }
  const sameSite = session["sameSite"] ?? "lax";
  if (sameSite !== "lax" && sameSite !== "strict" && sameSite !== "none") {
    throw invalid("session.sameSite", '"lax", "strict" or "none"', sameSite);
  }
  const secure = session["secure"] ?? "auto";
  if (secure !== "auto" && typeof secure !== "boolean")
    throw invalid("session.secure", '"auto", true or false', secure);
  if (sameSite === "none" && secure !== true) {
    throw invalid(
      "session.sameSite",
      '"lax" or "strict" unless session.secure is true (browsers drop SameSite=None cookies without Secure)',
      sameSite,
    );
  }
  if (cookieName.startsWith("__Secure-") && secure !== true) {
    throw invalid(
      "session.cookieName",
      "without the __Secure- prefix unless session.secure is true",
      cookieName,
    );
  }
  if (
    cookieName.startsWith("__Host-") &&
    (secure !== true || session["domain"] !== undefined || (session["path"] ?? "/") !== "/")
  ) {
    throw invalid(
      "session.cookieName",
      'without the __Host- prefix unless session.secure is true, with no domain and path "/"',
      cookieName,
    );
  }
  const domain = session["domain"];
  if (
    domain !== undefined &&
    (typeof domain !== "string" || domain === "" || UNSAFE_ATTRIBUTE.test(domain))
  ) {
    throw invalid("session.domain", "a domain name", domain);
  }
  const path = session["path"] ?? "/";
  if (typeof path !== "string" || !path.startsWith("/") || UNSAFE_ATTRIBUTE.test(path)) {
    throw invalid("session.path", 'a path starting with "/"', path);
  }
  const storeTimeout = session["storeTimeout"] ?? 200;
  if (
    typeof storeTimeout !== "number" ||
    !Number.isSafeInteger(storeTimeout) ||
    storeTimeout <= 0 ||
    storeTimeout > 60_000
  ) {
    throw invalid(
      "session.storeTimeout",
      "a whole number of milliseconds from 1 to 60000 (store calls always time out)",
      storeTimeout,
    );
  }
  return {
    cookieName,
    store: checkStore(session["store"]),
    maxAge: seconds(session, "maxAge", 14 * DAY),
    idleTimeout: seconds(session, "idleTimeout", 2 * 3600),
    absoluteTimeout: seconds(session, "absoluteTimeout", 14 * DAY),
    sameSite,
    domain,
    path,
    secure,
    storeTimeout,
  };
}

/**
 * Validates `secretKey` and `secretKeyFallbacks` (their values never appear in messages):
 * strings, and outside development at least 32 characters each.
 */
export function checkSecrets(secretKey: unknown, fallbacks: unknown, env: string): void {
  const strict = env !== "development";
  const check = (key: string, value: unknown): void => {
    if (typeof value !== "string" || value === "") throw invalid(key, "a non-empty string");
    if (strict && value.length < MIN_SECRET_LENGTH) {
      throw invalid(
        key,
        `at least ${MIN_SECRET_LENGTH} characters outside development (it has ${value.length}); generate one with: node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))"`,
      );
    }
  };
  if (secretKey !== undefined) check("secretKey", secretKey);
  if (fallbacks !== undefined) {
    if (!Array.isArray(fallbacks)) throw invalid("secretKeyFallbacks", "a list of strings");
    (fallbacks as unknown[]).forEach((value, i) => check(`secretKeyFallbacks[${i}]`, value));
    if (secretKey === undefined && fallbacks.length > 0) {
      throw invalid(
        "secretKey",
        "set when secretKeyFallbacks is (the current key signs; fallbacks only verify)",
      );
    }
  }
}

/** The session section of the app config, parsed: what the session manager is built from. */
export interface SessionSettings {
  readonly options: SessionOptions;
  /** The signing keys (checked), the random development key, or undefined: nothing can sign. */
  readonly secrets: AppSecrets | undefined;
  /** The config has a `session` section (so the app declares sessions). */
  readonly configured: boolean;
  /** The section names a store (which a `sessionStore` given in code must not contradict). */
  readonly namesStore: boolean;
}

/** Parses `secretKey`, `secretKeyFallbacks` and `session` (the config's session section). */
export function parseSessionSection(config: Readonly<Record<string, unknown>>, env: string): SessionSettings {
  const { secretKey, secretKeyFallbacks, session } = config;
  checkSecrets(secretKey, secretKeyFallbacks, env);
  return {
    options: resolveSessionOptions(session),
    secrets: appSecrets({ env, secretKey, secretKeyFallbacks }),
    configured: session !== undefined,
    namesStore: (session as { store?: unknown } | undefined)?.store !== undefined,
  };
}
