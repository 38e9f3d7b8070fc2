// Logging in and out: a new session id at every login (no fixation), the user's session
// version stored with it (a password change ends every other session), a remember-me cookie.
import { redirect, type Context, type FlagonResponse } from "@flagon/core";
import {
  type AuthUser,
  authenticated,
  identity,
  SESSION_KEY,
  type SessionAuth,
  setIdentity,
  ANONYMOUS,
  usable,
  versionOf,
} from "./identity.js";
import { safeNext } from "./next-url.js";
import { rememberCookieValue, revokeRememberCookie } from "./remember.js";
import { settingsFor } from "./settings.js";

export interface LoginOptions {
  /** Also set the remember-me cookie, which restores the login after the session ends. */
  readonly remember?: boolean;
  /** A login with the password (default true); false for one restored some other way. */
  readonly fresh?: boolean;
}

/** Thrown by login() for a user whose `isActive` is false. */
export class InactiveUserError extends Error {
  constructor() {
    super("this account is disabled");
    this.name = "InactiveUserError";
  }
}

/**
 * Logs the user in for this and later requests: regenerates the session (a session id planted
 * before the login is worthless after it), stores the user's id and session version, and with
 * `remember` sets the remember-me cookie (signed, HttpOnly, SameSite=Lax, Secure over HTTPS).
 */
export async function login(ctx: Context, user: AuthUser, options: LoginOptions = {}): Promise<void> {
  if (!usable(user)) throw new InactiveUserError();
  const settings = settingsFor(ctx.app);
  const session = await ctx.session();
  await session.regenerate();
  const fresh = options.fresh ?? true;
  session.set(SESSION_KEY, { id: String(user.id), v: versionOf(user), fresh } satisfies SessionAuth);
  if (options.remember) {
    ctx.response.setCookie(settings.remember.cookie, rememberCookieValue(settings.remember.signer(), user), {
      httpOnly: true,
      sameSite: "Lax",
      secure: ctx.request.protocol === "https",
      path: "/",
      maxAge: settings.remember.maxAge,
    });
  }
  setIdentity(ctx, { user: authenticated(user), via: "session", fresh });
}

/**
 * Logs out: the session is destroyed (or the cookie session emptied), and the remember cookie
 * revoked server-side (a copy of it no longer logs in) and cleared.
 */
export async function logout(ctx: Context): Promise<void> {
  const settings = settingsFor(ctx.app);
  const session = await ctx.session();
  await session.destroy();
  await revokeRememberCookie(ctx, settings.remember);
  setIdentity(ctx, { user: ANONYMOUS, via: undefined, fresh: false });
}

/** Whether the request's login is fresh (with the password, in this session). */
export async function isFresh(ctx: Context): Promise<boolean> {
  return (await identity(ctx)).fresh;
}

/**
 * The redirect at the end of a login form: to the request's `next` when it is a path of this
 * site (see safeNext), else to `fallback`. A 303, so the browser follows with a GET.
 */
export function redirectAfterLogin(ctx: Context, fallback = "/"): FlagonResponse {
  const { nextParam } = settingsFor(ctx.app);
  return redirect(safeNext(ctx.request.query.get(nextParam), fallback), 303);
}
