import { randomBytes, timingSafeEqual } from "node:crypto";
import { type Context, type Flagon, ForbiddenError, type Session } from "@flagon/core";
import { type AppSigner, createRouteDecorator } from "@flagon/core/plugin";
import { FormBound, isFormPage } from "./form/marker.js";
import { formType } from "./guard.js";

/** Why a request failed the CSRF check (logged, and named in the 403's `reason`). */
export type CsrfReason = "missing" | "invalid" | "expired" | "wrong-session" | "cross-origin";

const MESSAGES: Record<CsrfReason, string> = {
  missing: "The CSRF token is missing.",
  invalid: "The CSRF token is invalid.",
  expired: "The CSRF token has expired.",
  "wrong-session": "The CSRF token does not match this session.",
  "cross-origin": "The request came from another origin.",
};

/**
 * The 403 of a request that failed the CSRF check. JSON clients get problem+json with its
 * `reason`; an app re-renders its HTML form with `app.setErrorHandler(CsrfError, …)`.
 */
export class CsrfError extends ForbiddenError {
  override name = "CsrfError";
  readonly reason: CsrfReason;

  constructor(reason: CsrfReason) {
    super(MESSAGES[reason], { details: { reason } });
    this.reason = reason;
  }
}

/** Turns the CSRF check off for a route or a whole controller (webhooks, token-authenticated APIs). */
export const CsrfExempt = createRouteDecorator("forms.csrfExempt", () => true);

export interface CsrfSettings {
  readonly enabled: boolean;
  /** Seconds a token stays valid. */
  readonly timeLimit: number;
  readonly fieldName: string;
  readonly headerName: string;
  /** Origins besides the app's own allowed to post, normalised (`https://app.example.com`). */
  readonly trustedOrigins: readonly string[];
  /** A header carrying an API key (the auth plugin's `apiKeyHeader`): a request with it is exempt. */
  readonly apiKeyHeader?: string | undefined;
}

interface AppCsrf {
  readonly settings: CsrfSettings;
  readonly signer: AppSigner;
}

/** The session key holding the session's CSRF secret. */
export const SESSION_KEY = "_csrf";
/** Methods that never change state; every other method is checked (also ones a route invents). */
const SAFE_METHODS = new Set(["GET", "HEAD", "TRACE"]);
/** `Authorization: <scheme> <credentials>`: the scheme (an RFC 9110 token) and something after it. */
const AUTHORIZATION = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)[ \t]+\S/;
/**
 * The schemes a browser sends by itself, from credentials it keeps (HTTP authentication, the
 * OS's Kerberos/NTLM): a cross-site form post carries them. Any other scheme can only be set by a
 * script, which another origin cannot do without a CORS preflight that the app must allow.
 */
const AMBIENT_SCHEMES = new Set(["basic", "digest", "negotiate", "ntlm"]);
const apps = new WeakMap<Flagon, AppCsrf>();
const tokens = new WeakMap<Context, string>();
const deferred = new WeakMap<Context, CsrfReason>();

/** @internal Records the app's CSRF settings and signer (the plugin's `register`). */
export function attachCsrf(app: Flagon, settings: CsrfSettings): void {
  apps.set(app, { settings, signer: app.signer("csrf") });
}

function csrfOf(ctx: Context): AppCsrf {
  const csrf = apps.get(ctx.app);
  if (csrf === undefined) throw new Error("@flagon/forms is not registered on this app");
  return csrf;
}

const newSecret = (): string => randomBytes(24).toString("base64url");

/** The token of a loaded session, giving the session a secret if it has none. */
function tokenOf(ctx: Context, session: Session): string {
  let token = tokens.get(ctx);
  if (token === undefined) {
    let secret = session.get(SESSION_KEY);
    if (typeof secret !== "string") {
      secret = newSecret();
      session.set(SESSION_KEY, secret);
    }
    token = csrfOf(ctx).signer.sign(secret as string);
    tokens.set(ctx, token);
  }
  return token;
}

/**
 * The token of a request whose session is not loaded and that brought no session cookie (its
 * session is new, so it has no secret yet): made now, synchronously, for a template; the session
 * is loaded in the background and gets the secret before the response saves it.
 */
function tokenOfNewSession(ctx: Context): string {
  let token = tokens.get(ctx);
  if (token === undefined) {
    const secret = newSecret();
    token = csrfOf(ctx).signer.sign(secret);
    tokens.set(ctx, token);
    // The load registers the session's save step now; this reaction is queued before that step
    // awaits the same load, so the secret is in the session when it is saved. A failed load
    // fails the response by itself (sessions fail closed).
    ctx.session().then(
      (session) => {
        if (typeof session.get(SESSION_KEY) !== "string") session.set(SESSION_KEY, secret);
      },
      () => undefined,
    );
  }
  return token;
}

/**
 * A CSRF token for this request's session, to put in a form's `csrf_token` field or send in the
 * `X-CSRF-Token` header. It loads the session and gives it a secret on first use; every call in
 * one request gives the same token. Templates have it as `csrf_token()`.
 */
export async function csrfToken(ctx: Context): Promise<string> {
  return tokens.get(ctx) ?? tokenOf(ctx, await ctx.session());
}

/**
 * The template context processor: `csrf_token()` for every render, lazy. A page that never calls
 * it does no CSRF work: it neither loads nor creates a session (no `Set-Cookie`, no
 * `Vary: Cookie`). The core loads the session before a render when the request brings a session
 * cookie, so a call then finds it loaded; without one, the session is new.
 */
export async function csrfTemplateContext(ctx: Context): Promise<Record<string, unknown>> {
  if (!ctx.sessionUsed) return { csrf_token: () => tokens.get(ctx) ?? tokenOfNewSession(ctx) };
  const session = await ctx.session();
  return { csrf_token: () => tokenOf(ctx, session) };
}

function sameString(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The token the request carries: the header, else the form field; never the query string. */
async function presentedToken(ctx: Context, settings: CsrfSettings): Promise<string | undefined> {
  const header = ctx.request.header(settings.headerName);
  if (header !== undefined && header !== "") return header;
  if (formType(ctx) === undefined) return undefined;
  const body = (await ctx.body(["form", "multipart"])) as Record<string, unknown>;
  const value = body[settings.fieldName];
  const first = Array.isArray(value) ? (value as unknown[])[0] : value;
  return typeof first === "string" && first !== "" ? first : undefined;
}

/** An origin in its serialised form (`https://host[:port]`, lower-case, no default port). */
export function normalOrigin(value: string): string | undefined {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the request's Origin or Fetch Metadata shows it comes from another site. */
function crossOrigin(ctx: Context, settings: CsrfSettings): boolean {
  const { request } = ctx;
  const header = request.header("origin");
  const origin = header === undefined ? undefined : normalOrigin(header);
  const trusted = origin !== undefined && settings.trustedOrigins.includes(origin);
  const site = request.header("sec-fetch-site")?.toLowerCase();
  // "null" (a sandboxed frame, a redirect chain, a data: page) is never our origin — except
  // that a browser also sends it on the site's own form posts under `Referrer-Policy:
  // no-referrer` (the core's default), and then says `Sec-Fetch-Site: same-origin`, a header no
  // page can set. The token is required all the same.
  const ownNull = header === "null" && site === "same-origin";
  if (
    header !== undefined &&
    !ownNull &&
    !trusted &&
    origin !== normalOrigin(`${request.protocol}://${request.host}`)
  ) {
    return true;
  }
  return (site === "cross-site" || site === "same-site") && !trusted;
}

/** Why the request fails the check, or undefined when it passes. */
export async function csrfFailure(ctx: Context): Promise<CsrfReason | undefined> {
  const { settings, signer } = csrfOf(ctx);
  if (crossOrigin(ctx, settings)) return "cross-origin";
  const token = await presentedToken(ctx, settings);
  if (token === undefined) return "missing";
  const result = signer.unsign(token, { maxAge: settings.timeLimit });
  if (!result.ok) return result.reason === "expired" ? "expired" : "invalid";
  const secret = (await ctx.session()).get(SESSION_KEY);
  if (typeof secret !== "string" || !sameString(secret, result.value)) return "wrong-session";
  return undefined;
}

/**
 * @internal Why this request failed the CSRF check, when the failure was left to its bound form
 * (an HTML form post to a route with `@Form`): the form is then invalid with a form error.
 */
export function deferredCsrfFailure(ctx: Context): CsrfReason | undefined {
  return deferred.get(ctx);
}

/**
 * Whether the request authenticates with a token a browser never sends on its own: an
 * `Authorization` with credentials of any scheme but Basic, Digest, Negotiate and NTLM (which
 * browsers attach by themselves, also to cross-site posts) — Bearer, Token… — or the API-key
 * header. Never a cookie.
 */
export function tokenAuthenticated(ctx: Context, settings: CsrfSettings): boolean {
  const scheme = AUTHORIZATION.exec(ctx.request.header("authorization") ?? "")?.[1]?.toLowerCase();
  if (scheme !== undefined && !AMBIENT_SCHEMES.has(scheme)) return true;
  if (settings.apiKeyHeader === undefined) return false;
  const key = ctx.request.header(settings.apiKeyHeader);
  return key !== undefined && key.trim() !== "";
}

/**
 * The plugin's preHandler: every request but GET, HEAD, TRACE and CORS preflights must carry a
 * valid token, unless the route is `@CsrfExempt()` or the request is token-authenticated (see
 * `tokenAuthenticated`: a header a browser never adds to a cross-site form post by itself).
 * A failure is a 403 `CsrfError`, except for a browser's form post to a route that binds
 * `@Form(...)`: the handler then runs with that form invalid (and never valid), to show it again.
 */
export async function csrfCheck(ctx: Context): Promise<void> {
  const method = ctx.request.method.toUpperCase();
  if (SAFE_METHODS.has(method)) return;
  // A CORS preflight carries no body and changes nothing (the browser asks before it sends the
  // real request, which is checked); any other OPTIONS request is checked like a POST.
  if (method === "OPTIONS" && ctx.request.header("access-control-request-method") !== undefined) return;
  const { settings } = csrfOf(ctx);
  if (tokenAuthenticated(ctx, settings)) return;
  const reason = await csrfFailure(ctx);
  if (reason === undefined) return;
  ctx.log.warn({ reason, path: ctx.request.path }, `@flagon/forms: CSRF check failed (${reason})`);
  if (FormBound.has(ctx.route) && isFormPage(ctx)) {
    deferred.set(ctx, reason);
    return;
  }
  throw new CsrfError(reason);
}
