import { ErrorCodes, FlagonError } from "../errors/codes.js";
import type { Context } from "../http/context.js";
import { type CookieOptions, serializeCookie } from "../http/cookies.js";
import type { FlagonResponse } from "../http/response.js";
import type { SessionOptions } from "./options.js";

/**
 * Largest `Set-Cookie` value sent for a session. Browsers keep 4096 bytes of name and value
 * (RFC 6265 §6.1); Werkzeug warns above 4093, and Flagon refuses rather than lose data.
 */
export const MAX_COOKIE_BYTES = 4093;

/** The session cookie for one request: its name and attributes depend on whether it is HTTPS. */
export interface SessionCookie {
  readonly name: string;
  readonly attributes: Omit<CookieOptions, "maxAge" | "expires">;
}

/**
 * Secure when configured, or with `secure: "auto"` when the request is HTTPS (directly or via a
 * trusted proxy). A Secure, host-only cookie for Path=/ gets the `__Host-` prefix, so a sibling
 * subdomain or a plain-HTTP response can never set or shadow it.
 */
export function sessionCookie(options: SessionOptions, ctx: Context): SessionCookie {
  const secure = options.secure === "auto" ? ctx.request.protocol === "https" : options.secure;
  const hostOnly = secure && options.domain === undefined && options.path === "/";
  const name =
    hostOnly && !options.cookieName.startsWith("__") ? `__Host-${options.cookieName}` : options.cookieName;
  const attributes: CookieOptions = {
    httpOnly: true,
    sameSite: options.sameSite,
    path: options.path,
    secure,
  };
  if (options.domain !== undefined) attributes.domain = options.domain;
  return { name, attributes };
}

/** Sets the session cookie, or throws when it would be too large for browsers to keep. */
export function writeSessionCookie(
  response: FlagonResponse,
  cookie: SessionCookie,
  value: string,
  maxAgeSeconds: number,
): void {
  const maxAge = Math.max(1, Math.ceil(maxAgeSeconds));
  const header = serializeCookie(cookie.name, value, {
    ...cookie.attributes,
    maxAge,
    expires: new Date(Date.now() + maxAge * 1000),
  });
  const size = Buffer.byteLength(header);
  if (size > MAX_COOKIE_BYTES) {
    throw new FlagonError(
      ErrorCodes.INVALID_RESPONSE,
      `the session cookie would be ${size} bytes, over the ${MAX_COOKIE_BYTES} bytes browsers keep, so the session could not be saved; keep less in the session (ids rather than records), or keep sessions on the server with config.session.store = "memory" or { redis: "redis://…" }`,
    );
  }
  response.headers.append("set-cookie", header);
}

/** Tells the client to drop the session cookie. */
export function clearSessionCookie(response: FlagonResponse, cookie: SessionCookie): void {
  response.clearCookie(cookie.name, cookie.attributes);
}

/**
 * Marks a response that read or wrote the session as private to this visitor: `Vary: Cookie`
 * (added to existing values) and `Cache-Control: private` (`public`, `s-maxage` and qualified
 * `private="…"` removed; an existing `no-store` is kept and is enough).
 */
export function markPrivate(response: FlagonResponse): void {
  const { headers } = response;
  const joined = (name: string): string => {
    const value = headers.get(name);
    return (Array.isArray(value) ? value.join(", ") : (value ?? "")).trim();
  };
  const vary = joined("vary");
  if (vary === "") headers.set("vary", "Cookie");
  else if (!vary.split(",").some((item) => ["cookie", "*"].includes(item.trim().toLowerCase()))) {
    headers.set("vary", `${vary}, Cookie`);
  }
  const directives = joined("cache-control")
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
  const name = (directive: string): string => (directive.split("=")[0] ?? "").trim().toLowerCase();
  const kept = directives.filter((d) => !["public", "s-maxage", "private"].includes(name(d)));
  if (!kept.some((d) => name(d) === "no-store")) kept.unshift("private");
  headers.set("cache-control", kept.join(", "));
}
