// Two tiers: a small LRU in this process in front of a shared store (Redis). A local hit costs
// no round trip; every write is announced on the bus, so the other instances drop their copies.
import type { InvalidationBus, Invalidation } from "./bus.js";
import { ASK_ASYNC, type CacheStore, type Entry, type MemoryStore } from "./stores.js";

/**
 * The local tier never keeps an entry longer than `localTtl` ms, so a lost invalidation (the bus
 * was down) serves an old value for that long at most; when the bus comes back after a loss, the
 * local tier is emptied, since messages may have been missed.
 */
export class TieredStore implements CacheStore {
  /** Bumped by every invalidation: a remote read that saw one while in flight is not kept locally. */
  private epoch = 0;

  constructor(
    readonly local: MemoryStore,
    readonly remote: CacheStore,
    readonly bus: InvalidationBus,
    private readonly localTtl: number,
    private readonly now: () => number = Date.now,
  ) {
    bus.listen(
      (message) => this.drop(message),
      () => this.drop({ op: "clear" }),
    );
  }

  /** The local copy, or ASK_ASYNC: a local miss is not a miss until the remote tier says so. */
  peek(key: string): Entry | typeof ASK_ASYNC {
    return this.local.peek(key) ?? ASK_ASYNC;
  }

  async get(key: string): Promise<Entry | undefined> {
    const near = this.local.peek(key);
    if (near !== undefined) return near;
    const epoch = this.epoch;
    const far = await this.remote.get(key);
    if (far !== undefined && epoch === this.epoch) this.keepLocally(key, far);
    return far;
  }

  async set(key: string, entry: Entry): Promise<void> {
    this.epoch++;
    this.keepLocally(key, entry);
    await this.remote.set(key, entry);
    await this.bus.publish({ op: "delete", key });
  }

  async delete(key: string): Promise<void> {
    this.drop({ op: "delete", key });
    await this.remote.delete(key);
    await this.bus.publish({ op: "delete", key });
  }

  async clear(): Promise<void> {
    this.drop({ op: "clear" });
    await this.remote.clear();
    await this.bus.publish({ op: "clear" });
  }

  async close(): Promise<void> {
    await this.bus.close();
    await this.remote.close?.();
  }

  private drop(message: Invalidation): void {
    this.epoch++;
    if (message.op === "clear") void this.local.clear();
    else void this.local.delete(message.key);
  }

  private keepLocally(key: string, entry: Entry): void {
    const until = Math.min(entry.staleUntil, this.now() + this.localTtl);
    void this.local.set(key, { ...entry, freshUntil: Math.min(entry.freshUntil, until), staleUntil: until });
  }
}
