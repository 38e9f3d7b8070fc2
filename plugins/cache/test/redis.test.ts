import "reflect-metadata";
import net from "node:net";
import { Flagon } from "@flagon/core";
import { inject } from "@flagon/core/testing";
import { afterEach, describe, expect, it } from "vitest";
import cache, { Cache, Cached } from "../src/index.js";
import { Proxy } from "./proxy.js";

const REDIS = new URL(process.env["FLAGON_TEST_REDIS_URL"] ?? "redis://127.0.0.1:6379");

const hasRedis = await new Promise<boolean>((resolve) => {
  const socket = net.connect({ host: REDIS.hostname, port: Number(REDIS.port), timeout: 1000 });
  const done = (ok: boolean) => {
    socket.destroy();
    resolve(ok);
  };
  socket.once("connect", () => done(true));
  socket.once("error", () => done(false));
  socket.once("timeout", () => done(false));
});
if (!hasRedis) console.warn(`skipping the Redis cache suites: nothing answers at ${REDIS.host}`);

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

const unique = () => `flagon-test-${process.pid}-${Math.random().toString(36).slice(2)}`;

describe.skipIf(!hasRedis)("@flagon/cache on Redis", () => {
  it("shares entries between two apps of one namespace, and keeps namespaces apart", async () => {
    const namespace = unique();
    const one = app(REDIS.href, namespace);
    const two = app(REDIS.href, namespace);
    const other = app(REDIS.href, unique());
    const first = (await inject(one, "/cached")).json<{ n: number }>().n;
    await new Promise((resolve) => setTimeout(resolve, 50)); // the store write is in the background
    expect((await inject(two, "/cached")).json<{ n: number }>().n).toBe(first);
    expect((await inject(other, "/cached")).json<{ n: number }>().n).not.toBe(first);
    const c = one.container.resolve(Cache);
    await c.set("tagged", "v", { tags: ["t"] });
    expect(await two.container.resolve(Cache).get("tagged")).toBe("v");
    await c.invalidateTag("t");
    expect(await two.container.resolve(Cache).get("tagged")).toBeUndefined();
    await c.clear();
  });

  it("a Redis outage is a miss within the deadline, never an error; it is logged once and hits come back", async () => {
    const proxy = await new Proxy(REDIS.hostname, Number(REDIS.port)).start();
    const logs: string[] = [];
    const a = app(`redis://127.0.0.1:${proxy.port}`, unique(), logs);
    const c = () => a.container.resolve(Cache);
    await inject(a, "/plain");
    await c().set("k", "before");
    expect(await c().get("k")).toBe("before");

    await proxy.stop();
    const statuses: number[] = [];
    let slowest = 0;
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      statuses.push((await inject(a, "/cached")).statusCode);
      slowest = Math.max(slowest, performance.now() - started);
    }
    expect(statuses.every((s) => s === 200)).toBe(true);
    // Each request makes at most two store calls (lookup, then the background write).
    expect(slowest).toBeLessThan(2 * 200 + 300);
    expect(await c().get("k")).toBeUndefined();
    expect(logs.filter((line) => line.includes("is unavailable")).length).toBe(1);

    await proxy.start();
    const back = Date.now();
    let value: unknown;
    while (Date.now() - back < 5000) {
      value = await c().get("k");
      if (value !== undefined) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(value).toBe("before");
    expect(logs.some((line) => line.includes("is back"))).toBe(true);
    await c().clear();
    await proxy.stop();
  });
});
