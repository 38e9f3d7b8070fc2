import type { ResolvedCorsOptions } from "./options.js";
import { normalizeOrigin } from "./origin.js";

/** One set of CORS rules, compiled once: header values are joined at start-up, not per request. */
export interface CorsPolicy {
  /** The `Access-Control-Allow-Origin` value for a request's `Origin`, or undefined when not allowed. */
  allowOrigin(origin: string): string | undefined;
  readonly credentials: boolean;
  readonly methods: string;
  /** Joined list, or undefined to reflect `Access-Control-Request-Headers`. */
  readonly allowedHeaders: string | undefined;
  readonly exposedHeaders: string | undefined;
  readonly maxAge: string | undefined;
}

export function compilePolicy(options: ResolvedCorsOptions): CorsPolicy {
  const { origins, credentials } = options;
  let allowed: (origin: string) => boolean;
  if (origins === "*") {
    allowed = (origin) => origin !== "null";
  } else if (typeof origins === "function") {
    allowed = (origin) => origin !== "null" && origins(origin) === true;
  } else {
    const set = new Set(origins.map((o) => normalizeOrigin(o)));
    allowed = (origin) => set.has(origin);
  }
  // "*" only where it means the same as echoing: any origin, and no credentials (which browsers
  // refuse to combine with "*"). Everywhere else the origin is echoed, as the browser sent it.
  const star = origins === "*" && !credentials;
  const join = (list: readonly string[]): string | undefined =>
    list.length === 0 ? undefined : list.join(", ");
  return {
    allowOrigin(origin) {
      const normal = normalizeOrigin(origin);
      if (normal === undefined || !allowed(normal)) return undefined;
      return star ? "*" : origin;
    },
    credentials,
    methods: options.methods.join(", "),
    allowedHeaders: options.allowedHeaders === undefined ? undefined : options.allowedHeaders.join(", "),
    exposedHeaders: join(options.exposedHeaders),
    maxAge: options.maxAge === undefined ? undefined : String(options.maxAge),
  };
}

// RFC 9110 token.
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** The header names a preflight asks for, lower-cased, for reflecting them; junk is dropped. */
export function requestedHeaders(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const names = value
    .split(",")
    .map((name) => name.trim().toLowerCase())
    .filter((name) => TOKEN.test(name));
  return names.length === 0 ? undefined : [...new Set(names)].join(", ");
}
