/**
 * @flagon/cache: a Keyv-backed cache — a bounded LRU in memory by default, Redis by URL — with
 * single-flight `wrap()`, stale-while-revalidate and grace, tags, whole-response caching with
 * `@Cached()`, `@Memoize()` for service methods and a `{% cache %}` template tag. Written only
 * against the public plugin API of `@flagon/core`.
 *
 * @example
 * import cache, { Cache, Cached } from "@flagon/cache";
 * app.register(cache, { url: "redis://127.0.0.1:6379" });
 *
 * @module @flagon/cache
 */
import { createRequire } from "node:module";
import { definePlugin } from "@flagon/core/plugin";
import { z } from "zod";
import { Cache } from "./cache.js";
import { isCached, lookup } from "./cached.js";
import { RedisBus } from "./bus.js";
import { fragmentTag } from "./fragment.js";
import { createStore } from "./redis.js";
import { TieredStore } from "./tiers.js";

export { Cache, type CacheSettings, type CacheStatus, type SetOptions, type WrapOptions } from "./cache.js";
export { Cached, primaryKey, refusal, type CachedOptions } from "./cached.js";
export { Memoize, invalidate, type MemoizeOptions } from "./memoize.js";
export { KeyvStore, MemoryStore, type CacheStore, type Entry, type MemoryLimits } from "./stores.js";
export { RedisBus, type Invalidation, type InvalidationBus } from "./bus.js";
export { channelOf, createStore } from "./redis.js";
export { TieredStore } from "./tiers.js";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

const { version } = createRequire(import.meta.url)("../package.json") as { version: string };

/** The options, checked and defaulted at start-up (the `cache` config section merged under `register`'s). */
export const configSchema = z
  .object({
    /** `redis://…` (or `rediss://…`) for Redis; none for the in-memory LRU. */
    url: z
      .string()
      .regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL")
      .optional(),
    /** Keeps this app's keys apart from other apps' in a shared store. */
    namespace: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]+$/)
      .default("flagon"),
    /** Default seconds a value stays fresh. */
    ttl: z.number().positive().max(31_536_000).default(300),
    /** Milliseconds a store call may take before it counts as a miss. */
    deadline: z.number().int().min(1).max(10_000).default(200),
    memory: z
      .object({
        maxEntries: z.number().int().min(1).default(10_000),
        maxBytes: z
          .number()
          .int()
          .min(1024)
          .default(64 * 1024 * 1024),
      })
      .strict()
      .prefault({}),
    /**
     * With `url`: a local LRU in front of Redis in each process. A local hit costs no round
     * trip; writes and invalidations reach the other processes over Redis pub/sub.
     */
    local: z
      .object({
        maxEntries: z.number().int().min(1).default(1000),
        maxBytes: z
          .number()
          .int()
          .min(1024)
          .default(16 * 1024 * 1024),
        /** Seconds a local copy lives at most: what a lost invalidation can cost. */
        ttl: z.number().positive().max(3600).default(10),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine((options) => options.local === undefined || options.url !== undefined, {
    message: "cache.local is a tier in front of Redis: it needs cache.url",
    path: ["local"],
  });

export type CacheOptions = z.output<typeof configSchema>;

declare module "@flagon/core" {
  interface CoreConfig {
    cache?: z.input<typeof configSchema>;
  }
}

export default definePlugin<CacheOptions>({
  name: "@flagon/cache",
  version,
  core: ">=0.1.0 <1",
  configKey: "cache",
  configSchema,
  // Guards (auth) run before a cached page can answer, whatever the order in config.
  after: ["@flagon/auth"],
  register(app, options) {
    const backend = createStore(app, options);
    const cache = new Cache(backend, {
      ttl: options.ttl,
      namespace: options.url === undefined ? options.namespace : "v1",
      onRefreshError: (key, error) =>
        app.log.warn(
          { key, err: error instanceof Error ? error.message : String(error) },
          "@flagon/cache: refresh failed; serving the stale value",
        ),
    });
    app.provide({ provide: Cache, useValue: cache });
    const development = app.config.env === "development";
    app.addHook("preHandler", lookup(cache, development), { appliesTo: isCached });
    app.templates.addExtension("FlagonCache", fragmentTag(cache, options.ttl));
    if (backend instanceof TieredStore && backend.bus instanceof RedisBus) {
      // Start with the subscription in place when Redis answers; never hold start-up longer.
      const bus = backend.bus;
      app.addHook("onReady", () => Promise.race([bus.subscribed, sleep(1000)]).catch(() => undefined));
    }
    app.addHook("onClose", () => backend.close?.());
  },
});
