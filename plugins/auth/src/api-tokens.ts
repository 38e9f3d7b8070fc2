// Personal access tokens over a store the app supplies: issue (the token is shown once), list
// (never the token or its hash), revoke, and a last-used time written at most once a minute per
// token, so an API client's every request does not become a database write.
import { randomUUID } from "node:crypto";
import { hashApiToken } from "./identity.js";
import { createApiToken } from "./tokens.js";

/** One token as the store keeps it: the hash, never the token. */
export interface ApiTokenRecord {
  readonly id: string;
  readonly userId: string;
  /** What the owner called it ("CI deploy"). */
  readonly name: string;
  /** SHA-256 of the token (hex), what requests are looked up by. */
  readonly hash: string;
  /** The first characters ("flg_3fA9…"), to recognise it in a list. */
  readonly preview: string;
  /** What the token may do; empty: everything its owner may. */
  readonly scopes: readonly string[];
  readonly createdAt: Date;
  readonly expiresAt: Date | null;
  readonly lastUsedAt: Date | null;
  readonly revokedAt: Date | null;
}

/** What list() shows: everything but the hash. */
export type ApiTokenInfo = Omit<ApiTokenRecord, "hash">;

/**
 * Where the app keeps its tokens (a database table, see docs/auth.md). Provide a class
 * extending it: `app.provide({ provide: ApiTokenStore, useClass: TokenTable })`.
 */
export class ApiTokenStore {
  insert(record: ApiTokenRecord): Promise<void> {
    return this.missing("insert", record.id);
  }
  findByHash(hash: string): Promise<ApiTokenRecord | undefined> {
    return this.missing("findByHash", hash);
  }
  findById(id: string): Promise<ApiTokenRecord | undefined> {
    return this.missing("findById", id);
  }
  listByUser(userId: string): Promise<readonly ApiTokenRecord[]> {
    return this.missing("listByUser", userId);
  }
  /** Marks the token revoked at `at` (keeps an earlier revocation); false when there is no such token. */
  revoke(id: string, at: Date): Promise<boolean> {
    return this.missing("revoke", `${id} ${at.toISOString()}`);
  }
  /** Records a use (called at most once a minute per token). */
  touch(id: string, at: Date): Promise<void> {
    return this.missing("touch", `${id} ${at.toISOString()}`);
  }
  private missing(method: string, arg: string): Promise<never> {
    return Promise.reject(
      new Error(`${this.constructor.name} must implement ${method}() (called for ${arg})`),
    );
  }
}

/** A store in process memory, for tests and prototypes: tokens end with the process. */
export class MemoryApiTokenStore extends ApiTokenStore {
  private readonly byId = new Map<string, ApiTokenRecord>();
  /** How many times touch() wrote (tests check that uses are not a write each). */
  touches = 0;

  override insert(record: ApiTokenRecord): Promise<void> {
    this.byId.set(record.id, record);
    return Promise.resolve();
  }
  override findByHash(hash: string): Promise<ApiTokenRecord | undefined> {
    for (const record of this.byId.values()) if (record.hash === hash) return Promise.resolve(record);
    return Promise.resolve(undefined);
  }
  override findById(id: string): Promise<ApiTokenRecord | undefined> {
    return Promise.resolve(this.byId.get(id));
  }
  override listByUser(userId: string): Promise<readonly ApiTokenRecord[]> {
    return Promise.resolve([...this.byId.values()].filter((r) => r.userId === userId));
  }
  override revoke(id: string, at: Date): Promise<boolean> {
    const record = this.byId.get(id);
    if (record === undefined) return Promise.resolve(false);
    this.byId.set(id, { ...record, revokedAt: record.revokedAt ?? at });
    return Promise.resolve(true);
  }
  override touch(id: string, at: Date): Promise<void> {
    const record = this.byId.get(id);
    if (record !== undefined) {
      this.touches++;
      this.byId.set(id, { ...record, lastUsedAt: at });
    }
    return Promise.resolve();
  }
}

export interface IssueOptions {
  readonly name: string;
  readonly scopes?: readonly string[];
  /** Seconds the token is valid; none: until revoked. */
  readonly expiresIn?: number;
}

/** What issue() returns: the token (show it once) and the record's public part. */
export interface IssuedApiToken extends ApiTokenInfo {
  readonly token: string;
}

/** Milliseconds between two last-used writes of one token. */
export const TOUCH_EVERY_MS = 60_000;
const SCOPE = /^[A-Za-z0-9:._-]{1,64}$/;

const publicPart = ({ hash: _hash, ...info }: ApiTokenRecord): ApiTokenInfo => info;

/**
 * Issues, lists, revokes and checks personal access tokens kept in an `ApiTokenStore`. The
 * plugin makes one per app when a store is provided (`app.container.resolve(ApiTokens)`), and
 * checks `Authorization: Bearer <token>` with it.
 *
 * @example
 * const issued = await tokens.issue(String(user.id), { name: "CI", scopes: ["read"] });
 * return { token: issued.token }; // shown once; the store keeps only its hash
 */
export class ApiTokens {
  /** When each token was last touched by this process (bounds writes when uses overlap). */
  private readonly touched = new Map<string, number>();

  constructor(
    readonly store: ApiTokenStore,
    private readonly prefix = "flg",
    private readonly now: () => number = Date.now,
  ) {}

  async issue(userId: string, options: IssueOptions): Promise<IssuedApiToken> {
    if (typeof userId !== "string" || userId === "") throw new TypeError("issue() needs the owner's user id");
    const name = typeof options.name === "string" ? options.name.trim() : "";
    if (name === "" || name.length > 100) throw new TypeError("a token needs a name of 1 to 100 characters");
    const scopes = [...new Set(options.scopes ?? [])];
    const bad = scopes.find((scope) => !SCOPE.test(scope));
    if (bad !== undefined) throw new TypeError(`token scope ${JSON.stringify(bad)} is not a scope name`);
    if (options.expiresIn !== undefined && !(Number.isInteger(options.expiresIn) && options.expiresIn > 0))
      throw new TypeError("expiresIn is a whole number of seconds");
    const { token, hash, preview } = createApiToken(this.prefix);
    const at = this.now();
    const record: ApiTokenRecord = {
      id: randomUUID(),
      userId,
      name,
      hash,
      preview,
      scopes,
      createdAt: new Date(at),
      expiresAt: options.expiresIn === undefined ? null : new Date(at + options.expiresIn * 1000),
      lastUsedAt: null,
      revokedAt: null,
    };
    await this.store.insert(record);
    return { ...publicPart(record), token };
  }

  /** The user's tokens, newest first, without the token or its hash. */
  async list(userId: string): Promise<ApiTokenInfo[]> {
    const records = await this.store.listByUser(userId);
    return records.map(publicPart).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  }

  /**
   * Revokes a token at once. With `ownerId`, only when that user owns it (a token id taken
   * from a URL must not let one user revoke another's). False when nothing was revoked.
   */
  async revoke(id: string, ownerId?: string): Promise<boolean> {
    if (ownerId !== undefined) {
      const record = await this.store.findById(id);
      if (record === undefined || record.userId !== ownerId) return false;
    }
    return this.store.revoke(id, new Date(this.now()));
  }

  /** The record of a live token (not revoked, not expired), recording its use; else undefined. */
  async verify(token: string): Promise<ApiTokenRecord | undefined> {
    const record = await this.store.findByHash(hashApiToken(token));
    const now = this.now();
    if (record === undefined || record.revokedAt !== null) return undefined;
    if (record.expiresAt !== null && record.expiresAt.getTime() <= now) return undefined;
    const last = Math.max(record.lastUsedAt?.getTime() ?? 0, this.touched.get(record.id) ?? 0);
    if (now - last >= TOUCH_EVERY_MS) {
      this.touched.set(record.id, now);
      if (this.touched.size > 10_000) this.touched.delete(this.touched.keys().next().value as string);
      // Only a record of use: a failed write must not refuse a valid token.
      await this.store.touch(record.id, new Date(now)).catch(() => undefined);
    }
    return record;
  }
}
