// The parsers of the config keys that belong to the app as a whole rather than to one feature:
// the environment, the server's limits, URLs built outside a request, the request log, and
// how long a plugin's `register` may take.
import { ErrorCodes, FlagonError } from "../errors/codes.js";

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

/** `serverName` and `preferredScheme`, checked: the origin of URLs built outside a request. */
export interface UrlSettings {
  readonly serverName: string | undefined;
  readonly preferredScheme: "http" | "https" | undefined;
}

const SERVER_KEYS: ReadonlySet<string> = new Set([
  "headersTimeout",
  "requestTimeout",
  "keepAliveTimeout",
  "closeTimeout",
  "lastResortGuard",
]);

const DEFAULT_PLUGIN_TIMEOUT = 10_000;

function invalid(key: string, expected: string, got: unknown): FlagonError {
  const shown = typeof got === "number" || got === undefined ? String(got) : JSON.stringify(got);
  return new FlagonError(ErrorCodes.INVALID_CONFIG, `config.${key} must be ${expected}, got ${shown}`);
}

/** `config.env`, else FLAGON_ENV or NODE_ENV when they name an environment, else production. */
export function parseEnv(value: unknown): Env {
  if (value === undefined) {
    const fromProcess = process.env["FLAGON_ENV"] ?? process.env["NODE_ENV"];
    return fromProcess === "development" || fromProcess === "test" ? fromProcess : "production";
  }
  if (value === "development" || value === "production" || value === "test") return value;
  throw invalid("env", '"development", "production" or "test"', value);
}

function timeout(server: ServerConfig, key: keyof ServerConfig, fallback: number): number {
  const value = server[key] ?? fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
    throw invalid(`server.${key}`, "a positive whole number of milliseconds (timeouts are never off)", value);
  }
  return value;
}

/** `config.server` with its defaults; unknown keys are errors (typos). */
export function parseServer(value: unknown): Required<ServerConfig> {
  const server = (value ?? {}) as ServerConfig;
  if (typeof server !== "object") throw invalid("server", "an object", server);
  for (const key of Object.keys(server)) {
    if (!SERVER_KEYS.has(key)) {
      throw invalid(
        `server.${key}`,
        "one of " + [...SERVER_KEYS].join(", "),
        (server as Record<string, unknown>)[key],
      );
    }
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
  const lastResortGuard = server.lastResortGuard ?? true;
  if (typeof lastResortGuard !== "boolean")
    throw invalid("server.lastResortGuard", "a boolean", lastResortGuard);
  return {
    headersTimeout,
    requestTimeout,
    keepAliveTimeout: timeout(server, "keepAliveTimeout", 5_000),
    closeTimeout: timeout(server, "closeTimeout", 10_000),
    lastResortGuard,
  };
}

/** `config.requestLog`: on unless false. */
export function parseRequestLog(value: unknown): boolean {
  if (value !== undefined && typeof value !== "boolean") throw invalid("requestLog", "a boolean", value);
  return value !== false;
}

/** `config.serverName` (a host with an optional port) and `config.preferredScheme`. */
export function parseUrls(config: Readonly<Record<string, unknown>>): UrlSettings {
  const serverName = config["serverName"];
  if (serverName !== undefined && (typeof serverName !== "string" || !/^[\w.-]+(:\d+)?$/.test(serverName))) {
    throw invalid("serverName", "a host name with an optional port", serverName);
  }
  const scheme = config["preferredScheme"];
  if (scheme !== undefined && scheme !== "http" && scheme !== "https") {
    throw invalid("preferredScheme", '"http" or "https"', scheme);
  }
  return { serverName, preferredScheme: scheme };
}

/** `config.pluginTimeout`: how long each plugin's `register` may take (default 10 s). */
export function parsePluginTimeout(value: unknown): number {
  const timeout = value ?? DEFAULT_PLUGIN_TIMEOUT;
  if (typeof timeout !== "number" || !Number.isSafeInteger(timeout) || timeout <= 0) {
    throw new FlagonError(
      ErrorCodes.INVALID_CONFIG,
      `config.pluginTimeout must be a positive whole number of milliseconds`,
    );
  }
  return timeout;
}
