// Personal access tokens: 256 random bits, shown once, stored only as a SHA-256 hash, with a
// fixed prefix so leaked tokens are easy to scan for (as GitHub's ghp_ tokens are).
import { randomBytes } from "node:crypto";
import { hashApiToken } from "./identity.js";

export interface IssuedToken {
  /** The token itself: show it to its owner once, never store it. */
  readonly token: string;
  /** What to store, and what UserLoader.loadByToken receives. */
  readonly hash: string;
  /** The first characters, to show in a list of tokens ("flg_3fA9…"). */
  readonly preview: string;
}

/** A new API token: `<prefix>_<43 base64url characters>`. */
export function createApiToken(prefix = "flg"): IssuedToken {
  if (!/^[a-z][a-z0-9]{1,9}$/.test(prefix))
    throw new TypeError("a token prefix is 2 to 10 lower-case letters and digits");
  const token = `${prefix}_${randomBytes(32).toString("base64url")}`;
  return { token, hash: hashApiToken(token), preview: `${token.slice(0, prefix.length + 5)}…` };
}
