// Where cached entries live: a bounded in-process LRU by default, or any Keyv store (Redis
// through @keyv/redis). Every call to a remote store has a deadline, and a store that fails or
// hangs is a miss, never an error or a hang for the request; the outage is logged once and the
// store is used again as soon as a call succeeds.
import Keyv from "keyv";
import { withDeadline } from "./deadline.js";

/** What the cache keeps for a key: the value and when it stops being fresh, then usable at all. */
export interface Entry<T = unknown> {
  readonly value: T;
  /** Epoch ms until which the value is fresh. */
  readonly freshUntil: number;
  /** Epoch ms until which it may still be served stale (≥ freshUntil). */
  readonly staleUntil: number;
  /** The tag versions the value was computed under (see Cache.invalidateTag). */
  readonly tags?: Readonly<Record<string, number>>;
}

export interface CacheStore {
  get(key: string): Promise<Entry | undefined>;
  /** Keeps the entry until `entry.staleUntil`. */
  set(key: string, entry: Entry): Promise<void>;
  delete(key: string): Promise<void>;
  /** Removes every entry of this store's namespace. */
  clear(): Promise<void>;
  close?(): Promise<void>;
  /**
   * A synchronous get, for stores in this process: the entry, undefined for a sure miss, or
   * ASK_ASYNC when only get() can tell (a tier in front of a remote store that it lacks).
   */
  peek?(key: string): Entry | undefined | typeof ASK_ASYNC;
}

/** What a synchronous look-up returns when only an asynchronous one can tell. */
export const ASK_ASYNC: unique symbol = Symbol("ask async");

export interface MemoryLimits {
  /** Entries at most; the least recently used go first. */
  readonly maxEntries: number;
  /** Approximate bytes at most (values measured as JSON text). */
  readonly maxBytes: number;
}

/** An LRU in this process, bounded by entry count and by size. */
export class MemoryStore implements CacheStore {
  private readonly entries = new Map<string, { entry: Entry; bytes: number }>();
  private bytes = 0;

  constructor(
    private readonly limits: MemoryLimits,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get usedBytes(): number {
    return this.bytes;
  }

  get(key: string): Promise<Entry | undefined> {
    return Promise.resolve(this.peek(key));
  }

  /** get() without a promise: an in-process store can answer at once (the hit path uses it). */
  peek(key: string): Entry | undefined {
    const found = this.entries.get(key);
    if (found === undefined) return undefined;
    if (found.entry.staleUntil <= this.now()) {
      this.remove(key);
      return undefined;
    }
    // Most recently used last: Map keeps insertion order.
    this.entries.delete(key);
    this.entries.set(key, found);
    return found.entry;
  }

  set(key: string, entry: Entry): Promise<void> {
    const bytes = key.length + sizeOf(entry.value);
    this.remove(key);
    if (bytes > this.limits.maxBytes) return Promise.resolve();
    this.entries.set(key, { entry, bytes });
    this.bytes += bytes;
    for (const [oldest] of this.entries) {
      if (this.entries.size <= this.limits.maxEntries && this.bytes <= this.limits.maxBytes) break;
      this.remove(oldest);
    }
    return Promise.resolve();
  }

  delete(key: string): Promise<void> {
    this.remove(key);
    return Promise.resolve();
  }

  clear(): Promise<void> {
    this.entries.clear();
    this.bytes = 0;
    return Promise.resolve();
  }

  private remove(key: string): void {
    const found = this.entries.get(key);
    if (found === undefined) return;
    this.entries.delete(key);
    this.bytes -= found.bytes;
  }
}

function sizeOf(value: unknown): number {
  if (typeof value === "string") return value.length * 2;
  if (value instanceof Uint8Array) return value.byteLength;
  try {
    return (JSON.stringify(value) ?? "").length * 2;
  } catch {
    return 1024;
  }
}

export type OutageListener = (event: "down" | "up", error?: unknown) => void;

/**
 * A Keyv store behind deadlines. A call that fails or takes longer than `deadline` ms resolves
 * as a miss (get) or a no-op (set, delete); the first such failure reports "down", the first
 * success after it "up".
 */
export class KeyvStore implements CacheStore {
  private down = false;

  constructor(
    readonly keyv: Keyv,
    private readonly deadline: number,
    private readonly onOutage: OutageListener = () => undefined,
  ) {
    // Keyv re-emits its store's errors; unhandled, an EventEmitter "error" would throw.
    keyv.on("error", (error: unknown) => this.failed(error));
  }

  async get(key: string): Promise<Entry | undefined> {
    const value = await this.guard(() => this.keyv.get<Entry>(key), undefined);
    return value ?? undefined;
  }

  async set(key: string, entry: Entry): Promise<void> {
    // An entry that never expires (a tag's version) is kept without a TTL.
    const ttl =
      entry.staleUntil >= Number.MAX_SAFE_INTEGER ? undefined : Math.max(1, entry.staleUntil - Date.now());
    await this.guard(() => this.keyv.set(key, entry, ttl), false);
  }

  async delete(key: string): Promise<void> {
    await this.guard(() => this.keyv.delete(key), false);
  }

  async clear(): Promise<void> {
    await this.guard(() => this.keyv.clear(), undefined);
  }

  async close(): Promise<void> {
    await this.guard(() => this.keyv.disconnect(), undefined);
  }

  /** Whether the last call failed (the store counts as down until one succeeds). */
  get isDown(): boolean {
    return this.down;
  }

  private async guard<T>(call: () => Promise<T>, fallback: T): Promise<T> {
    const outcome = await withDeadline(call, this.deadline);
    if (!outcome.ok) {
      this.failed(outcome.error);
      return fallback;
    }
    if (this.down) {
      this.down = false;
      this.onOutage("up");
    }
    return outcome.value;
  }

  private failed(error: unknown): void {
    if (this.down) return;
    this.down = true;
    this.onOutage("down", error);
  }
}
