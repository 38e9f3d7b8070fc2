import { fileURLToPath } from "node:url";
import cache, { Cache } from "@flagon/cache";
import { Flagon, type FlagonOptions, ServiceUnavailableError, abort, json } from "@flagon/core";
import { addHealthRoutes } from "../shared/health.js";
import { CatalogClient, isUnavailable, type Product } from "./catalog-client.js";
import { type OrdersSettings, ordersSettings } from "./settings.js";

export interface OrdersAppOptions extends Omit<FlagonOptions, "controllers"> {
  /** Overrides of the defaults and of `$CATALOG_URL` / `$REDIS_URL`. */
  orders?: Partial<OrdersSettings>;
}

export interface Order {
  id: number;
  product: Product;
  quantity: number;
  totalCents: number;
}

/** The catalog client of an orders app made by `createApp` (tests read its breaker and attempts). */
export const catalogClients = new WeakMap<Flagon, CatalogClient>();

/**
 * The orders service. `POST /orders` prices an order with the catalog's current product (an
 * idempotent GET, retried with backoff); `GET /products/<int:id>` is the catalog's product
 * through the cache (Redis when configured), served stale while the catalog is down. A catalog
 * that cannot answer makes both a 503 with `Retry-After`, and `/ready` a 503.
 */
export function createApp(options: OrdersAppOptions = {}): Flagon {
  const { orders: overrides, ...flagonOptions } = options;
  const settings = ordersSettings(overrides);
  const app = new Flagon({ root: fileURLToPath(new URL("../..", import.meta.url)), ...flagonOptions });
  app.register(cache, {
    namespace: settings.cacheNamespace,
    ...(settings.redisUrl ? { url: settings.redisUrl } : {}),
  });

  const client = new CatalogClient({
    ...settings,
    url: settings.catalogUrl,
    breaker: {
      ...settings.breaker,
      onChange: (from, to) => app.log.warn(`catalog circuit ${from} → ${to}`),
    },
  });
  catalogClients.set(app, client);
  app.addHook("onClose", () => client.close());

  app.addHook("onError", (_ctx, error) => {
    if (!isUnavailable(error)) return undefined;
    const wait = Math.max(1, Math.ceil(client.breaker.retryInMs() / 1000));
    return new ServiceUnavailableError(`The catalog is unavailable: ${error.message}`, {
      headers: { "retry-after": String(wait) },
      // Service to service: the caller is better served by the reason than by a bare 503.
      expose: true,
      cause: error,
    });
  });

  app.get(
    "/products/<int:id>",
    async (ctx) => {
      const id = ctx.request.params["id"] as number;
      const product = await ctx.container
        .resolve(Cache)
        .wrap(`product:${id}`, async () => (await client.product(id)) ?? null, { ttl: 30, grace: 600 });
      return json(product ?? abort(404, `Product ${id} does not exist`));
    },
    { endpoint: "product" },
  );

  const placed = new Map<number, Order>();
  let nextId = 1;
  app.post(
    "/orders",
    async (ctx) => {
      const { productId, quantity } = readOrder(await ctx.body());
      const product = (await client.product(productId)) ?? abort(422, `Product ${productId} does not exist`);
      const order: Order = { id: nextId++, product, quantity, totalCents: product.priceCents * quantity };
      placed.set(order.id, order);
      return json(order, { status: 201, headers: { location: `/orders/${order.id}` } });
    },
    { endpoint: "place" },
  );
  app.get(
    "/orders/<int:id>",
    (ctx) => {
      const id = ctx.request.params["id"] as number;
      return json(placed.get(id) ?? abort(404, `Order ${id} does not exist`));
    },
    { endpoint: "order" },
  );

  addHealthRoutes(app, async () => ({ catalog: (await client.healthy()) ? "up" : "down" }));
  return app;
}

function readOrder(body: unknown): { productId: number; quantity: number } {
  const input = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  const { productId, quantity } = input;
  if (!Number.isInteger(productId) || (productId as number) < 1) {
    abort(422, "productId must be a positive integer");
  }
  if (!Number.isInteger(quantity) || (quantity as number) < 1 || (quantity as number) > 1000) {
    abort(422, "quantity must be an integer from 1 to 1000");
  }
  return { productId: productId as number, quantity: quantity as number };
}
