import type { Keyv } from "keyv";
import { lazyRequire } from "../util/lazy.js";
import type { Logger } from "pino";
import { ErrorCodes, FlagonError } from "../errors/codes.js";
import type { Context } from "../http/context.js";
import type { FlagonResponse } from "../http/response.js";
import type { SessionBackend } from "./backend.js";
import { markPrivate, type SessionCookie, sessionCookie } from "./cookie.js";
import { CookieBackend } from "./cookie-backend.js";
import { MemoryStore } from "./memory-store.js";
import type { SessionOptions, SessionSettings } from "./options.js";
import { redisStore } from "./redis.js";
import { type AppSecrets, missingSecret } from "./secrets.js";
import type { Session } from "./session.js";
import { Signer } from "./signing.js";
import { StoreBackend } from "./store-backend.js";

/** Keyv, loaded when an app keeps sessions on the server without giving its own store. */
const keyv = lazyRequire<typeof import("keyv")>("keyv");

export interface SessionManagerInit {
  /** The session section, parsed with the rest of the config (`Settings.session`). */
  readonly settings: SessionSettings;
  /** A Keyv instance for server-side sessions (`new Flagon({ sessionStore })`). */
  readonly store?: Keyv | undefined;
  readonly log: Logger;
  /** A plugin requires sessions: start-up checks the secret key as for a `session` section. */
  readonly required?: boolean;
}

/**
 * One app's sessions: builds the backend from the config at start-up, loads a request's session
 * on its first `ctx.session()` (once per request), and saves it in a `beforeSend` step, marking
 * the response private to the visitor. Requests that never ask for the session cost nothing.
 */
export class SessionManager {
  private readonly loads = new WeakMap<Context, Promise<Session>>();
  private readonly loadedSessions = new WeakMap<Context, Session>();
  private warnOnUse: boolean;
  private warnSigners: boolean;

  private constructor(
    readonly options: SessionOptions,
    private readonly backend: SessionBackend | undefined,
    private readonly log: Logger,
    warnOnUse: boolean,
    private readonly secrets: AppSecrets | undefined,
  ) {
    this.warnOnUse = warnOnUse;
    this.warnSigners = secrets?.random === true;
  }

  /**
   * Opens the store of the parsed session settings. Outside development a missing secret
   * stops start-up when the app declares sessions (a `session` section or a `sessionStore`);
   * otherwise it only fails requests that use the session.
   */
  static async create(init: SessionManagerInit): Promise<SessionManager> {
    const { settings, log } = init;
    const { options, secrets } = settings;
    const declared = settings.configured || init.store !== undefined || init.required === true;
    if (init.store !== undefined && settings.namesStore) {
      throw new FlagonError(
        ErrorCodes.INVALID_CONFIG,
        "config.session.store must be left out when a sessionStore is given to new Flagon(); give one or the other",
      );
    }
    let warnOnUse = false;
    if (secrets?.random === true) {
      if (declared) warnAboutRandomKey(log);
      else warnOnUse = true;
    } else if (secrets === undefined) {
      if (declared) throw missingSecret("sessions");
      return new SessionManager(options, undefined, log, false, undefined);
    }
    return new SessionManager(
      options,
      await createBackend(options, secrets.secrets, init.store, log),
      log,
      warnOnUse,
      secrets,
    );
  }

  /**
   * The app's secret keys for `app.signer()` (current first, then fallbacks); fails as sessions
   * do outside development without a secretKey, and warns once when they are the random key.
   */
  signingSecrets(use: string): readonly string[] {
    if (this.secrets === undefined) throw missingSecret(use);
    if (this.warnSigners) {
      this.warnSigners = false;
      this.log.warn(
        "config.secretKey is not set: app.signer() signs with a random key for this process; its tokens stop verifying when it restarts (development only; set secretKey)",
      );
    }
    return this.secrets.secrets;
  }

  /** The request's session, loaded on the first call (later calls share it). */
  load(ctx: Context): Promise<Session> {
    let loading = this.loads.get(ctx);
    if (loading === undefined) {
      loading = this.open(ctx);
      this.loads.set(ctx, loading);
      // Registered now, before any await: a handler that starts a load (or a flash) without
      // awaiting it still gets its session saved — the response waits for the load.
      const pending = loading;
      // A failed load fails the response too (fail closed), also when nobody awaited it.
      // (Without a backend there is nothing to save: the load's own error is the answer.)
      if (this.backend !== undefined)
        ctx.beforeSend(async (response) => {
          const session = await pending;
          await this.finish(ctx, session, sessionCookie(this.options, ctx), response);
        });
    }
    return loading;
  }

  /** The request's session if it was already loaded (for templates), else undefined. */
  loaded(ctx: Context): Session | undefined {
    return this.loadedSessions.get(ctx);
  }

  /** Whether the request has started loading its session (loaded or not yet). */
  used(ctx: Context): boolean {
    return this.loads.has(ctx) || this.loadedSessions.has(ctx);
  }

  /**
   * The session a template shows: the one already loaded, else loaded now only when the request
   * brings a session cookie; undefined when there is none to show (no session work at all).
   */
  forRender(ctx: Context): Session | Promise<Session> | undefined {
    const loading = this.loadedSessions.get(ctx) ?? this.loads.get(ctx);
    if (loading !== undefined || this.backend === undefined) return loading;
    const cookie = sessionCookie(this.options, ctx);
    return ctx.request.cookies[cookie.name] === undefined ? undefined : this.load(ctx);
  }

  /** Closes the store the app opened itself (a Redis connection, the memory sweep). */
  async close(): Promise<void> {
    await this.backend?.close();
  }

  private async open(ctx: Context): Promise<Session> {
    if (this.backend === undefined) throw missingSecret("sessions");
    if (this.warnOnUse) {
      this.warnOnUse = false;
      warnAboutRandomKey(this.log);
    }
    const cookie = sessionCookie(this.options, ctx);
    const session = await this.backend.open(ctx.request.cookies[cookie.name], ctx);
    this.loadedSessions.set(ctx, session);
    return session;
  }

  private async finish(
    ctx: Context,
    session: Session,
    cookie: SessionCookie,
    response: FlagonResponse,
  ): Promise<void> {
    markPrivate(response);
    try {
      await (this.backend as SessionBackend).save(session, response, cookie, ctx);
    } finally {
      session.seal();
    }
  }
}

function warnAboutRandomKey(log: Logger): void {
  log.warn(
    "config.secretKey is not set: sessions are signed with a random key for this process and end when it restarts (development only; set secretKey)",
  );
}

async function createBackend(
  options: SessionOptions,
  secrets: readonly string[],
  given: Keyv | undefined,
  log: Logger,
): Promise<SessionBackend> {
  if (given === undefined && options.store === "cookie") {
    return new CookieBackend(
      new Signer(secrets, "flagon.session.cookie"),
      options.maxAge,
      options.absoluteTimeout,
    );
  }
  let store: Keyv;
  let closeStore: (() => Promise<void>) | undefined;
  if (given !== undefined) {
    store = failLoudly(given);
  } else if (options.store === "memory") {
    const memory = new MemoryStore();
    store = new (keyv().Keyv)({ store: memory, throwOnErrors: true });
    closeStore = () => memory.disconnect();
  } else {
    const redis = await redisStore(
      options.store as { redis: string; namespace?: string },
      options.storeTimeout,
    );
    store = redis.store;
    closeStore = redis.close;
  }
  store.on("error", (error: unknown) => log.warn({ err: error }, "session store error"));
  return new StoreBackend(store, new Signer(secrets, "flagon.session.id"), {
    idleTimeout: options.idleTimeout,
    absoluteTimeout: options.absoluteTimeout,
    maxAge: options.maxAge,
    storeTimeout: options.storeTimeout,
    closeStore,
  });
}

/**
 * Keyv (and @keyv/redis) swallow store errors by default and answer `undefined`, which a session
 * would read as "no session": a Redis error would log every visitor out instead of failing. A
 * given store is switched to throwing, so that an error becomes a 503.
 */
function failLoudly(store: Keyv): Keyv {
  store.throwOnErrors = true;
  const adapter = store.store as { throwOnErrors?: unknown } | undefined;
  if (adapter !== undefined && typeof adapter.throwOnErrors === "boolean") adapter.throwOnErrors = true;
  return store;
}
