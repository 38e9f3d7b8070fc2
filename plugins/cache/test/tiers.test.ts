import "reflect-metadata";
import { Flagon } from "@flagon/core";
import { inject } from "@flagon/core/testing";
import { createClient } from "@keyv/redis";
import { afterEach, describe, expect, it } from "vitest";
import cache, { Cache, Cached, MemoryStore, RedisBus, TieredStore, type Invalidation } from "../src/index.js";
import { ASK_ASYNC } from "../src/stores.js";
import { Proxy } from "./proxy.js";
import { hasRedis, REDIS, sleep, timeUntil, unique, warnIfNoRedis } from "./redis-helpers.js";

warnIfNoRedis("the two-tier cache suites");

const apps: Flagon[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

let computed = 0;

/** An app with a local tier in front of Redis at `url`, its own clients, and a cached route. */
function instance(url: string, namespace: string, logs: string[] = [], localTtl = 60) {
  const a = new Flagon({
    logger: { level: "info", stream: { write: (line: string) => void logs.push(line) } },
    configFile: false,
    config: {
      env: "production",
      cache: { url, namespace, deadline: 200, local: { maxEntries: 100, ttl: localTtl } },
    },
  });
  a.register(cache);
  a.get("/page", () => ({ n: ++computed }), { decorators: [Cached({ ttl: 60 })] });
  apps.push(a);
  return a;
}

async function started(a: Flagon) {
  await a.ready();
  const c = a.container.resolve(Cache);
  const store = c.store as TieredStore;
  expect(await timeUntil(() => store.bus.connected, 5000)).toBeLessThan(5000);
  return { cache: c, store, local: store.local };
}

const page = async (a: Flagon) => {
  const response = await inject(a, "/page");
  return { status: response.statusCode, n: response.json<{ n: number }>().n };
};

/** A bus the test delivers other instances' messages on by hand. */
function handBus() {
  const bus = {
    connected: true,
    deliver: (_message: Invalidation) => undefined as void,
    listen(onMessage: (message: Invalidation) => void) {
      bus.deliver = onMessage;
    },
    publish: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  return bus;
}

describe("TieredStore", () => {
  it("keeps a local copy no longer than the local ttl, then asks the shared store again", async () => {
    let now = 1_000_000;
    const clock = () => now;
    const shared = new MemoryStore({ maxEntries: 100, maxBytes: 1 << 20 }, clock);
    const local = new MemoryStore({ maxEntries: 100, maxBytes: 1 << 20 }, clock);
    const tiers = new TieredStore(local, shared, handBus(), 1000, clock);
    await tiers.set("k", { value: 1, freshUntil: now + 60_000, staleUntil: now + 60_000 });
    expect(tiers.peek("k")).toMatchObject({ value: 1 });
    now += 1001;
    expect(tiers.peek("k")).toBe(ASK_ASYNC);
    expect((await tiers.get("k"))?.value).toBe(1); // from the shared store, kept locally again
    expect(tiers.peek("k")).toMatchObject({ value: 1 });
  });

  it("does not keep locally what it read while an invalidation arrived", async () => {
    const shared = new MemoryStore({ maxEntries: 100, maxBytes: 1 << 20 });
    const bus = handBus();
    const tiers = new TieredStore(
      new MemoryStore({ maxEntries: 100, maxBytes: 1 << 20 }),
      shared,
      bus,
      60_000,
    );
    await shared.set("k", { value: "old", freshUntil: Date.now() + 60_000, staleUntil: Date.now() + 60_000 });
    const reading = tiers.get("k");
    bus.deliver({ op: "delete", key: "k" }); // another instance wrote k while the read was in flight
    expect((await reading)?.value).toBe("old");
    expect(tiers.peek("k")).toBe(ASK_ASYNC);
    expect((await tiers.get("k"))?.value).toBe("old");
    expect(tiers.peek("k")).toMatchObject({ value: "old" });
  });
});

describe("cache.local without Redis", () => {
  it("is refused with a message naming the problem", async () => {
    const a = new Flagon({ logger: false, configFile: false, config: { cache: { local: {} } } });
    a.register(cache);
    await expect(a.ready()).rejects.toThrow(/cache\.local.*needs cache\.url/s);
  });
});

describe.skipIf(!hasRedis)("two tiers: a local LRU in front of Redis, invalidated over pub/sub", () => {
  it("a value set on A is read on B; a delete on A drops B's local copy within 1 s", async () => {
    const namespace = unique();
    const a = await started(instance(REDIS.href, namespace));
    const b = await started(instance(REDIS.href, namespace));
    await a.cache.set("k", "one");
    await sleep(100); // A's announcement of its write reaches B, which had nothing to drop
    expect(await b.cache.get("k")).toBe("one");
    // B now answers from its own memory, and would for 60 s without an invalidation.
    expect(b.local.peek(`v1:k`)?.value).toBe("one");

    await a.cache.delete("k");
    const gone = await timeUntil(() => b.local.peek("v1:k") === undefined, 1000);
    expect(gone).toBeLessThan(1000);
    expect(await b.cache.get("k")).toBeUndefined();
    console.info(`two tiers: B dropped its copy ${gone.toFixed(0)} ms after A's delete`);

    // A write replaces the others' copies too, and A keeps its own (its message is ignored).
    await a.cache.set("k", "two");
    expect(await b.cache.get("k")).toBe("two");
    await a.cache.set("k", "three");
    expect(await timeUntil(async () => (await b.cache.get("k")) === "three", 1000)).toBeLessThan(1000);
    await sleep(100);
    expect(a.local.peek("v1:k")?.value).toBe("three");
    await a.cache.clear();
  });

  it("invalidateTag and clear on A reach B's local tier", async () => {
    const namespace = unique();
    const a = await started(instance(REDIS.href, namespace));
    const b = await started(instance(REDIS.href, namespace));
    await a.cache.set("post", "p", { tags: ["posts"] });
    await a.cache.set("plain", "x");
    expect(await b.cache.get("post")).toBe("p");
    expect(await b.cache.get("plain")).toBe("x");
    await a.cache.invalidateTag("posts");
    expect(await timeUntil(async () => (await b.cache.get("post")) === undefined, 1000)).toBeLessThan(1000);
    expect(await b.cache.get("plain")).toBe("x");
    await a.cache.clear();
    expect(await timeUntil(() => b.local.size === 0, 1000)).toBeLessThan(1000);
    expect(await b.cache.get("plain")).toBeUndefined();
  });

  it("@Cached pages: B serves A's page, and a delete on A is a miss on B", async () => {
    const namespace = unique();
    const a = instance(REDIS.href, namespace);
    const b = instance(REDIS.href, namespace);
    await started(a);
    const tb = await started(b);
    const first = await page(a);
    expect(await timeUntil(async () => (await page(b)).n === first.n, 1000)).toBeLessThan(1000);
    expect((await page(b)).n).toBe(first.n); // from B's local tier now
    await a.container.resolve(Cache).clear();
    expect(await timeUntil(() => tb.local.size === 0, 1000)).toBeLessThan(1000);
    expect((await page(b)).n).not.toBe(first.n);
  });

  it("cut: both instances answer from their local tier or compute, within the deadline, no errors; restored: hits within 5 s", async () => {
    const proxy = await new Proxy(REDIS.hostname, Number(REDIS.port)).start();
    const url = `redis://127.0.0.1:${proxy.port}`;
    const namespace = unique();
    const logs: string[] = [];
    const a = instance(url, namespace, logs);
    const b = instance(url, namespace, logs);
    await started(a);
    const tb = await started(b);
    // Only in Redis: A never read it, B did (so B also has a local copy).
    const direct = await started(instance(REDIS.href, namespace));
    await direct.cache.set("remote-only", "r");
    await sleep(100);
    expect(await tb.cache.get("remote-only")).toBe("r");
    const before = await page(a);

    await proxy.stop();
    let slowest = 0;
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      for (const app of [a, b]) {
        const t = performance.now();
        statuses.push((await page(app)).status);
        slowest = Math.max(slowest, performance.now() - t);
      }
    }
    expect(statuses.every((s) => s === 200)).toBe(true);
    // At most two store calls per request (the lookup, and the write in the background).
    expect(slowest).toBeLessThan(2 * 200 + 300);
    expect((await page(a)).n).toBe(before.n); // A's local copy of its own page
    expect(await tb.cache.get("remote-only")).toBe("r"); // B's local copy

    // Written while B cannot hear of it: B's old copy must go when it reconnects.
    await direct.cache.set("remote-only", "changed");
    await proxy.start();
    const restored = await timeUntil(async () => (await tb.cache.get("remote-only")) === "changed", 5000);
    expect(restored).toBeLessThan(5000);
    const fresh = (await page(b)).n;
    expect(await timeUntil(async () => (await page(b)).n === fresh, 5000)).toBeLessThan(5000);
    console.info(
      `two tiers, proxy cut: slowest answer ${slowest.toFixed(0)} ms; after restore B read the value written meanwhile in ${restored.toFixed(0)} ms`,
    );
    expect(
      logs.filter((line) => line.includes("invalidations from") && line.includes("not arriving")),
    ).toHaveLength(2);
    expect(logs.filter((line) => line.includes("the local tier was emptied"))).toHaveLength(2);
    expect(logs.filter((line) => line.includes("is unavailable"))).toHaveLength(2);
    await direct.cache.clear();
    await proxy.stop();
  });

  it("the bus ignores malformed messages", async () => {
    const namespace = unique();
    const a = await started(instance(REDIS.href, namespace));
    await a.cache.set("k", "v");
    const client = createClient({ url: REDIS.href });
    await client.connect();
    try {
      const channel = (a.store.bus as RedisBus).channel;
      for (const text of ["not json", "null", '{"op":"delete"}', '{"op":"delete","key":7}', '{"op":"drop"}'])
        await client.publish(channel, text);
    } finally {
      client.destroy();
    }
    await sleep(100);
    expect(a.local.peek("v1:k")?.value).toBe("v");
  });
});
