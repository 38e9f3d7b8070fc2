import { Limiter } from "@flagon/auth";

/**
 * Failed logins allowed per account and per client IP in 15 minutes (the defaults of
 * @flagon/auth's `limits`); past them Login answers 429 with Retry-After, even with the right
 * password. Counted in this process: one per app.
 */
export const LOGIN_LIMITS = { perAccount: 5, perIp: 50, window: 900, deadline: 200 } as const;

/** The app's failed-login counters (a token for `app.provide`, and their type). */
export class LoginLimits extends Limiter {}

export function loginLimits(): LoginLimits {
  return new LoginLimits(LOGIN_LIMITS, undefined);
}
