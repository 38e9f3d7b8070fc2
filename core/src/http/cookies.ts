import * as cookie from "cookie";
import { ErrorCodes, FlagonError } from "../errors/codes.js";

export interface CookieOptions {
  maxAge?: number;
  expires?: Date;
  path?: string;
  domain?: string;
  secure?: boolean;
  httpOnly?: boolean;
  sameSite?: "lax" | "strict" | "none" | "Lax" | "Strict" | "None";
  partitioned?: boolean;
  priority?: "low" | "medium" | "high";
}

/** Parses a `Cookie` header into a prototype-less object; the first of duplicate names wins. */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  if (!header) return out;
  const parsed = cookie.parse(header);
  for (const name of Object.keys(parsed)) {
    const value = parsed[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

// Characters that can never appear in an attribute value without ending the attribute or the
// header: separators, controls (incl. CR/LF/NUL), DEL, and anything outside ASCII.
const UNSAFE_ATTRIBUTE = /[;,\s\u0000-\u001f\u007f-\uffff]/;
// RFC 6265 cookie-name: an RFC 9110 token. The cookie package also lets `,` `"` `(` `)` `/` `:`
// `?` `@` `[` `]` `{` `}` `\` through, and a `,` splits the cookie where Set-Cookie headers are
// folded into one line.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Serialises one `Set-Cookie` value. The value is percent-encoded; a name, path or domain that
 * would corrupt the header throws a FlagonError (FLAGON_ERR_INVALID_COOKIE) instead of being sent.
 */
export function serializeCookie(name: string, value: string, options: CookieOptions = {}): string {
  if (!TOKEN.test(name)) {
    throw new FlagonError(ErrorCodes.INVALID_COOKIE, `cookie name ${JSON.stringify(name)} is invalid`);
  }
  for (const [attribute, text] of [
    ["path", options.path],
    ["domain", options.domain],
  ] as const) {
    if (text !== undefined && (text === "" || UNSAFE_ATTRIBUTE.test(text))) {
      throw new FlagonError(
        ErrorCodes.INVALID_COOKIE,
        `cookie ${attribute} ${JSON.stringify(text)} is invalid`,
      );
    }
  }
  if (options.maxAge !== undefined && !Number.isInteger(options.maxAge)) {
    throw new FlagonError(
      ErrorCodes.INVALID_COOKIE,
      `cookie maxAge must be an integer, got ${options.maxAge}`,
    );
  }
  const sameSite = options.sameSite?.toLowerCase() as "lax" | "strict" | "none" | undefined;
  try {
    return cookie.serialize(name, value, {
      ...options,
      sameSite,
      path: options.path ?? "/",
    });
  } catch (error) {
    throw new FlagonError(ErrorCodes.INVALID_COOKIE, (error as Error).message, { cause: error });
  }
}
