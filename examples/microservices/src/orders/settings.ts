import type { BackoffOptions } from "../resilience/backoff.js";
import type { BreakerOptions } from "../resilience/breaker.js";

/** How orders reaches the catalog and Redis; every field has a default or an environment variable. */
export interface OrdersSettings {
  /** `$CATALOG_URL`, else `http://127.0.0.1:4001`. */
  catalogUrl: string;
  /** `$REDIS_URL`: the product cache is shared in Redis; without it, an LRU per process. */
  redisUrl: string | undefined;
  /** Keeps these keys apart from other apps' in a shared Redis. */
  cacheNamespace: string;
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  retry: BackoffOptions;
  breaker: Omit<BreakerOptions, "onChange">;
}

/** The defaults, with the environment read now; `overrides` (from code, from tests) win. */
export function ordersSettings(overrides: Partial<OrdersSettings> = {}): OrdersSettings {
  const env = process.env;
  return {
    catalogUrl: env["CATALOG_URL"] ?? "http://127.0.0.1:4001",
    redisUrl: env["REDIS_URL"] || undefined,
    cacheNamespace: "orders",
    connectTimeoutMs: 1000,
    responseTimeoutMs: 2000,
    retry: { attempts: 3, baseMs: 100, maxMs: 1000 },
    breaker: { failureThreshold: 5, openMs: 5000 },
    ...overrides,
  };
}
