import { randomBytes } from "node:crypto";
import type { Keyv } from "keyv";
import { ServiceUnavailableError } from "../errors/http-errors.js";
import type { Context } from "../http/context.js";
import type { FlagonResponse } from "../http/response.js";
import type { SessionBackend } from "./backend.js";
import { clearSessionCookie, type SessionCookie, writeSessionCookie } from "./cookie.js";
import { Session, type SessionControl } from "./session.js";
import type { Signer } from "./signing.js";

/** Bytes of CSPRNG output in a session id: 128 bits, as OWASP and ASVS ask. */
export const SESSION_ID_BYTES = 16;
const ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;
const KEY_PREFIX = "session:";

export interface StoreBackendOptions {
  /** Seconds without a request that loads the session before it ends. */
  readonly idleTimeout: number;
  /** Seconds after creation when the session ends, however active. */
  readonly absoluteTimeout: number;
  /** Upper bound for the cookie's lifetime, in seconds. */
  readonly maxAge: number;
  /** Milliseconds a store call may take before the request fails with 503. */
  readonly storeTimeout: number;
  /** Closes the store when the app closes (only stores the app opened itself). */
  readonly closeStore?: () => Promise<void>;
}

/** What the store keeps per session: data, created and last-seen times (ms). */
interface SessionRecord {
  d: Record<string, unknown>;
  c: number;
  s: number;
}

function isRecord(value: unknown): value is SessionRecord {
  if (typeof value !== "object" || value === null) return false;
  const { d, c, s } = value as Partial<SessionRecord>;
  return (
    typeof d === "object" && d !== null && !Array.isArray(d) && typeof c === "number" && typeof s === "number"
  );
}

/** A new session id: 128 random bits, base64url (22 characters). */
export function newSessionId(): string {
  return randomBytes(SESSION_ID_BYTES).toString("base64url");
}

class StoreState implements SessionControl {
  id: string | undefined;
  created = 0;
  lastSeen = 0;
  /** The id cookie was signed with a fallback key: re-sign it. */
  stale = false;
  /** Drop the cookie even when nothing is left to save. */
  drop = false;

  constructor(private readonly backend: StoreBackend) {}

  async regenerate(): Promise<void> {
    await this.end();
  }

  async destroy(): Promise<void> {
    await this.end();
  }

  private async end(): Promise<void> {
    if (this.id !== undefined) await this.backend.remove(this.id);
    this.id = undefined;
    this.stale = false;
    this.drop = true;
  }
}

/**
 * Server-side sessions in any Keyv store. The cookie holds only a signed random id. Every store
 * call has a deadline (`storeTimeout`); a timeout or a store error fails the request with 503 —
 * never an empty session for a visitor who brought a session cookie, never a 2xx whose session
 * changes were not saved (a failed idle refresh of an unchanged session is only logged). Idle
 * expiry is refreshed on use (at most once a minute, or every tenth
 * of the idle time); absolute expiry counts from creation. Both are checked on load as well as
 * set as the record's TTL.
 */
export class StoreBackend implements SessionBackend {
  private readonly states = new WeakMap<Session, StoreState>();
  private readonly touchEveryMs: number;

  constructor(
    private readonly store: Keyv,
    private readonly signer: Signer,
    private readonly options: StoreBackendOptions,
  ) {
    this.touchEveryMs = Math.min(60_000, (options.idleTimeout * 1000) / 10);
  }

  async open(value: string | undefined, ctx: Context): Promise<Session> {
    const state = new StoreState(this);
    const record = value === undefined ? undefined : await this.find(value, state, ctx);
    if (record) {
      state.created = record.c;
      state.lastSeen = record.s;
    } else {
      state.id = undefined;
      state.stale = false;
    }
    const session = new Session(record?.d ?? {}, record === undefined, state);
    this.states.set(session, state);
    return session;
  }

  async save(session: Session, response: FlagonResponse, cookie: SessionCookie, ctx: Context): Promise<void> {
    const state = this.states.get(session);
    if (!state) return;
    const now = Date.now();
    if (session.keys().length === 0) {
      if (state.id !== undefined) {
        await this.remove(state.id);
        state.id = undefined;
        state.drop = true;
      }
      if (state.drop) clearSessionCookie(response, cookie);
      return;
    }
    if (state.id === undefined) {
      state.id = newSessionId();
      state.created = now;
      await this.write(state.id, { d: session.toJSON(), c: now, s: now });
      this.setCookie(response, cookie, state, now);
      return;
    }
    const record = { d: session.toJSON(), c: state.created, s: now };
    if (session.modified) {
      await this.write(state.id, record);
    } else if (now - state.lastSeen >= this.touchEveryMs) {
      // Only the idle clock: a failure costs an earlier expiry, never data, so the response stands.
      await this.write(state.id, record).catch((error: unknown) => {
        ctx.log.warn({ err: error }, "session idle refresh failed");
      });
    }
    if (state.stale) this.setCookie(response, cookie, state, now);
  }

  close(): Promise<void> {
    return this.options.closeStore?.() ?? Promise.resolve();
  }

  /** @internal Deletes a session's record (regenerate, destroy, expiry). */
  async remove(id: string): Promise<void> {
    await this.call("delete", () => this.store.delete(KEY_PREFIX + id));
  }

  /** The record a valid id cookie points to, or undefined (tampered, unknown, or expired). */
  private async find(value: string, state: StoreState, ctx: Context): Promise<SessionRecord | undefined> {
    const verified = this.signer.verify(value);
    if (!verified || !ID_PATTERN.test(verified.payload)) {
      ctx.log.debug("session cookie ignored: bad signature");
      return undefined;
    }
    const id = verified.payload;
    const record: unknown = await this.call("get", () => this.store.get<unknown>(KEY_PREFIX + id));
    if (record === undefined || record === null) {
      ctx.log.debug("session cookie ignored: no such session (ended or expired)");
      return undefined;
    }
    if (!isRecord(record)) {
      ctx.log.warn("session record ignored: malformed");
      return undefined;
    }
    const now = Date.now();
    if (
      now - record.s > this.options.idleTimeout * 1000 ||
      now - record.c > this.options.absoluteTimeout * 1000
    ) {
      ctx.log.debug("session ended: idle or absolute timeout");
      await this.remove(id);
      return undefined;
    }
    state.id = id;
    state.stale = verified.stale;
    return record;
  }

  private async write(id: string, record: SessionRecord): Promise<void> {
    const idleEnd = record.s + this.options.idleTimeout * 1000;
    const absoluteEnd = record.c + this.options.absoluteTimeout * 1000;
    const ttl = Math.max(1, Math.ceil(Math.min(idleEnd, absoluteEnd) - Date.now()));
    const saved = await this.call("set", () => this.store.set(KEY_PREFIX + id, record, ttl));
    if (saved === false) throw new ServiceUnavailableError("the session store did not save the session");
  }

  private setCookie(response: FlagonResponse, cookie: SessionCookie, state: StoreState, now: number): void {
    const absoluteLeft = (state.created + this.options.absoluteTimeout * 1000 - now) / 1000;
    writeSessionCookie(
      response,
      cookie,
      this.signer.sign(state.id as string),
      Math.min(this.options.maxAge, absoluteLeft),
    );
  }

  /** One store call with a deadline; a timeout or a failure is a 503 (fail closed). */
  private async call<T>(what: string, operation: () => Promise<T>): Promise<T> {
    const ms = this.options.storeTimeout;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new ServiceUnavailableError(`the session store did not answer a ${what} within ${ms} ms`)),
        ms,
      );
    });
    try {
      return await Promise.race([Promise.resolve().then(operation), deadline]);
    } catch (error) {
      if (error instanceof ServiceUnavailableError) throw error;
      throw new ServiceUnavailableError(`the session store failed a ${what}`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }
}
