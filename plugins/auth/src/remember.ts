// The remember-me cookie: signed by the app, it restores a non-fresh login after the session
// ended. Each cookie carries a random id; logout puts that id on a revocation list (in Redis
// with `limits.url`, and in this process), so a copy of the cookie is worthless after logout.
// A password change (sessionVersion) revokes every remember cookie of the user at once.
import { randomBytes } from "node:crypto";
import type { Context } from "@flagon/core";
import type { AppSigner } from "@flagon/core/plugin";
import type Keyv from "keyv";
import {
  type AuthUser,
  authenticated,
  type Identity,
  SESSION_KEY,
  type SessionAuth,
  type UserLoader,
  usable,
  versionOf,
} from "./identity.js";

export interface RememberSettings {
  readonly cookie: string;
  /** Seconds a remember cookie restores a login. */
  readonly maxAge: number;
  readonly signer: () => AppSigner;
  readonly revocations: RememberRevocations;
}

/** A remember cookie's payload: the user id, session version and the cookie's own id. */
interface RememberPayload {
  readonly id: string;
  readonly v: string | number | null;
  readonly r: string;
}

const KEY = "remember-revoked:";
const LOCAL_MAX = 100_000;

/**
 * Remember-cookie ids revoked by logout, until the cookie would have expired anyway. Kept in
 * this process and, when there is one, in the shared store; when the store fails or is slow a
 * remember cookie is not honoured (the visitor logs in again): revocation fails closed.
 */
export class RememberRevocations {
  private readonly local = new Map<string, number>();

  constructor(
    private readonly store: Keyv | undefined,
    private readonly deadline: number,
  ) {}

  async revoke(cookieId: string, until: number): Promise<void> {
    this.local.delete(cookieId);
    this.local.set(cookieId, until);
    if (this.local.size > LOCAL_MAX) this.local.delete(this.local.keys().next().value as string);
    if (this.store !== undefined) {
      await this.within(this.store.set(KEY + cookieId, 1, Math.max(1, until - Date.now()))).catch(
        () => undefined,
      );
    }
  }

  async isRevoked(cookieId: string): Promise<boolean> {
    const until = this.local.get(cookieId);
    if (until !== undefined && until > Date.now()) return true;
    if (this.store === undefined) return false;
    try {
      return (await this.within(this.store.get(KEY + cookieId))) !== undefined;
    } catch {
      return true;
    }
  }

  private within<T>(call: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error("the revocation store did not answer in time")),
        this.deadline,
      );
    });
    return Promise.race([call, late]).finally(() => clearTimeout(timer));
  }
}

/** The payload of a valid remember cookie (signature and age checked), else undefined. */
function readCookie(ctx: Context, settings: RememberSettings): RememberPayload | undefined {
  const cookie = ctx.request.cookies[settings.cookie];
  if (cookie === undefined) return undefined;
  const checked = settings.signer().unsign(cookie, { maxAge: settings.maxAge });
  if (!checked.ok) return undefined;
  try {
    const payload = JSON.parse(checked.value) as Partial<RememberPayload>;
    return typeof payload.id === "string" && typeof payload.r === "string"
      ? (payload as RememberPayload)
      : undefined;
  } catch {
    return undefined;
  }
}

export async function fromRememberCookie(
  ctx: Context,
  settings: RememberSettings,
  loader: UserLoader,
): Promise<Identity | undefined> {
  if (ctx.request.cookies[settings.cookie] === undefined) return undefined;
  const payload = readCookie(ctx, settings);
  const revoked = payload === undefined || (await settings.revocations.isRevoked(payload.r));
  const user = revoked ? undefined : await loader.load(payload.id);
  if (payload === undefined || revoked || !usable(user) || versionOf(user) !== payload.v) {
    ctx.response.clearCookie(settings.cookie, { path: "/" });
    return undefined;
  }
  // A restored login is not fresh: @FreshLoginRequired asks for the password again.
  const session = await ctx.session();
  await session.regenerate();
  session.set(SESSION_KEY, { id: payload.id, v: versionOf(user), fresh: false } satisfies SessionAuth);
  return { user: authenticated(user), via: "remember", fresh: false };
}

export function rememberCookieValue(signer: AppSigner, user: AuthUser): string {
  const payload: RememberPayload = {
    id: String(user.id),
    v: versionOf(user),
    r: randomBytes(16).toString("base64url"),
  };
  return signer.sign(JSON.stringify(payload));
}

/** Logout: the request's remember cookie (if valid) is revoked and cleared. */
export async function revokeRememberCookie(ctx: Context, settings: RememberSettings): Promise<void> {
  const payload = readCookie(ctx, settings);
  if (payload !== undefined)
    await settings.revocations.revoke(payload.r, Date.now() + settings.maxAge * 1000);
  ctx.response.clearCookie(settings.cookie, { path: "/" });
}
