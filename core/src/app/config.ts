import { ErrorCodes, FlagonError } from "../errors/codes.js";
import { DEFAULT_BODY_LIMIT } from "../http/body.js";
import { compileTrustProxy, type TrustProxy } from "../http/proxy.js";
import { SecurityHeaders, type SecurityHeadersConfig } from "../http/security-headers.js";
import { checkSessionConfig, type SessionConfig } from "../session/options.js";
import { checkTemplatesConfig, type TemplatesConfig } from "../templating/config.js";
import { checkStaticConfig, type StaticConfig } from "../static/static-folders.js";

export type Env = "development" | "production" | "test";

/** Limits and timeouts of the node:http server. All in milliseconds; none may be 0. */
export interface ServerConfig {
  /** Time to receive a request's headers (default 60 s; slowloris defence). */
  headersTimeout?: number;
  /** Time to receive the whole request (default 120 s; slow-body defence). */
  requestTimeout?: number;
  /** How long an idle keep-alive connection stays open (default 5 s). */
  keepAliveTimeout?: number;
  /** How long `close()` waits for in-flight requests before destroying their sockets (default 10 s). */
  closeTimeout?: number;
  /** Log and survive unhandled rejections and uncaught exceptions while listening (default true). */
  lastResortGuard?: boolean;
}

/** The core's section of the app config; plugins add their own sections beside it. */
export interface CoreConfig {
  /** development shows internal error messages; production and test never do. Default: NODE_ENV, else production. */
  env?: Env;
  /** Largest accepted request body in bytes (default 1 MiB); routes may override it. */
  bodyLimit?: number;
  /** Host (and port) for external URLs built outside a request. */
  serverName?: string;
  /** Scheme for external URLs built outside a request (default http). */
  preferredScheme?: "http" | "https";
  /** pino level (default info; silent when env is test). */
  logLevel?: string;
  /** One log line per request (reqId, method, path, status, durationMs); default true. */
  requestLog?: boolean;
  server?: ServerConfig;
  /** Signs session cookies (HMAC-SHA256); at least 32 characters outside development. */
  secretKey?: string;
  /** Old secret keys that still verify (key rotation); only `secretKey` signs. */
  secretKeyFallbacks?: string[];
  /** Sessions: signed cookie by default, or server-side in memory or Redis. */
  session?: SessionConfig;
  /** Peers allowed to set X-Forwarded-Proto/Host/For: true, or addresses/CIDR ranges (default false). */
  trustProxy?: TrustProxy;
  /** The app's templates: `{ folder?: "templates", cache?: boolean }` (cache defaults to off in development). */
  templates?: TemplatesConfig;
  /** The default static folder, served at `/static/` when it exists; false for none. */
  static?: false | StaticConfig;
  /**
   * Security headers on every response (helmet's set: nosniff, X-Frame-Options, Referrer-Policy,
   * HSTS over HTTPS, a CSP on HTML…): false for none, or an object that replaces (a string) or
   * leaves out (false) single headers. Headers a handler or hook sets always win.
   */
  securityHeaders?: SecurityHeadersConfig;
  [section: string]: unknown;
}

export interface ResolvedConfig extends CoreConfig {
  readonly env: Env;
  readonly bodyLimit: number;
  readonly server: Required<ServerConfig>;
}

function invalid(key: string, expected: string, got: unknown): FlagonError {
  const shown = typeof got === "number" || got === undefined ? String(got) : JSON.stringify(got);
  return new FlagonError(ErrorCodes.INVALID_CONFIG, `config.${key} must be ${expected}, got ${shown}`);
}

/** Checks a byte limit: a whole number of bytes, 0 or more; nothing may switch the limit off. */
export function checkBodyLimit(key: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw invalid(key, "a whole number of bytes (0 or more)", value);
  }
  return value;
}

function timeout(server: ServerConfig, key: keyof ServerConfig, fallback: number): number {
  const value = server[key] ?? fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
    throw invalid(`server.${key}`, "a positive whole number of milliseconds (timeouts are never off)", value);
  }
  return value;
}

function envFrom(value: unknown): Env {
  if (value === undefined) {
    const fromProcess = process.env["FLAGON_ENV"] ?? process.env["NODE_ENV"];
    return fromProcess === "development" || fromProcess === "test" ? fromProcess : "production";
  }
  if (value === "development" || value === "production" || value === "test") return value;
  throw invalid("env", '"development", "production" or "test"', value);
}

/** Applies defaults and validates the core's keys; a bad value names its key. */
export function resolveConfig(config: CoreConfig = {}): ResolvedConfig {
  checkTemplatesConfig(config.templates);
  checkStaticConfig(config.static);
  if (config.requestLog !== undefined && typeof config.requestLog !== "boolean") {
    throw invalid("requestLog", "a boolean", config.requestLog);
  }
  const server = config.server ?? {};
  if (typeof server !== "object") throw invalid("server", "an object", server);
  const known = new Set([
    "headersTimeout",
    "requestTimeout",
    "keepAliveTimeout",
    "closeTimeout",
    "lastResortGuard",
  ]);
  for (const key of Object.keys(server)) {
    if (!known.has(key))
      throw invalid(
        `server.${key}`,
        "one of " + [...known].join(", "),
        (server as Record<string, unknown>)[key],
      );
  }
  const headersTimeout = timeout(server, "headersTimeout", 60_000);
  const requestTimeout = timeout(server, "requestTimeout", 120_000);
  if (headersTimeout > requestTimeout) {
    throw invalid(
      "server.headersTimeout",
      `at most server.requestTimeout (${requestTimeout})`,
      headersTimeout,
    );
  }
  const guard = server.lastResortGuard ?? true;
  if (typeof guard !== "boolean") throw invalid("server.lastResortGuard", "a boolean", guard);
  if (
    config.serverName !== undefined &&
    (typeof config.serverName !== "string" || !/^[\w.-]+(:\d+)?$/.test(config.serverName))
  ) {
    throw invalid("serverName", "a host name with an optional port", config.serverName);
  }
  if (
    config.preferredScheme !== undefined &&
    config.preferredScheme !== "http" &&
    config.preferredScheme !== "https"
  ) {
    throw invalid("preferredScheme", '"http" or "https"', config.preferredScheme);
  }
  const env = envFrom(config.env);
  checkSessionConfig(config, env);
  compileTrustProxy(config.trustProxy);
  SecurityHeaders.compile(config.securityHeaders);
  return {
    ...config,
    env,
    bodyLimit: checkBodyLimit("bodyLimit", config.bodyLimit ?? DEFAULT_BODY_LIMIT),
    server: {
      headersTimeout,
      requestTimeout,
      keepAliveTimeout: timeout(server, "keepAliveTimeout", 5_000),
      closeTimeout: timeout(server, "closeTimeout", 10_000),
      lastResortGuard: guard,
    },
  };
}
