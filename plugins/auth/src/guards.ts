// @LoginRequired, @FreshLoginRequired, @Roles and @Can: checked in a preHandler hook, so they
// run before the handler, form parsing and cache look-ups (the plugin registers before
// @flagon/cache and @flagon/forms whatever the order in the config).
import { FlagonResponse, HttpError, type Context, type RouteInfo } from "@flagon/core";
import { createRouteDecorator } from "@flagon/core/plugin";
import { type AuthUser, challengeOf, identity, type Principal } from "./identity.js";
import { requestedPath } from "./next-url.js";
import { settingsFor } from "./settings.js";

export const LoginRequired = createRouteDecorator("auth.loginRequired", () => true);
export const FreshLoginRequired = createRouteDecorator("auth.freshLoginRequired", () => true);
/** Any of the roles (the user's `roles`). */
export const Roles = createRouteDecorator("auth.roles", (...roles: string[]) => roles);
/** A predicate on the user (and the request); false gives 403. */
export const Can = createRouteDecorator(
  "auth.can",
  (predicate: (user: Principal, ctx: Context) => boolean | Promise<boolean>) => predicate,
);

/**
 * Every one of these scopes, for a request authenticated by an API token issued with scopes
 * (`ApiTokens.issue(…, { scopes })`); a session, JWT or unscoped token passes. Else 403.
 */
export const Scopes = createRouteDecorator("auth.scopes", (...scopes: string[]) => scopes);

export const isGuarded = (route: RouteInfo | undefined): boolean =>
  LoginRequired.has(route) ||
  FreshLoginRequired.has(route) ||
  Roles.has(route) ||
  Can.has(route) ||
  Scopes.has(route);

/** Whether the client is a browser that should be redirected (it names HTML in Accept). */
function wantsHtml(ctx: Context): boolean {
  return /\b(text\/html|application\/xhtml\+xml)\b/i.test(ctx.request.headers.accept ?? "");
}

/** A browser is sent to the login page, unless Basic is how it logs in (it then gets the prompt). */
function redirectsBrowser(ctx: Context, basic: { readonly challengeBrowsers: boolean } | undefined): boolean {
  if (!wantsHtml(ctx) || ctx.request.method !== "GET") return false;
  if (basic === undefined) return true;
  const presentedBasic = /^basic /i.test(ctx.request.headers.authorization ?? "");
  return !basic.challengeBrowsers && !presentedBasic;
}

function unauthorized(ctx: Context, message: string): FlagonResponse | HttpError {
  const settings = settingsFor(ctx.app);
  if (redirectsBrowser(ctx, settings.basic)) {
    const next = requestedPath(ctx.request.path, ctx.request.queryString);
    const separator = settings.loginUrl.includes("?") ? "&" : "?";
    const location = `${settings.loginUrl}${separator}${settings.nextParam}=${encodeURIComponent(next)}`;
    return new FlagonResponse(null, { status: 303, headers: { location } });
  }
  return new HttpError(401, message, { headers: { "www-authenticate": challengeOf(settings) } });
}

/** The preHandler of guarded routes. */
export async function guard(ctx: Context): Promise<FlagonResponse | undefined> {
  // A CORS preflight carries no credentials: it is answered as for any route.
  if (ctx.request.method === "OPTIONS") return undefined;
  const { user, fresh, scopes } = await identity(ctx);
  const route = ctx.route;
  if (!user.isAuthenticated) {
    const refusal = unauthorized(ctx, "log in to see this page");
    if (refusal instanceof HttpError) throw refusal;
    return refusal;
  }
  if (FreshLoginRequired.has(route) && !fresh) {
    const refusal = unauthorized(ctx, "confirm your password to continue");
    if (refusal instanceof HttpError) throw refusal;
    return refusal;
  }
  const roles = Roles.get(route);
  if (roles !== undefined && roles.length > 0) {
    const own = (user as AuthUser).roles ?? [];
    if (!roles.some((role) => own.includes(role)))
      throw new HttpError(403, "you do not have the role this needs");
  }
  const needed = Scopes.get(route);
  if (needed !== undefined && scopes !== undefined && scopes.length > 0) {
    const missing = needed.filter((scope) => !scopes.includes(scope));
    if (missing.length > 0) throw new HttpError(403, `this token lacks the scope ${missing.join(", ")}`);
  }
  const predicate = Can.get(route);
  if (predicate !== undefined && !(await predicate(user, ctx)))
    throw new HttpError(403, "you may not do this");
  return undefined;
}
