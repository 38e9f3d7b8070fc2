// Who is asking: the user of a request, found once per request (lazily) from an API token or
// JWT in Authorization, the session, or a remember-me cookie; an anonymous user otherwise.
import { createHash } from "node:crypto";
import type { Context, Flagon } from "@flagon/core";
import type { ApiTokens } from "./api-tokens.js";
import { malformedBasic, parseBasic } from "./basic.js";
import type { JwtVerifier } from "./jwt.js";
import type { Limiter } from "./limiter.js";
import { fromRememberCookie, type RememberSettings } from "./remember.js";

/** What the plugin needs of a user; the app's own type may carry anything else. */
export interface AuthUser {
  readonly id: string | number;
  /** false refuses logins and ends sessions (default true). */
  readonly isActive?: boolean;
  readonly roles?: readonly string[];
  /**
   * Changes when the password (or anything that must end other sessions) changes: every
   * session and remember cookie made under another value stops working.
   */
  readonly sessionVersion?: string | number | null;
}

/**
 * How the app finds its users: provide a class extending it (`app.provide({ provide:
 * UserLoader, useClass: MyLoader })`), backed by the database or anything else.
 */
export class UserLoader<U extends AuthUser = AuthUser> {
  /** The user with this id (as stored in the session: a string), or undefined. */
  load(id: string): U | undefined | Promise<U | undefined> {
    throw new Error(`${this.constructor.name} must implement load(id) to find user ${JSON.stringify(id)}`);
  }
  /**
   * The user owning an API token, looked up by the token's SHA-256 (`hashApiToken`): store
   * only that hash. Optional; without it, Bearer and API-key tokens are not accepted.
   */
  loadByToken?(tokenHash: string): U | undefined | Promise<U | undefined>;
  /**
   * The user whose username and password these are, for HTTP Basic (`auth.basic`). Check the
   * password with `verifyPassword(hashOrUndefined, password)`, which takes as long for an
   * unknown user as for a known one. Optional; without it, Basic credentials are not accepted.
   */
  loadByCredentials?(username: string, password: string): U | undefined | Promise<U | undefined>;
}

export type AuthMethod = "session" | "remember" | "token" | "jwt" | "basic";

/** The user of a request: theirs, marked authenticated, or the anonymous user. */
export type Principal<U extends AuthUser = AuthUser> = (U & AuthenticatedMarks) | AnonymousUser;

export interface AuthenticatedMarks {
  readonly isAuthenticated: true;
  readonly isAnonymous: false;
}

export interface AnonymousUser {
  readonly isAuthenticated: false;
  readonly isAnonymous: true;
  readonly id: null;
  readonly roles: readonly string[];
}

export const ANONYMOUS: AnonymousUser = Object.freeze({
  isAuthenticated: false,
  isAnonymous: true,
  id: null,
  roles: Object.freeze([]),
});

/** How a request was authenticated, for guards (`@FreshLoginRequired`). */
export interface Identity<U extends AuthUser = AuthUser> {
  readonly user: Principal<U>;
  readonly via: AuthMethod | undefined;
  /** Logged in with the password during this session (not restored from a remember cookie). */
  readonly fresh: boolean;
  /** An API token's scopes (`ApiTokens.issue`); undefined when the request is not limited to some. */
  readonly scopes?: readonly string[];
}

/** What the session holds for a login. */
export interface SessionAuth {
  readonly id: string;
  readonly v: string | number | null;
  readonly fresh: boolean;
}

export const SESSION_KEY = "_auth";

export interface IdentitySettings {
  readonly loader: () => UserLoader | undefined;
  readonly remember: RememberSettings;
  readonly apiKeyHeader: string | undefined;
  /** The `Authorization` schemes that carry a token (API token or JWT), lower-cased. */
  readonly tokenSchemes: readonly string[];
  /** The first of them as configured: the one a 401's WWW-Authenticate names. */
  readonly challengeScheme: string;
  readonly jwt: JwtVerifier | undefined;
  /** The realm of WWW-Authenticate in 401s. */
  readonly realm: string;
  /** HTTP Basic, when enabled (`auth.basic`). */
  readonly basic: { readonly realm: string; readonly challengeBrowsers: boolean } | undefined;
  readonly limiter: Limiter;
  /** The app's personal access tokens, when it provides an ApiTokenStore. */
  readonly apiTokens: () => ApiTokens | undefined;
}

const identities = new WeakMap<Context, Promise<Identity>>();
const settingsByApp = new WeakMap<Flagon, IdentitySettings>();

export function attachIdentity(app: Flagon, settings: IdentitySettings): void {
  settingsByApp.set(app, settings);
}

function settingsOf(ctx: Context): IdentitySettings {
  const settings = settingsByApp.get(ctx.app);
  if (settings === undefined)
    throw new Error("@flagon/auth is not registered on this app: app.register(auth) first");
  return settings;
}

/** The SHA-256 of an API token, as UserLoader.loadByToken receives it (hex). */
export function hashApiToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Marks a loaded user as authenticated without copying it (its methods stay usable). */
export function authenticated<U extends AuthUser>(user: U): U & AuthenticatedMarks {
  if (Object.isFrozen(user) || !Object.isExtensible(user)) {
    return { ...user, isAuthenticated: true, isAnonymous: false };
  }
  if ((user as Partial<AuthenticatedMarks>).isAuthenticated !== true) {
    Object.defineProperties(user, {
      isAuthenticated: { value: true, enumerable: false, configurable: true },
      isAnonymous: { value: false, enumerable: false, configurable: true },
    });
  }
  return user as U & AuthenticatedMarks;
}

const usable = (user: AuthUser | undefined): user is AuthUser =>
  user !== undefined && user.isActive !== false;
const versionOf = (user: AuthUser): string | number | null => user.sessionVersion ?? null;

/** The request's identity, found on first call (later calls share it). */
export function identity(ctx: Context): Promise<Identity> {
  let found = identities.get(ctx);
  if (found === undefined) {
    found = resolve(ctx, settingsOf(ctx));
    identities.set(ctx, found);
  }
  return found;
}

/** The request's user: theirs (authenticated) or the anonymous user. */
export async function currentUser<U extends AuthUser = AuthUser>(ctx: Context): Promise<Principal<U>> {
  return (await identity(ctx)).user;
}

/** Forgets what was found for this request (after a login or logout within it). */
export function setIdentity(ctx: Context, value: Identity): void {
  identities.set(ctx, Promise.resolve(value));
}

const NOBODY: Identity = { user: ANONYMOUS, via: undefined, fresh: false };

/**
 * Whether the request was authenticated by an API token or a JWT — credentials a browser never
 * sends by itself, so a CSRF check may skip it. False for sessions, remember-me cookies and
 * HTTP Basic (browsers resend cached Basic credentials on cross-site requests).
 */
export async function authenticatedByToken(ctx: Context): Promise<boolean> {
  const { via } = await identity(ctx);
  return via === "token" || via === "jwt";
}

/** Whether the app accepts API tokens or JWTs (a 401 then names the token scheme). */
function acceptsTokens(settings: IdentitySettings): boolean {
  return (
    settings.jwt !== undefined ||
    settings.apiTokens() !== undefined ||
    settings.loader()?.loadByToken !== undefined
  );
}

/** The WWW-Authenticate of a 401: each scheme the app accepts, in order of preference. */
export function challengeOf(settings: IdentitySettings): string {
  const challenges: string[] = [];
  if (acceptsTokens(settings)) challenges.push(`${settings.challengeScheme} realm="${settings.realm}"`);
  if (settings.basic !== undefined) challenges.push(`Basic realm="${settings.basic.realm}", charset="UTF-8"`);
  return challenges.length === 0 ? `Session realm="${settings.realm}"` : challenges.join(", ");
}

async function resolve(ctx: Context, settings: IdentitySettings): Promise<Identity> {
  const loader = settings.loader();
  if (loader === undefined) return NOBODY;
  const fromHeader = await fromAuthorization(ctx, settings, loader);
  if (fromHeader !== undefined) return fromHeader;
  // No cookie at all: no session to read, and the request stays cacheable.
  if (ctx.request.headers.cookie === undefined) return NOBODY;
  const session = await ctx.session();
  const stored = session.get<SessionAuth>(SESSION_KEY);
  if (stored !== undefined && typeof stored === "object" && typeof stored.id === "string") {
    const user = await loader.load(stored.id);
    if (usable(user) && versionOf(user) === stored.v) {
      return { user: authenticated(user), via: "session", fresh: stored.fresh === true };
    }
    // Deleted, deactivated, or its password changed since: this session no longer logs in.
    session.delete(SESSION_KEY);
  }
  return (await fromRememberCookie(ctx, settings.remember, loader)) ?? NOBODY;
}

/**
 * The token of `Authorization: <scheme> <token>` for one of the configured schemes (Bearer by
 * default), else the API-key header's value when one is configured.
 */
export function presentedToken(ctx: Context, settings: IdentitySettings): string | undefined {
  const scheme = authorizationScheme(ctx);
  if (scheme !== undefined && settings.tokenSchemes.includes(scheme.name)) return scheme.value;
  if (settings.apiKeyHeader !== undefined) {
    const value = ctx.request.headers[settings.apiKeyHeader];
    if (typeof value === "string") return value.trim();
  }
  return undefined;
}

/** `Authorization: <scheme> <value>`, the scheme lower-cased. */
function authorizationScheme(ctx: Context): { name: string; value: string } | undefined {
  const header = ctx.request.headers.authorization;
  if (typeof header !== "string") return undefined;
  const space = header.indexOf(" ");
  return space > 0
    ? { name: header.slice(0, space).toLowerCase(), value: header.slice(space + 1).trim() }
    : undefined;
}

async function fromBasic(
  ctx: Context,
  settings: IdentitySettings,
  loader: UserLoader,
  value: string,
): Promise<Identity> {
  const credentials = parseBasic(value);
  if (typeof credentials === "string") throw malformedBasic(credentials, challengeOf(settings));
  if (loader.loadByCredentials === undefined) return NOBODY;
  const hadFailures = await settings.limiter.check(ctx, credentials.username);
  const user = await loader.loadByCredentials(credentials.username, credentials.password);
  if (!usable(user)) {
    await settings.limiter.fail(ctx, credentials.username);
    return NOBODY;
  }
  // A store write only when there were failures to forget, not on every request.
  if (hadFailures) await settings.limiter.succeed(ctx, credentials.username);
  return { user: authenticated(user), via: "basic", fresh: false };
}

async function fromAuthorization(
  ctx: Context,
  settings: IdentitySettings,
  loader: UserLoader,
): Promise<Identity | undefined> {
  if (settings.basic !== undefined) {
    const scheme = authorizationScheme(ctx);
    if (scheme?.name === "basic") return fromBasic(ctx, settings, loader, scheme.value);
  }
  const token = presentedToken(ctx, settings);
  if (token === undefined || token === "") return undefined;
  if (settings.jwt !== undefined && /^[\w-]+\.[\w-]+\.[\w-]*$/.test(token)) {
    const subject = await settings.jwt.verify(token);
    const user = subject === undefined ? undefined : await loader.load(subject);
    return usable(user) ? { user: authenticated(user), via: "jwt", fresh: false } : NOBODY;
  }
  const tokens = settings.apiTokens();
  if (tokens !== undefined) {
    const record = await tokens.verify(token);
    const owner = record === undefined ? undefined : await loader.load(record.userId);
    return usable(owner)
      ? { user: authenticated(owner), via: "token", fresh: false, scopes: record!.scopes }
      : NOBODY;
  }
  if (loader.loadByToken === undefined) return NOBODY;
  const user = await loader.loadByToken(hashApiToken(token));
  // A token that names nobody is an anonymous request: guards answer 401, never the session.
  return usable(user) ? { user: authenticated(user), via: "token", fresh: false } : NOBODY;
}

export { versionOf, usable };
