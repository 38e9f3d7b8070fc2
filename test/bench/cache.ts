// The cache contenders of `npm run bench`: the same JSON page from a Flagon handler returning a
// constant, and from @flagon/cache's @Cached() hit path. Target: the hit ≥ 0.9× the constant.
// Also, in process: 1,000 concurrent misses on one key compute the value once.
import "reflect-metadata";
import { Flagon } from "@flagon/core";
import cache, { Cache } from "@flagon/cache";

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
