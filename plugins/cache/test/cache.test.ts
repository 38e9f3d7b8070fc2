import { describe, expect, it } from "vitest";
import { Cache, MemoryStore } from "../src/index.js";

function clock() {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

const memory = (time = clock()) => ({
  time,
  cache: new Cache(new MemoryStore({ maxEntries: 1000, maxBytes: 1 << 20 }, time.now), {
    ttl: 60,
    namespace: "t",
    now: time.now,
  }),
});

describe("MemoryStore", () => {
  it("drops the least recently used entry past maxEntries", async () => {
    const store = new MemoryStore({ maxEntries: 2, maxBytes: 1 << 20 });
    const entry = (value: unknown) => ({
      value,
      freshUntil: Date.now() + 60_000,
      staleUntil: Date.now() + 60_000,
    });
    await store.set("a", entry(1));
    await store.set("b", entry(2));
    await store.get("a"); // a is now the most recent
    await store.set("c", entry(3));
    expect(await store.get("b")).toBeUndefined();
    expect((await store.get("a"))?.value).toBe(1);
    expect(store.size).toBe(2);
  });

  it("stays under maxBytes, and refuses a value larger than the whole budget", async () => {
    const store = new MemoryStore({ maxEntries: 1000, maxBytes: 10_000 });
    const entry = (value: unknown) => ({
      value,
      freshUntil: Date.now() + 60_000,
      staleUntil: Date.now() + 60_000,
    });
    for (let i = 0; i < 100; i++) await store.set(`k${i}`, entry("x".repeat(500)));
    expect(store.usedBytes).toBeLessThanOrEqual(10_000);
    expect(store.size).toBeLessThan(100);
    await store.set("huge", entry("y".repeat(20_000)));
    expect(await store.get("huge")).toBeUndefined();
  });
});

describe("Cache", () => {
  it("gets, sets, expires and deletes", async () => {
    const { cache, time } = memory();
    await cache.set("k", { a: 1 }, { ttl: 10 });
    expect(await cache.get("k")).toEqual({ a: 1 });
    expect(await cache.has("k")).toBe(true);
    time.advance(10_001);
    expect(await cache.get("k")).toBeUndefined();
    await cache.set("k", 2);
    await cache.delete("k");
    expect(await cache.get("k")).toBeUndefined();
    await expect(cache.set("k", undefined)).rejects.toThrow(TypeError);
  });

  it("wrap computes once for 1,000 concurrent misses on one key", async () => {
    const { cache } = memory();
    let calls = 0;
    const slow = async () => {
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return "value";
    };
    const values = await Promise.all(Array.from({ length: 1000 }, () => cache.wrap("hot", slow)));
    expect(calls).toBe(1);
    expect(new Set(values)).toEqual(new Set(["value"]));
    expect(await cache.wrap("hot", slow)).toBe("value");
    expect(calls).toBe(1);
  });

  it("a failed computation is not stored, and the next call tries again", async () => {
    const { cache } = memory();
    await expect(cache.wrap("k", () => Promise.reject(new Error("down")))).rejects.toThrow("down");
    expect(await cache.wrap("k", () => "ok")).toBe("ok");
  });

  it("serves a stale value at once while one refresh runs (stale-while-revalidate)", async () => {
    const { cache, time } = memory();
    let version = 1;
    let calls = 0;
    const source = async () => {
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return version;
    };
    expect(await cache.wrap("k", source, { ttl: 10, staleWhileRevalidate: 30 })).toBe(1);
    version = 2;
    time.advance(11_000);
    const stale = await Promise.all(
      [1, 2, 3].map(() => cache.wrapWithStatus("k", source, { ttl: 10, staleWhileRevalidate: 30 })),
    );
    expect(stale.map((s) => s.value)).toEqual([1, 1, 1]);
    expect(stale.map((s) => s.status)).toEqual(["stale", "stale", "stale"]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(calls).toBe(2);
    expect(await cache.wrapWithStatus("k", source, { ttl: 10 })).toEqual({ value: 2, status: "hit" });
    time.advance(50_000);
    expect((await cache.wrapWithStatus("k", source, { ttl: 10 })).status).toBe("miss");
  });

  it("serves the stale value while the source fails, for the grace period only", async () => {
    const errors: unknown[] = [];
    const time = clock();
    const cache = new Cache(new MemoryStore({ maxEntries: 10, maxBytes: 1 << 20 }, time.now), {
      ttl: 60,
      namespace: "t",
      now: time.now,
      onRefreshError: (_key, error) => errors.push(error),
    });
    await cache.wrap("k", () => "good", { ttl: 10, grace: 60 });
    time.advance(20_000);
    const failing = () => Promise.reject(new Error("source down"));
    expect(await cache.wrapWithStatus("k", failing, { ttl: 10, grace: 60 })).toEqual({
      value: "good",
      status: "stale",
    });
    expect(errors).toHaveLength(1);
    time.advance(60_000);
    await expect(cache.wrap("k", failing, { ttl: 10, grace: 60 })).rejects.toThrow("source down");
  });

  it("invalidateTag makes every value stored with the tag a miss, and only those", async () => {
    const { cache, time } = memory();
    await cache.set("post:1", "one", { tags: ["posts"] });
    await cache.set("post:2", "two", { tags: ["posts", "featured"] });
    await cache.set("user:1", "ann", { tags: ["users"] });
    time.advance(1);
    await cache.invalidateTag("posts");
    expect(await cache.get("post:1")).toBeUndefined();
    expect(await cache.get("post:2")).toBeUndefined();
    expect(await cache.get("user:1")).toBe("ann");
    await cache.set("post:1", "one again", { tags: ["posts"] });
    expect(await cache.get("post:1")).toBe("one again");
    // Invalidated twice within the same millisecond: still newer.
    await cache.invalidateTag("posts");
    expect(await cache.get("post:1")).toBeUndefined();
  });
});
