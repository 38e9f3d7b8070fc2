// HTTP Basic (RFC 7617) as a request loader: `Authorization: Basic base64(user:password)`,
// checked by UserLoader.loadByCredentials behind the failed-login limits. It never makes a
// session, and it is not a token: browsers resend cached Basic credentials by themselves, so a
// Basic request gets no CSRF exemption (see authenticatedByToken).
import { HttpError } from "@flagon/core";

export interface BasicCredentials {
  readonly username: string;
  readonly password: string;
}

const TOKEN68 = /^[A-Za-z0-9+/]+={0,2}$/;
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The user and password of a Basic credential (the text after "Basic "), or a message naming
 * what is wrong with it: not base64, not UTF-8, no colon, or control characters.
 */
export function parseBasic(value: string): BasicCredentials | string {
  const encoded = value.trim();
  if (encoded.length > 4096) return "the Basic credentials are too long";
  if (!TOKEN68.test(encoded) || encoded.length % 4 !== 0)
    return "the Basic credentials are not base64 of user:password";
  const bytes = Buffer.from(encoded, "base64");
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return "the Basic credentials are not UTF-8";
  }
  const colon = text.indexOf(":");
  if (colon === -1) return "the Basic credentials have no colon between user and password";
  if (/[\u0000-\u001f\u007f]/.test(text)) return "the Basic credentials contain control characters";
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** The 401 for unusable Basic credentials, with the challenge of every accepted scheme. */
export function malformedBasic(message: string, challenge: string): HttpError {
  return new HttpError(401, message, { headers: { "www-authenticate": challenge } });
}
