// Two orders instances (two workers, two machines) sharing one Redis: a product one of them
// cached is served by the other while the catalog is down.
import net from "node:net";
import { Cache } from "@flagon/cache";
import type { Flagon } from "@flagon/core";
import { afterEach, describe, expect, it } from "vitest";
import { createApp as createCatalog } from "../src/catalog/app.js";
import { createApp as createOrders } from "../src/orders/app.js";

const REDIS = new URL(process.env["FLAGON_TEST_REDIS_URL"] ?? "redis://127.0.0.1:6379");
const hasRedis = await new Promise<boolean>((resolve) => {
  const socket = net.connect({ host: REDIS.hostname, port: Number(REDIS.port), timeout: 1000 });
  const done = (ok: boolean) => (socket.destroy(), resolve(ok));
  socket.once("connect", () => done(true));
  socket.once("error", () => done(false));
  socket.once("timeout", () => done(false));
});
if (!hasRedis) console.warn(`skipping the shared-Redis test: nothing answers at ${REDIS.host}`);

const apps: Flagon[] = [];
afterEach(async () => {
  for (const app of apps.splice(0).reverse()) await app.close();
});

describe.skipIf(!hasRedis)("orders instances sharing Redis", () => {
  it("serve each other's cached products while the catalog is down", async () => {
    const catalog = createCatalog({ logger: false });
    apps.push(catalog);
    const { port } = await catalog.listen({ port: 0, host: "127.0.0.1" });
    const namespace = `orders-test-${process.pid}-${Math.random().toString(36).slice(2)}`;
    const instance = () => {
      const app = createOrders({
        logger: false,
        configFile: false,
        orders: {
          catalogUrl: `http://127.0.0.1:${port}`,
          redisUrl: REDIS.href,
          cacheNamespace: namespace,
          retry: { attempts: 1, baseMs: 10, maxMs: 10 },
        },
      });
      apps.push(app);
      return app;
    };
    const [first, second] = [instance(), instance()];
    await Promise.all([first.ready(), second.ready()]);
    try {
      expect((await first.inject("/products/3")).json()).toMatchObject({ id: 3 });
      await catalog.close();

      const shared = await second.inject("/products/3"); // never asked the catalog itself
      expect(shared.statusCode).toBe(200);
      expect(shared.json()).toMatchObject({ id: 3, name: "Linen napkins (set of 4)" });
      const uncached = await second.inject({ url: "/products/1", headers: { accept: "application/json" } });
      expect(uncached.statusCode).toBe(503);
      expect(uncached.headers["retry-after"]).toBeDefined();
    } finally {
      await first.container.resolve(Cache).clear();
    }
  });
});
