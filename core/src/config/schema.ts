// The app config in one place: the types of every core key, and the list of sections, each
// parsed (validated, defaulted, compiled) by the feature that owns it. `parseConfig` runs each
// section's parser once and keeps what it produced as the app's `Settings`.
import { checkBodyLimit, DEFAULT_BODY_LIMIT } from "../http/body.js";
import { compileTrustProxy, type ProxyTrust, type TrustProxy } from "../http/proxy.js";
import { SecurityHeaders, type SecurityHeadersConfig } from "../http/security-headers.js";
import { parseSessionSection, type SessionConfig, type SessionSettings } from "../session/options.js";
import { checkStaticConfig, type StaticConfig } from "../static/static-folders.js";
import { parseTemplatesSection, type TemplatesConfig, type TemplatesSettings } from "../templating/config.js";
import {
  type Env,
  parseEnv,
  parsePluginTimeout,
  parseRequestLog,
  parseServer,
  parseUrls,
  type ServerConfig,
  type UrlSettings,
} from "./core-sections.js";
import { isPlainObject } from "./merge.js";

export type { Env, ServerConfig } from "./core-sections.js";

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

/** The app config: the core's keys, the keys below, and one section per plugin (`configKey`). */
export interface FlagonConfig extends CoreConfig {
  /** Plugins to import and register at start-up: a package name, or `[name, options]`. */
  plugins?: Array<string | [string, Record<string, unknown>]>;
  /** The module that exports the app, for the `flagon` command. */
  app?: string;
  /** How long each plugin's `register` may take, in ms (default 10 000). */
  pluginTimeout?: number;
}

/** `app.config`: the merged config as written, with the core's defaults filled in. */
export interface ResolvedConfig extends CoreConfig {
  readonly env: Env;
  readonly bodyLimit: number;
  readonly server: Required<ServerConfig>;
}

/** @internal Every core section, parsed once: what the features read instead of the raw config. */
export interface Settings {
  readonly env: Env;
  readonly server: Required<ServerConfig>;
  readonly requestLog: boolean;
  readonly urls: UrlSettings;
  readonly bodyLimit: number;
  readonly templates: TemplatesSettings;
  readonly static: false | StaticConfig;
  readonly session: SessionSettings;
  /** undefined when no peer is trusted. */
  readonly trustProxy: ProxyTrust | undefined;
  readonly securityHeaders: SecurityHeaders;
  readonly pluginTimeout: number;
}

type RawConfig = Readonly<Record<string, unknown>>;

/** One section: the keys its parser reads, and the parser (which throws FLAGON_ERR_INVALID_CONFIG). */
export interface ConfigSection<K extends keyof Settings = keyof Settings> {
  readonly name: K;
  readonly keys: readonly string[];
  parse(config: RawConfig, env: Env): Settings[K];
}

function section<K extends keyof Settings>(
  name: K,
  keys: readonly string[],
  parse: (config: RawConfig, env: Env) => Settings[K],
): ConfigSection<K> {
  return { name, keys, parse };
}

/**
 * The core's sections, in the order their errors are reported. `env` comes first: the others
 * may depend on it (secret key length, the template cache's default).
 */
export const CONFIG_SECTIONS: readonly ConfigSection[] = [
  section("env", ["env"], (config) => parseEnv(config["env"])),
  section("templates", ["templates"], (config, env) => parseTemplatesSection(config["templates"], env)),
  section("static", ["static"], (config) => checkStaticConfig(config["static"])),
  section("requestLog", ["requestLog"], (config) => parseRequestLog(config["requestLog"])),
  section("server", ["server"], (config) => parseServer(config["server"])),
  section("urls", ["serverName", "preferredScheme"], (config) => parseUrls(config)),
  section("session", ["secretKey", "secretKeyFallbacks", "session"], (config, env) =>
    parseSessionSection(config, env),
  ),
  section("trustProxy", ["trustProxy"], (config) => compileTrustProxy(config["trustProxy"])),
  section("securityHeaders", ["securityHeaders"], (config) =>
    SecurityHeaders.compile(config["securityHeaders"]),
  ),
  section("bodyLimit", ["bodyLimit"], (config) =>
    checkBodyLimit("bodyLimit", config["bodyLimit"] ?? DEFAULT_BODY_LIMIT),
  ),
  section("pluginTimeout", ["pluginTimeout"], (config) => parsePluginTimeout(config["pluginTimeout"])),
];

/** A parse's result: `app.config`, the compiled settings, and what each section was parsed from. */
export interface ParsedConfig {
  readonly config: ResolvedConfig;
  readonly settings: Settings;
  readonly inputs: ReadonlyMap<keyof Settings, readonly unknown[]>;
}

/**
 * What a section's result depends on: its keys, the env (for all but `env` itself), and for
 * `env` the variables it falls back to, which a `.env` file may set between two parses.
 */
function inputsOf(entry: ConfigSection, config: RawConfig, env: Env | undefined): unknown[] {
  const values = entry.keys.map((key) => snapshot(config[key]));
  if (entry.name === "env") values.push(process.env["FLAGON_ENV"], process.env["NODE_ENV"]);
  else values.push(env);
  return values;
}

/**
 * Parses each core section of `config` once. A section whose inputs are the same as in
 * `previous` (the config given in code, parsed by `new Flagon()`) keeps the value compiled then
 * instead of being parsed again. Throws FLAGON_ERR_INVALID_CONFIG naming the first bad key.
 */
export function parseConfig(config: CoreConfig = {}, previous?: ParsedConfig): ParsedConfig {
  const settings: Partial<Record<keyof Settings, unknown>> = {};
  const inputs = new Map<keyof Settings, readonly unknown[]>();
  for (const entry of CONFIG_SECTIONS) {
    const env = settings.env as Env | undefined;
    const values = inputsOf(entry, config, env);
    const before = previous?.inputs.get(entry.name);
    settings[entry.name] =
      previous !== undefined && before !== undefined && sameValue(before, values)
        ? previous.settings[entry.name]
        : entry.parse(config, env ?? "production");
    inputs.set(entry.name, values);
  }
  const done = settings as Settings;
  return {
    config: { ...config, env: done.env, bodyLimit: done.bodyLimit, server: done.server },
    settings: done,
    inputs,
  };
}

/** A copy of the plain objects and arrays in a config value: later changes to them are seen as changes. */
function snapshot(value: unknown, inside: readonly object[] = []): unknown {
  if (typeof value !== "object" || value === null || inside.includes(value)) return value;
  const within = [...inside, value];
  if (Array.isArray(value)) return value.map((item) => snapshot(item, within));
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, snapshot(child, within)]));
}

/** Structural equality of config values: plain objects and arrays by content, the rest by identity. */
function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((value, i) => sameValue(value, b[i]));
  }
  if (!isPlainObject(a) || !isPlainObject(b)) return false;
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length &&
    keys.every((key) => Object.hasOwn(b, key) && sameValue(a[key], b[key]))
  );
}
