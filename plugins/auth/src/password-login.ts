// The whole password login in one call: the failed-login limits, a verification that takes as
// long for an unknown account as for a known one, the rehash of an outdated hash, and login().
import type { Context } from "@flagon/core";
import type { AuthUser } from "./identity.js";
import { login } from "./login.js";
import { hashPassword, needsRehash, verifyPassword } from "./passwords.js";
import { settingsFor } from "./settings.js";

export interface PasswordLogin<U extends AuthUser> {
  /** What the user typed as their account (email, username). */
  readonly account: string;
  readonly password: string;
  /** The user with this account, or undefined. */
  readonly find: (account: string) => U | undefined | Promise<U | undefined>;
  /** The stored hash of a user's password. */
  readonly hashOf: (user: U) => string | null | undefined;
  /** Called with a fresh hash when the stored one used weaker parameters: store it. */
  readonly rehash?: (user: U, hash: string) => void | Promise<void>;
  readonly remember?: boolean;
}

/**
 * Checks the password and logs the user in; resolves to the user, or undefined for a wrong
 * account or password (say only "wrong email or password"). Throws a 429 past the limits.
 */
export async function loginWithPassword<U extends AuthUser>(
  ctx: Context,
  attempt: PasswordLogin<U>,
): Promise<U | undefined> {
  const { limiter } = settingsFor(ctx.app);
  await limiter.check(ctx, attempt.account);
  const user = await attempt.find(attempt.account);
  const stored = user === undefined ? undefined : attempt.hashOf(user);
  const ok = await verifyPassword(stored, attempt.password);
  if (!ok || user === undefined || user.isActive === false) {
    await limiter.fail(ctx, attempt.account);
    return undefined;
  }
  await limiter.succeed(ctx, attempt.account);
  if (attempt.rehash !== undefined && typeof stored === "string" && needsRehash(stored)) {
    await attempt.rehash(user, await hashPassword(attempt.password));
  }
  await login(ctx, user, { remember: attempt.remember ?? false });
  return user;
}
