import { z } from "zod";
import { isOrigin } from "./origin.js";

/** Which origins may read responses: a list, any origin, or a predicate (from code only). */
export type OriginsOption = "*" | readonly string[] | ((origin: string) => boolean);

/** The plugin's options: `app.register(cors, options)` over the app config's `cors` section. */
export interface CorsOptions {
  /**
   * Origins allowed to read responses: exact `scheme://host[:port]` strings (host compared
   * case-insensitively; `"null"` only when listed), `"*"` for any origin, or a function given the
   * normalised origin (never `"null"`). A comma-separated string is read as a list (for env vars).
   */
  origins: OriginsOption;
  /** Methods a preflight allows. Default GET, HEAD, POST, PUT, PATCH, DELETE. */
  methods?: readonly string[];
  /** Request headers a preflight allows. Default: the ones the preflight asks for. */
  allowedHeaders?: readonly string[];
  /** Response headers scripts may read besides the CORS-safelisted ones. Default none. */
  exposedHeaders?: readonly string[];
  /** Allow cookies and HTTP auth; `*` is then never sent, the origin is echoed. Default false. */
  credentials?: boolean;
  /** Seconds a browser may cache a preflight answer. Default: not sent (browser default, 5 s). */
  maxAge?: number;
}

/** What `@Cors(…)` takes: any option, replacing the app-wide value for that route. */
export type CorsRouteOptions = Partial<CorsOptions>;

/** Options with their defaults filled in. */
export interface ResolvedCorsOptions {
  readonly origins: OriginsOption;
  readonly methods: readonly string[];
  readonly allowedHeaders: readonly string[] | undefined;
  readonly exposedHeaders: readonly string[];
  readonly credentials: boolean;
  readonly maxAge: number | undefined;
}

export const DEFAULT_METHODS: readonly string[] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];

// RFC 9110 token: method and header names.
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Reads "a, b" as ["a", "b"], so lists can come from environment variables too. */
const splitList = (value: unknown): unknown =>
  typeof value === "string"
    ? value
        .split(",")
        .map((item) => item.trim())
        .filter((item) => item !== "")
    : value;

const tokenList = (what: string) =>
  z.preprocess(
    splitList,
    z.array(z.string().regex(TOKEN, { error: `expected ${what} name (an HTTP token)` }), {
      error: `expected a list of ${what} names`,
    }),
  );

const origin = z.string().refine(isOrigin, {
  error:
    'expected an origin such as "https://example.com" (scheme, host and optional port, no path) or "null"',
});

const originsField = z.preprocess(
  (value) => (value === "*" ? value : splitList(value)),
  z.union(
    [
      z.literal("*"),
      z.array(origin),
      z.custom<(origin: string) => boolean>((value) => typeof value === "function"),
    ],
    { error: 'expected "*", a list of origins such as ["https://example.com"], or a function' },
  ),
);

const fields = {
  origins: originsField,
  methods: tokenList("a method").transform((list) => list.map((m) => m.toUpperCase())),
  allowedHeaders: tokenList("a header"),
  exposedHeaders: tokenList("a header"),
  credentials: z.boolean({ error: "expected true or false" }),
  maxAge: z
    .number({ error: "expected a number of seconds" })
    .int({ error: "expected a whole number of seconds" })
    .nonnegative({ error: "expected a number of seconds, 0 or more" }),
};

/** The `cors` config section (validated by the core before `register` runs). */
export const configSchema = z.strictObject({
  origins: fields.origins,
  methods: fields.methods.optional(),
  allowedHeaders: fields.allowedHeaders.optional(),
  exposedHeaders: fields.exposedHeaders.optional(),
  credentials: fields.credentials.optional(),
  maxAge: fields.maxAge.optional(),
});

/** `@Cors(…)` options: every field optional. */
export const routeOptionsSchema = configSchema.partial();

/** Fills in defaults; `overrides` (a route's `@Cors` options) replace the fields they set. */
export function resolveOptions(options: CorsOptions, overrides: CorsRouteOptions = {}): ResolvedCorsOptions {
  const pick = <K extends keyof CorsOptions>(key: K): CorsOptions[K] =>
    overrides[key] !== undefined ? overrides[key] : options[key];
  return {
    origins: pick("origins"),
    methods: pick("methods") ?? DEFAULT_METHODS,
    allowedHeaders: pick("allowedHeaders"),
    exposedHeaders: pick("exposedHeaders") ?? [],
    credentials: pick("credentials") ?? false,
    maxAge: pick("maxAge"),
  };
}
