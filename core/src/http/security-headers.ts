import { validateHeaderName, validateHeaderValue } from "node:http";
import { ErrorCodes, FlagonError } from "../errors/codes.js";
import type { FlagonResponse } from "./response.js";

/**
 * `config.securityHeaders`: `false` sends none; otherwise the defaults below, with the given
 * headers replaced (a string) or left out (`false`). Names in any case, or camelCase as the
 * `FLAGON_SECURITY_HEADERS__X_FRAME_OPTIONS=DENY` environment variable gives them.
 *
 * @example
 * defineConfig({ securityHeaders: { "x-frame-options": "DENY", "cross-origin-resource-policy": false } });
 */
export type SecurityHeadersConfig = boolean | Readonly<Record<string, string | false>>;

const CSP = "content-security-policy";
const HSTS = "strict-transport-security";

/**
 * Helmet 8's policy, except `upgrade-insecure-requests`, which is added over HTTPS only: on a
 * plain-HTTP site it would send the browser to an HTTPS that is not there.
 */
const DEFAULT_CSP =
  "default-src 'self'; base-uri 'self'; font-src 'self' https: data:; form-action 'self'; " +
  "frame-ancestors 'self'; img-src 'self' data:; object-src 'none'; script-src 'self'; " +
  "script-src-attr 'none'; style-src 'self' https: 'unsafe-inline'";

/**
 * What every response carries unless the handler, a hook or the config says otherwise: helmet's
 * set. `Strict-Transport-Security` goes only on HTTPS responses (directly, or through a trusted
 * proxy), `Content-Security-Policy` only on documents that can run scripts (HTML, XHTML, SVG).
 * No `X-Powered-By` is ever added.
 */
export const DEFAULT_SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "x-content-type-options": "nosniff",
  "x-frame-options": "SAMEORIGIN",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
  "origin-agent-cluster": "?1",
  "x-dns-prefetch-control": "off",
  "x-download-options": "noopen",
  "x-permitted-cross-domain-policies": "none",
  "x-xss-protection": "0",
  [HSTS]: "max-age=31536000; includeSubDomains",
  [CSP]: DEFAULT_CSP,
});

/** Headers that frame or describe the body: never a security header's business. */
const FORBIDDEN = new Set([
  "content-length",
  "content-type",
  "transfer-encoding",
  "connection",
  "set-cookie",
]);

function invalid(key: string, expected: string, got: unknown): FlagonError {
  return new FlagonError(
    ErrorCodes.INVALID_CONFIG,
    `config.securityHeaders${key === "" ? "" : `.${key}`} must be ${expected}, got ${JSON.stringify(got)}`,
  );
}

/** `X-Frame-Options` → `x-frame-options`; `xFrameOptions` (from the environment) → the same. */
function headerName(key: string): string {
  const kebab = key.includes("-") ? key : key.replace(/[A-Z]/g, (letter) => `-${letter}`);
  return kebab.toLowerCase();
}

/** Whether a response of this type is a document that can run scripts (HTML, XHTML, SVG). */
function isDocument(type: string | string[] | undefined): boolean {
  if (typeof type !== "string") return false;
  const essence = type.split(";", 1)[0]?.trim().toLowerCase();
  return essence === "text/html" || essence === "application/xhtml+xml" || essence === "image/svg+xml";
}

/**
 * The security headers of one app, compiled once from its config into four lists (document or
 * not, HTTP or HTTPS). `defaultsFor` picks the list for a response; they are written with it
 * where the response lacks them, so a value the handler, an `onSend` hook or a feature (the dev
 * page's own policy, `nosniff` on files) set is kept.
 */
export class SecurityHeaders {
  /** The last content type asked about, and the answer: an app's responses share a few types. */
  private lastType = "";
  private lastTypeIsDocument = false;

  /** Name, value, name, value… for: plain, document, plain over HTTPS, document over HTTPS. */
  private readonly lists: readonly [
    readonly string[],
    readonly string[],
    readonly string[],
    readonly string[],
  ];

  private constructor(
    always: readonly string[],
    hsts: string | undefined,
    csp: string | undefined,
    httpsCsp: string | undefined,
  ) {
    const withCsp = (policy: string | undefined): readonly string[] =>
      policy === undefined ? always : [...always, CSP, policy];
    const withHsts = (list: readonly string[]): readonly string[] =>
      hsts === undefined ? list : [...list, HSTS, hsts];
    this.lists = [always, withCsp(csp), withHsts(always), withHsts(withCsp(httpsCsp))];
  }

  /** Validates `config.securityHeaders` (throwing FLAGON_ERR_INVALID_CONFIG) and compiles it. */
  static compile(config: unknown): SecurityHeaders {
    if (config === false) return new SecurityHeaders([], undefined, undefined, undefined);
    const headers = new Map(Object.entries(DEFAULT_SECURITY_HEADERS));
    if (config !== undefined && config !== true) {
      if (typeof config !== "object" || config === null || Array.isArray(config)) {
        throw invalid("", "false, true or an object of header names", config);
      }
      for (const [key, value] of Object.entries(config)) {
        const name = headerName(key);
        try {
          validateHeaderName(name);
        } catch {
          throw invalid(key, "a header name", key);
        }
        if (FORBIDDEN.has(name))
          throw invalid(key, "a header other than Content-*, Connection, Set-Cookie", key);
        if (value === false) {
          headers.delete(name);
          continue;
        }
        if (typeof value !== "string" || value === "") throw invalid(key, "a header value or false", value);
        try {
          validateHeaderValue(name, value);
        } catch {
          throw invalid(key, "a header value without control characters", value);
        }
        headers.set(name, value);
      }
    }
    const csp = headers.get(CSP);
    const hsts = headers.get(HSTS);
    headers.delete(CSP);
    headers.delete(HSTS);
    const httpsCsp = csp === DEFAULT_CSP ? `${DEFAULT_CSP}; upgrade-insecure-requests` : csp;
    return new SecurityHeaders([...headers].flat(), hsts, csp, httpsCsp);
  }

  /**
   * The headers `response` gets where it lacks them, names and values in turn: the policy for
   * documents (HTML, XHTML, SVG) only, HSTS and the HTTPS policy only over https.
   */
  defaultsFor(response: FlagonResponse, protocol: "http" | "https"): readonly string[] | undefined {
    const document = this.isDocument(response.headers.raw["content-type"]) ? 1 : 0;
    const list = this.lists[protocol === "https" ? document + 2 : document] as readonly string[];
    return list.length === 0 ? undefined : list;
  }

  private isDocument(type: string | string[] | undefined): boolean {
    if (typeof type !== "string") return false;
    if (type !== this.lastType) {
      this.lastTypeIsDocument = isDocument(type);
      this.lastType = type;
    }
    return this.lastTypeIsDocument;
  }

  /** The headers compiled for a response of this type and protocol (for tests and tools). */
  headersFor(contentType: string, protocol: "http" | "https"): Record<string, string> {
    const list = this.lists[
      (isDocument(contentType) ? 1 : 0) + (protocol === "https" ? 2 : 0)
    ] as readonly string[];
    const out: Record<string, string> = {};
    for (let i = 0; i < list.length; i += 2) out[list[i] as string] = list[i + 1] as string;
    return out;
  }
}
