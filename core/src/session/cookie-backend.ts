import { randomBytes } from "node:crypto";
import type { Context } from "../http/context.js";
import type { FlagonResponse } from "../http/response.js";
import { clearSessionCookie, type SessionCookie, writeSessionCookie } from "./cookie.js";
import type { SessionBackend } from "./backend.js";
import { Session, type SessionControl } from "./session.js";
import type { Signer } from "./signing.js";

/** Tolerated clock skew for an issued-at time in the future. */
const FUTURE_SKEW_MS = 5 * 60_000;

class CookieState implements SessionControl {
  /** When the cookie the request brought was signed (ms); undefined for a new session. */
  issuedAt: number | undefined;
  /** When the session began (ms): kept across re-issues, reset by regenerate(). */
  createdAt: number | undefined;
  /** The signed payload the request brought (re-signed as is after a key rotation). */
  payload: string | undefined;
  /** Signed with a fallback key: re-sign with the current one. */
  stale = false;
  /** Drop the cookie even when nothing is left to save (destroy, regenerate). */
  drop = false;

  regenerate(): Promise<void> {
    this.drop = true;
    this.createdAt = undefined;
    return Promise.resolve();
  }

  destroy(): Promise<void> {
    this.drop = true;
    this.createdAt = undefined;
    return Promise.resolve();
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Sessions kept in the cookie itself:
 * `base64url(JSON {t: issued-at ms, n: nonce, d: data}) "." base64url(HMAC-SHA256)`.
 * Signed, not encrypted: the visitor can read the data but not change it. `maxAge` is checked
 * on the server from the signed issued-at time, never from the cookie's own expiry. A cookie is
 * re-issued only when the session changed (a fresh issued-at) or was signed by a fallback key
 * (re-signed with the current key, same issued-at, so rotation never extends a session).
 */
export class CookieBackend implements SessionBackend {
  private readonly states = new WeakMap<Session, CookieState>();

  constructor(
    private readonly signer: Signer,
    private readonly maxAgeSeconds: number,
    /** Seconds after its start (or its last regenerate()) when a session ends, however active. */
    private readonly absoluteTimeoutSeconds = Number.POSITIVE_INFINITY,
  ) {}

  open(value: string | undefined, ctx: Context): Promise<Session> {
    const state = new CookieState();
    let data: Record<string, unknown> = {};
    if (value !== undefined) {
      const loaded = this.read(value, ctx);
      if (loaded) {
        data = loaded.data;
        state.issuedAt = loaded.issuedAt;
        state.payload = loaded.payload;
        state.stale = loaded.stale;
        state.createdAt = loaded.createdAt;
      }
    }
    const session = new Session(data, state.issuedAt === undefined, state);
    this.states.set(session, state);
    return Promise.resolve(session);
  }

  save(session: Session, response: FlagonResponse, cookie: SessionCookie): Promise<void> {
    const state = this.states.get(session);
    if (!state) return Promise.resolve();
    const modified = session.modified;
    if (!modified && !state.stale) return Promise.resolve();
    if (session.keys().length === 0) {
      if (state.issuedAt !== undefined || state.drop) clearSessionCookie(response, cookie);
      return Promise.resolve();
    }
    const now = Date.now();
    const reissue = modified || state.issuedAt === undefined || state.payload === undefined;
    const issuedAt = reissue ? now : (state.issuedAt as number);
    const createdAt = state.createdAt ?? now;
    // A fresh issue gets a random nonce, so no two cookies are alike (regenerate() changes it even
    // within one millisecond); re-signing after rotation keeps the payload as it was.
    const payload = reissue
      ? Buffer.from(
          JSON.stringify({
            t: issuedAt,
            c: createdAt,
            n: randomBytes(8).toString("base64url"),
            d: session.toJSON(),
          }),
        ).toString("base64url")
      : (state.payload as string);
    const remaining = Math.min(
      (issuedAt + this.maxAgeSeconds * 1000 - now) / 1000,
      (createdAt + this.absoluteTimeoutSeconds * 1000 - now) / 1000,
    );
    writeSessionCookie(response, cookie, this.signer.sign(payload), remaining);
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** The data of a valid cookie; a tampered, malformed or expired one is ignored (logged at debug). */
  private read(
    value: string,
    ctx: Context,
  ):
    | { data: Record<string, unknown>; issuedAt: number; createdAt: number; payload: string; stale: boolean }
    | undefined {
    const verified = this.signer.verify(value);
    if (!verified) {
      ctx.log.debug("session cookie ignored: bad signature");
      return undefined;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(verified.payload, "base64url").toString("utf8"));
    } catch {
      ctx.log.debug("session cookie ignored: malformed payload");
      return undefined;
    }
    if (!isRecord(parsed) || typeof parsed["t"] !== "number" || !isRecord(parsed["d"])) {
      ctx.log.debug("session cookie ignored: malformed payload");
      return undefined;
    }
    const issuedAt = parsed["t"];
    // Cookies from before the creation time was kept count from their issue.
    const createdAt = typeof parsed["c"] === "number" ? parsed["c"] : issuedAt;
    const now = Date.now();
    if (
      now - issuedAt > this.maxAgeSeconds * 1000 ||
      now - createdAt > this.absoluteTimeoutSeconds * 1000 ||
      issuedAt > now + FUTURE_SKEW_MS
    ) {
      ctx.log.debug("session cookie ignored: expired");
      return undefined;
    }
    return { data: parsed["d"], issuedAt, createdAt, payload: verified.payload, stale: verified.stale };
  }
}
