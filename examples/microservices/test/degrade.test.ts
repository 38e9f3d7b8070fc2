// Catalog and orders on ephemeral ports, in this process: stop the catalog and watch orders
// degrade (503 with Retry-After, then a breaker that fails fast), start it again and watch
// orders recover (half-open probe, closed).
import net from "node:net";
import type { Flagon } from "@flagon/core";
import { afterEach, describe, expect, it } from "vitest";
import { createApp as createCatalog } from "../src/catalog/app.js";
import { catalogClients, createApp as createOrders } from "../src/orders/app.js";
import type { OrdersSettings } from "../src/orders/settings.js";

const apps: Flagon[] = [];
const servers: net.Server[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function startCatalog(port = 0): Promise<{ app: Flagon; port: number }> {
  const app = createCatalog({ logger: false });
  apps.push(app);
  const { port: bound } = await app.listen({ port, host: "127.0.0.1" });
  return { app, port: bound };
}

async function startOrders(catalogUrl: string, settings: Partial<OrdersSettings> = {}) {
  const app = createOrders({
    logger: false,
    orders: {
      catalogUrl,
      redisUrl: undefined,
      connectTimeoutMs: 500,
      responseTimeoutMs: 300,
      retry: { attempts: 2, baseMs: 20, maxMs: 50 },
      breaker: { failureThreshold: 3, openMs: 400 },
      ...settings,
    },
  });
  apps.push(app);
  const { url } = await app.listen({ port: 0, host: "127.0.0.1" });
  return { app, url, client: catalogClients.get(app)! };
}

function order(base: string, productId = 1) {
  return fetch(new URL("/orders", base), {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ productId, quantity: 2 }),
  });
}

describe("orders calling catalog", () => {
  it("places an order priced by the catalog, and names bad input", async () => {
    const catalog = await startCatalog();
    const orders = await startOrders(`http://127.0.0.1:${catalog.port}`);
    const res = await order(orders.url);
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({
      id: 1,
      quantity: 2,
      totalCents: 8400,
      product: { name: "Pewter flagon" },
    });
    const missing = await order(orders.url, 99);
    expect(missing.status).toBe(422);
    expect(await missing.text()).toContain("Product 99 does not exist");
    const bad = await fetch(new URL("/orders", orders.url), {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ productId: 1, quantity: 0 }),
    });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain("quantity must be an integer from 1 to 1000");
    expect(orders.client.breaker.state).toBe("closed"); // a 404 upstream is no failure
  });

  it("degrades to 503 with Retry-After when the catalog stops, fails fast, then recovers", async () => {
    const catalog = await startCatalog();
    const orders = await startOrders(`http://127.0.0.1:${catalog.port}`);
    expect((await order(orders.url)).status).toBe(201);
    expect((await fetch(new URL("/products/2", orders.url))).status).toBe(200); // now cached
    expect((await fetch(new URL("/ready", orders.url))).status).toBe(200);

    await catalog.app.close();
    const before = orders.client.attempts;
    const first = await order(orders.url);
    expect(first.status).toBe(503);
    expect(Number(first.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(await first.text()).toContain("The catalog is unavailable");
    expect(orders.client.attempts - before).toBe(2); // a GET: tried, then retried once

    // The next failure reaches the threshold (3): the breaker opens, and later calls never
    // touch the catalog.
    expect((await order(orders.url)).status).toBe(503);
    expect(orders.client.breaker.state).toBe("open");
    const whenOpen = orders.client.attempts;
    for (let i = 0; i < 10; i++) {
      const res = await order(orders.url);
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("1");
    }
    expect(orders.client.attempts).toBe(whenOpen);
    expect((await fetch(new URL("/ready", orders.url))).status).toBe(503);
    // The cached product is still served while the catalog is down.
    expect(await (await fetch(new URL("/products/2", orders.url))).json()).toMatchObject({ id: 2 });

    await startCatalog(catalog.port);
    const started = Date.now();
    let status = 0;
    while (status !== 201 && Date.now() - started < 5000) {
      status = (await order(orders.url)).status;
      if (status !== 201) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(status).toBe(201);
    expect(orders.client.breaker.state).toBe("closed");
    const ready = await fetch(new URL("/ready", orders.url));
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ state: "ready", dependencies: { catalog: "up" } });
  });

  it("answers 503 within its timeouts when the catalog accepts but never answers", async () => {
    const held = new Set<net.Socket>();
    const hung = net.createServer((socket) => held.add(socket)); // holds every connection, says nothing
    servers.push(hung);
    const release = () => held.forEach((socket) => socket.destroy());
    await new Promise<void>((resolve) => hung.listen(0, "127.0.0.1", resolve));
    const { port } = hung.address() as net.AddressInfo;
    const orders = await startOrders(`http://127.0.0.1:${port}`);
    const started = Date.now();
    const res = await order(orders.url);
    const elapsed = Date.now() - started;
    expect(res.status).toBe(503);
    expect(await res.text()).toContain("UND_ERR_HEADERS_TIMEOUT");
    expect(orders.client.attempts).toBe(2);
    // Two attempts of 300 ms and one backoff of at most 50 ms: never the OS's own timeouts.
    expect(elapsed).toBeGreaterThanOrEqual(600);
    expect(elapsed).toBeLessThan(3000);
    release();
  });
});
