// The injectable Cache: get/set/delete, and wrap(key, fn) — compute once per key and process
// however many requests miss at the same moment, serve stale values while refreshing them, and
// keep serving them (for the grace period) while the source is failing.
import { ASK_ASYNC, type CacheStore, type Entry } from "./stores.js";

export interface SetOptions {
  /** Seconds the value is fresh (default: the cache's `ttl`). */
  readonly ttl?: number;
  /** Tags to invalidate it by (`invalidateTag("posts")`). */
  readonly tags?: readonly string[];
}

export interface WrapOptions extends SetOptions {
  /**
   * Seconds after `ttl` during which a stale value is still served at once while one refresh
   * runs in the background (stale-while-revalidate). Default 0.
   */
  readonly staleWhileRevalidate?: number;
  /**
   * Seconds after `ttl` during which, if computing a fresh value fails, the stale one is served
   * instead of the error. Default 0.
   */
  readonly grace?: number;
}

export type CacheStatus = "hit" | "miss" | "stale";

export interface CacheSettings {
  /** Default seconds a value is fresh. */
  readonly ttl: number;
  /** Prefix of every key (an app's namespace within a shared store). */
  readonly namespace: string;
  readonly now?: () => number;
  /** Called when a background refresh fails (the stale value went on being served). */
  readonly onRefreshError?: (key: string, error: unknown) => void;
}

const TAG_PREFIX = "tag:";

export { ASK_ASYNC };

/**
 * A cache in front of slow work, shared by the app (inject it by type).
 *
 * @example
 * const posts = await cache.wrap("posts:latest", () => db.selectFrom("posts")…execute(), { ttl: 60, tags: ["posts"] });
 * await cache.invalidateTag("posts");   // after a write
 */
export class Cache {
  private readonly inflight = new Map<string, Promise<unknown>>();
  private readonly now: () => number;

  constructor(
    readonly store: CacheStore,
    private readonly settings: CacheSettings,
  ) {
    this.now = settings.now ?? Date.now;
  }

  /** The value under `key` while it is fresh, else undefined. */
  async get<T = unknown>(key: string): Promise<T | undefined> {
    const entry = await this.read(key);
    return entry !== undefined && entry.freshUntil > this.now() ? (entry.value as T) : undefined;
  }

  /**
   * get() without a promise when the store is in this process and the entry carries no tags;
   * ASK_ASYNC when only get() can tell (a remote store, a tagged entry).
   */
  peek<T = unknown>(key: string): T | undefined | typeof ASK_ASYNC {
    if (this.store.peek === undefined) return ASK_ASYNC;
    const entry = this.store.peek(this.full(key));
    if (entry === undefined || entry === ASK_ASYNC) return entry;
    if (entry.tags !== undefined) return ASK_ASYNC;
    return entry.freshUntil > this.now() ? (entry.value as T) : undefined;
  }

  async has(key: string): Promise<boolean> {
    return (await this.get(key)) !== undefined;
  }

  async set(key: string, value: unknown, options: SetOptions & { grace?: number } = {}): Promise<void> {
    if (value === undefined) throw new TypeError("a cache cannot hold undefined (it means a miss)");
    await this.store.set(this.full(key), await this.entry(value, options, options.grace ?? 0));
  }

  async delete(key: string): Promise<void> {
    await this.store.delete(this.full(key));
  }

  async clear(): Promise<void> {
    await this.store.clear();
  }

  /**
   * Makes every value stored with `tag` a miss: each tag has a version, bumped here, and an
   * entry stored under an older version is not served.
   */
  async invalidateTag(tag: string): Promise<void> {
    const version = Math.max(this.now(), (await this.tagVersion(tag)) + 1);
    const forever = Number.MAX_SAFE_INTEGER;
    await this.store.set(this.full(TAG_PREFIX + tag), {
      value: version,
      freshUntil: forever,
      staleUntil: forever,
    });
  }

  /**
   * The value under `key`, or `fn()`'s, stored for next time. Concurrent calls for one key
   * that miss wait for a single `fn()`. See `WrapOptions` for serving stale values.
   */
  async wrap<T>(key: string, fn: () => T | Promise<T>, options: WrapOptions = {}): Promise<T> {
    return (await this.wrapWithStatus(key, fn, options)).value;
  }

  /** wrap(), also saying whether the value was a hit, a miss or stale. */
  async wrapWithStatus<T>(
    key: string,
    fn: () => T | Promise<T>,
    options: WrapOptions = {},
  ): Promise<{ value: T; status: CacheStatus }> {
    const entry = await this.read(key);
    const now = this.now();
    if (entry !== undefined && entry.freshUntil > now) return { value: entry.value as T, status: "hit" };
    const swr = (options.staleWhileRevalidate ?? 0) * 1000;
    if (entry !== undefined && entry.freshUntil + swr > now) {
      // Serve it now; one refresh at a time per key, whose failure keeps the stale value.
      this.compute(key, fn, options).catch((error: unknown) => this.settings.onRefreshError?.(key, error));
      return { value: entry.value as T, status: "stale" };
    }
    try {
      return { value: await this.compute(key, fn, options), status: "miss" };
    } catch (error) {
      const grace = (options.grace ?? 0) * 1000;
      if (entry !== undefined && entry.freshUntil + grace > this.now()) {
        this.settings.onRefreshError?.(key, error);
        return { value: entry.value as T, status: "stale" };
      }
      throw error;
    }
  }

  /** Runs fn once per key at a time and stores what it gives. */
  private compute<T>(key: string, fn: () => T | Promise<T>, options: WrapOptions): Promise<T> {
    const running = this.inflight.get(key);
    if (running !== undefined) return running as Promise<T>;
    const work = (async () => {
      try {
        const value = await fn();
        if (value !== undefined) {
          const keep = Math.max(options.staleWhileRevalidate ?? 0, options.grace ?? 0);
          await this.store.set(this.full(key), await this.entry(value, options, keep));
        }
        return value;
      } finally {
        this.inflight.delete(key);
      }
    })();
    this.inflight.set(key, work);
    return work;
  }

  /** The entry under key, if any and not invalidated by a tag. */
  private async read(key: string): Promise<Entry | undefined> {
    const entry = await this.store.get(this.full(key));
    if (entry === undefined || entry.staleUntil <= this.now()) return undefined;
    if (entry.tags !== undefined) {
      for (const [tag, version] of Object.entries(entry.tags)) {
        if ((await this.tagVersion(tag)) > version) return undefined;
      }
    }
    return entry;
  }

  private async entry(value: unknown, options: SetOptions, extraSeconds: number): Promise<Entry> {
    const ttl = (options.ttl ?? this.settings.ttl) * 1000;
    const now = this.now();
    const tags: Record<string, number> = {};
    for (const tag of options.tags ?? []) tags[tag] = await this.tagVersion(tag);
    return {
      value,
      freshUntil: now + ttl,
      staleUntil: now + ttl + extraSeconds * 1000,
      ...(options.tags === undefined || options.tags.length === 0 ? {} : { tags }),
    };
  }

  private async tagVersion(tag: string): Promise<number> {
    const entry = await this.store.get(this.full(TAG_PREFIX + tag));
    return typeof entry?.value === "number" ? entry.value : 0;
  }

  private full(key: string): string {
    return `${this.settings.namespace}:${key}`;
  }
}
