// The cache contenders of `npm run bench`: the same JSON page from a Flagon handler returning a
// constant, and from @flagon/cache's @Cached() hit path. Target: the hit ≥ 0.9× the constant.
// Also, in process: 1,000 concurrent misses on one key compute the value once.
import "reflect-metadata";
import { Flagon } from "@flagon/core";
import { inject } from "@flagon/core/testing";
import cache, { Cache, Cached } from "@flagon/cache";

export const CACHE_ROUTE = { name: "GET /page", path: "/page" } as const;

export interface CacheContender {
  readonly name: "flagon-constant" | "flagon-cached";
  readonly env: Record<string, string>;
}

export const CACHE_CONTENDERS: readonly CacheContender[] = [
  { name: "flagon-constant", env: {} },
  { name: "flagon-cached", env: { BENCH_CACHED: "1" } },
];

/**
 * 1,000 concurrent `wrap()` calls on one cold key, in this process: how many times the value was
 * computed (the target is once), and how long until every caller had it.
 */
export async function singleFlight(requests = 1000) {
  const app = new Flagon({ configFile: false, logger: false, config: { env: "production" } });
  app.register(cache);
  await app.ready();
  const c = app.container.resolve(Cache);
  let computations = 0;
  const started = performance.now();
  const values = await Promise.all(
    Array.from({ length: requests }, () =>
      c.wrap("bench:hot", async () => {
        computations++;
        await new Promise((resolve) => setTimeout(resolve, 20)); // a slow source
        return { computed: computations };
      }),
    ),
  );
  const ms = performance.now() - started;
  await app.close();
  const distinct = new Set(values.map((v) => v.computed)).size;
  return {
    requests,
    computations,
    row: {
      figure: `@flagon/cache: ${requests} concurrent misses on one key (wrap)`,
      computations,
      "distinct values": distinct,
      "all answered ms": Number(ms.toFixed(1)),
    },
  };
}

/**
 * The same pair in this process, through inject() (no sockets, no load generator): short batches
 * of each alternate many times and the median ratio is reported, which a busy machine disturbs
 * less than the socket runs (both sides of a ratio share each moment's noise).
 */
export async function inProcessHit(batches = 40, perBatch = 2000) {
  const page = { message: "Hello, World!" };
  const constant = new Flagon({ configFile: false, logger: false, config: { env: "production" } });
  constant.get("/page", () => page);
  const cached = new Flagon({ configFile: false, logger: false, config: { env: "production" } });
  cached.register(cache);
  cached.get("/page", () => page, { decorators: [Cached({ ttl: 3600 })] });
  await inject(cached, "/page");
  await new Promise((resolve) => setTimeout(resolve, 10)); // stored in the background
  const batch = async (app: Flagon): Promise<number> => {
    const started = performance.now();
    for (let i = 0; i < perBatch; i++) await inject(app, "/page");
    return perBatch / ((performance.now() - started) / 1000);
  };
  for (let i = 0; i < 3; i++) await Promise.all([batch(constant), batch(cached)]); // warm-up
  const ratios: number[] = [];
  const rates: { constant: number[]; cached: number[] } = { constant: [], cached: [] };
  for (let i = 0; i < batches; i++) {
    const first = i % 2 === 0;
    const a = await batch(first ? constant : cached);
    const b = await batch(first ? cached : constant);
    const [c, h] = first ? [a, b] : [b, a];
    rates.constant.push(c);
    rates.cached.push(h);
    ratios.push(h / c);
  }
  await constant.close();
  await cached.close();
  const median = (values: number[]) => [...values].sort((x, y) => x - y)[values.length >> 1] as number;
  return {
    ratio: median(ratios),
    row: {
      figure: `@flagon/cache hit vs constant in process (inject, ${batches} alternating batches of ${perBatch})`,
      "constant req/s": Math.round(median(rates.constant)),
      "cached req/s": Math.round(median(rates.cached)),
      "× constant (median)": Number(median(ratios).toFixed(3)),
    },
  };
}
