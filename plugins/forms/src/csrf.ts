import { randomBytes, timingSafeEqual } from "node:crypto";
import {
  type AppSigner,
  type Context,
  createRouteDecorator,
  type Flagon,
  ForbiddenError,
} from "@flagon/core";
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
  /** Origins besides the app's own allowed to post (`https://app.example.com`). */
  readonly trustedOrigins: readonly string[];
}

interface AppCsrf {
  readonly settings: CsrfSettings;
  readonly signer: AppSigner;
}

/** The session key holding the session's CSRF secret. */
export const SESSION_KEY = "_csrf";
const UNSAFE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const apps = new WeakMap<Flagon, AppCsrf>();
const tokens = new WeakMap<Context, Promise<string>>();
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

/**
 * A CSRF token for this request's session, to put in a form's `csrf_token` field or send in the
 * `X-CSRF-Token` header. It loads the session and gives it a secret on first use; every call in
 * one request gives the same token. Templates have it as `csrf_token()`.
 */
export function csrfToken(ctx: Context): Promise<string> {
  let token = tokens.get(ctx);
  if (token === undefined) {
    token = (async () => {
      const { signer } = csrfOf(ctx);
      const session = await ctx.session();
      let secret = session.get(SESSION_KEY);
      if (typeof secret !== "string") {
        secret = randomBytes(24).toString("base64url");
        session.set(SESSION_KEY, secret);
      }
      return signer.sign(secret as string);
    })();
    tokens.set(ctx, token);
  }
  return token;
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

/** Why the request fails the check, or undefined when it passes. */
export async function csrfFailure(ctx: Context): Promise<CsrfReason | undefined> {
  const { settings, signer } = csrfOf(ctx);
  const { request } = ctx;
  const origin = request.header("origin");
  const site = request.header("sec-fetch-site")?.toLowerCase();
  const trusted = origin !== undefined && settings.trustedOrigins.includes(origin);
  if (origin !== undefined && !trusted && origin !== `${request.protocol}://${request.host}`) {
    return "cross-origin";
  }
  if ((site === "cross-site" || site === "same-site") && !trusted) return "cross-origin";
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
 * The plugin's preHandler: every POST, PUT, PATCH and DELETE must carry a valid token, unless
 * the route is `@CsrfExempt()` or the request carries an `Authorization` header (a token-
 * authenticated API call, which a browser never adds to a cross-site form post by itself).
 * A failure is a 403 `CsrfError`, except for a browser's form post to a route that binds `@Form(...)`:
 * the handler then runs with that form invalid (and never valid), to show it again.
 */
export async function csrfCheck(ctx: Context): Promise<void> {
  if (!UNSAFE_METHODS.has(ctx.request.method.toUpperCase())) return;
  if (ctx.request.header("authorization") !== undefined) return;
  const reason = await csrfFailure(ctx);
  if (reason === undefined) return;
  ctx.log.warn({ reason, path: ctx.request.path }, `@flagon/forms: CSRF check failed (${reason})`);
  if (FormBound.has(ctx.route) && isFormPage(ctx)) {
    deferred.set(ctx, reason);
    return;
  }
  throw new CsrfError(reason);
}
