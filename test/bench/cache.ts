// The cache contenders of `npm run bench`: the same JSON page from a Flagon handler returning a
// constant, and from @flagon/cache's @Cached() hit path. Target: the hit ≥ 0.9× the constant.
export const CACHE_ROUTE = { name: "GET /page", path: "/page" } as const;

export interface CacheContender {
  readonly name: "flagon-constant" | "flagon-cached";
  readonly env: Record<string, string>;
}

export const CACHE_CONTENDERS: readonly CacheContender[] = [
  { name: "flagon-constant", env: {} },
  { name: "flagon-cached", env: { BENCH_CACHED: "1" } },
];
