import type { Flagon } from "@flagon/core";
import type { JWTPayload } from "jose";
import { settingsFor } from "./settings.js";

/**
 * A JWT for `subject` (the user id `UserLoader.load` receives), signed with the first key of
 * `auth.jwt`, with its issuer, audience and lifetime; `claims` adds claims of the app's own.
 *
 * @example
 * const token = await issueJwt(app, String(user.id));
 * return { user: { email: user.email, token } };
 */
export function issueJwt(app: Flagon, subject: string, claims?: JWTPayload): Promise<string> {
  const { jwt } = settingsFor(app);
  if (jwt === undefined) {
    return Promise.reject(new Error("auth.jwt is not configured: give it a key to issue tokens with"));
  }
  if (subject === "") return Promise.reject(new TypeError("a JWT needs a subject (the user's id)"));
  return jwt.sign(subject, claims);
}
