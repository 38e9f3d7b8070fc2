interface Entry {
  value: unknown;
  expires: number | undefined;
}

/** The most sessions the memory store holds (about 1 KB each: ~100 MB at most). */
export const MEMORY_STORE_MAX_ENTRIES = 100_000;

/**
 * An in-process Keyv store adapter whose expired entries are also swept on a timer, so sessions
 * that are never read again do not pile up in memory (Keyv's default Map only drops an expired
 * entry when it is read). It holds at most `maxEntries`: past that the least recently saved
 * session is dropped, so a flood of new visitors (each one a new session on a page that writes
 * the session) cannot grow it without bound within the idle timeout. For one process; use Redis
 * to share sessions between workers.
 */
export class MemoryStore {
  readonly opts = { dialect: "flagon-memory" };
  namespace: string | undefined;
  private readonly entries = new Map<string, Entry>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    sweepEveryMs = 60_000,
    private readonly maxEntries = MEMORY_STORE_MAX_ENTRIES,
  ) {
    this.timer = setInterval(() => this.sweep(), sweepEveryMs);
    this.timer.unref();
  }

  /** Entries held, expired ones not yet swept included. */
  get size(): number {
    return this.entries.size;
  }

  get(key: string): Promise<unknown> {
    const entry = this.entries.get(key);
    if (entry === undefined) return Promise.resolve(undefined);
    if (entry.expires !== undefined && entry.expires <= Date.now()) {
      this.entries.delete(key);
      return Promise.resolve(undefined);
    }
    return Promise.resolve(entry.value);
  }

  set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    // Map order is insertion order: re-inserting puts a saved session last, so the first entry
    // is the least recently saved one.
    if (!this.entries.delete(key) && this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(key, {
      value,
      expires: typeof ttl === "number" && ttl > 0 ? Date.now() + ttl : undefined,
    });
    return Promise.resolve(true);
  }

  delete(key: string): Promise<boolean> {
    return Promise.resolve(this.entries.delete(key));
  }

  clear(): Promise<void> {
    this.entries.clear();
    return Promise.resolve();
  }

  has(key: string): Promise<boolean> {
    return this.get(key).then((value) => value !== undefined);
  }

  /** Keyv listens for store errors; this store has none to report. */
  on(): this {
    return this;
  }

  /** Drops expired entries; returns how many. */
  sweep(now = Date.now()): number {
    let dropped = 0;
    for (const [key, entry] of this.entries) {
      if (entry.expires !== undefined && entry.expires <= now) {
        this.entries.delete(key);
        dropped += 1;
      }
    }
    return dropped;
  }

  disconnect(): Promise<void> {
    clearInterval(this.timer);
    return Promise.resolve();
  }
}
