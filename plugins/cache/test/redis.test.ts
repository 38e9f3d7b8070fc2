import "reflect-metadata";
import { Flagon } from "@flagon/core";
import { inject } from "@flagon/core/testing";
import { afterEach, describe, expect, it } from "vitest";
import cache, { Cache, Cached } from "../src/index.js";
import { Proxy } from "./proxy.js";
import { hasRedis, REDIS, sleep, timeUntil, unique, warnIfNoRedis } from "./redis-helpers.js";

warnIfNoRedis("the Redis cache suites");

const apps: Flagon[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

let counter = 0;

function app(url: string, namespace: string, logs: string[] = []) {
  const a = new Flagon({
    logger: { level: "info", stream: { write: (line: string) => void logs.push(line) } },
    configFile: false,
    config: { env: "production", cache: { url, namespace, deadline: 200 } },
  });
  a.register(cache);
  a.get("/cached", () => ({ n: ++counter }), { decorators: [Cached({ ttl: 60 })] });
  a.get("/plain", () => "fine");
  apps.push(a);
  return a;
}

describe.skipIf(!hasRedis)("@flagon/cache on Redis", () => {
  it("shares entries between two apps of one namespace, and keeps namespaces apart", async () => {
    const namespace = unique();
    const one = app(REDIS.href, namespace);
    const two = app(REDIS.href, namespace);
    const other = app(REDIS.href, unique());
    const first = (await inject(one, "/cached")).json<{ n: number }>().n;
    await sleep(50); // the store write is in the background
    expect((await inject(two, "/cached")).json<{ n: number }>().n).toBe(first);
    expect((await inject(other, "/cached")).json<{ n: number }>().n).not.toBe(first);
    const c = one.container.resolve(Cache);
    await c.set("tagged", "v", { tags: ["t"] });
    expect(await two.container.resolve(Cache).get("tagged")).toBe("v");
    await c.invalidateTag("t");
    expect(await two.container.resolve(Cache).get("tagged")).toBeUndefined();
    await c.clear();
  });

  it("cut mid-run: misses within the deadline, 0 errors; restored: hits within 5 s; logged once per outage", async () => {
    const proxy = await new Proxy(REDIS.hostname, Number(REDIS.port)).start();
    const logs: string[] = [];
    const a = app(`redis://127.0.0.1:${proxy.port}`, unique(), logs);
    await inject(a, "/cached");
    await sleep(50); // the first response is stored in the background

    /** One request, in sequence: its status, its time, and whether the handler ran (a miss). */
    const request = async () => {
      const before = counter;
      const started = performance.now();
      const response = await inject(a, "/cached");
      const done = performance.now();
      return { status: response.statusCode, ms: done - started, done, miss: counter !== before };
    };
    const outages: Array<{ toMiss: number; slowest: number; toHit: number }> = [];
    for (let outage = 1; outage <= 2; outage++) {
      const hit = await request();
      expect(hit).toMatchObject({ status: 200, miss: false });

      await proxy.stop();
      const cut = performance.now();
      const during = [];
      for (let i = 0; i < 30; i++) during.push(await request());
      expect(during.filter((r) => r.status !== 200)).toEqual([]);
      const firstMiss = during.findIndex((r) => r.miss);
      expect(firstMiss).toBeGreaterThanOrEqual(0);
      expect(during.slice(firstMiss).every((r) => r.miss)).toBe(true);
      const toMiss = (during[firstMiss]?.done ?? Number.NaN) - cut;
      const slowest = Math.max(...during.map((r) => r.ms));
      // A request makes one store call before it answers (the lookup); the write is in the background.
      expect(slowest).toBeLessThan(200 + 300);

      await proxy.start();
      let answered = 0;
      const toHit = await timeUntil(async () => {
        const r = await request();
        answered++;
        expect(r.status).toBe(200);
        return !r.miss;
      }, 5000);
      expect(toHit).toBeLessThan(5000);
      expect(answered).toBeGreaterThan(0);
      expect(logs.filter((line) => line.includes("is unavailable"))).toHaveLength(outage);
      expect(
        await timeUntil(() => logs.filter((l) => l.includes("is back")).length === outage, 1000),
      ).toBeLessThan(1000);
      outages.push({ toMiss, slowest, toHit });
    }
    console.info(
      outages
        .map(
          (o, i) =>
            `Redis outage ${i + 1}: first miss ${o.toMiss.toFixed(1)} ms after the cut, slowest answer while cut ${o.slowest.toFixed(1)} ms, first hit ${o.toHit.toFixed(0)} ms after the restore`,
        )
        .join("\n"),
    );
    await a.container.resolve(Cache).clear();
    await proxy.stop();
  });

  it("a hung Redis: every lookup gives up at the deadline, 0 errors, logged once; restarted: hits within 5 s", async () => {
    const proxy = await new Proxy(REDIS.hostname, Number(REDIS.port)).start();
    const logs: string[] = [];
    const a = app(`redis://127.0.0.1:${proxy.port}`, unique(), logs);
    await inject(a, "/cached");
    await sleep(50);
    const stored = (await inject(a, "/cached")).json<{ n: number }>().n;

    proxy.hang();
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      const response = await inject(a, "/cached");
      times.push(performance.now() - started);
      expect(response.statusCode).toBe(200);
      expect(response.json<{ n: number }>().n).not.toBe(stored);
    }
    // The lookup waits the deadline (200 ms), no longer; the write is in the background.
    expect(Math.min(...times)).toBeGreaterThanOrEqual(190);
    expect(Math.max(...times)).toBeLessThan(200 + 300);
    expect(logs.filter((line) => line.includes("is unavailable"))).toHaveLength(1);

    await proxy.stop();
    await proxy.start();
    const toHit = await timeUntil(
      async () => (await inject(a, "/cached")).json<{ n: number }>().n === stored,
      5000,
    );
    expect(toHit).toBeLessThan(5000);
    console.info(
      `hung Redis: answers in ${times.map((t) => t.toFixed(0)).join(", ")} ms; first hit ${toHit.toFixed(0)} ms after the restart`,
    );
    await a.container.resolve(Cache).clear();
    await proxy.stop();
  });
});
