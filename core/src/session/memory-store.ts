interface Entry {
  value: unknown;
  expires: number | undefined;
}

/**
 * An in-process Keyv store adapter whose expired entries are also swept on a timer, so sessions
 * that are never read again do not pile up in memory (Keyv's default Map only drops an expired
 * entry when it is read). For one process; use Redis to share sessions between workers.
 */
export class MemoryStore {
  readonly opts = { dialect: "flagon-memory" };
  namespace: string | undefined;
  private readonly entries = new Map<string, Entry>();
  private readonly timer: NodeJS.Timeout;

  constructor(sweepEveryMs = 60_000) {
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
