// What every contender serves, so they are measured on identical work.
export const HELLO = "Hello, World!";
export const JSON_BODY = { message: "Hello, World!" } as const;
/** Twenty routes registered besides /users/<id>, so the router has a realistic table. */
export const OTHER_ROUTES = Array.from({ length: 20 }, (_, i) => `/r${i}/items`);
export const TEMPLATE_CONTEXT = {
  title: "Price list",
  items: Array.from({ length: 20 }, (_, i) => ({ name: `item <${i}>`, price: (i * 1.25).toFixed(2) })),
};
export const VIEWS = new URL("../../views/", import.meta.url).pathname;

export function port(): number {
  return Number(process.env["PORT"] ?? 0);
}

/** Tells the runner the server is up. */
export function announce(bound: number): void {
  process.stdout.write(`ready ${bound}\n`);
}

// Exit cleanly on a signal, so `node --cpu-prof` can write its profile.
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => process.exit(0));

/** What a server reports over IPC (long-lived and soak runs): memory and event-loop delay. */
export interface ServerStats {
  readonly type: "stats";
  readonly heapUsedMb: number;
  readonly heapTotalMb: number;
  readonly rssMb: number;
  /** Event-loop delay since the previous report, ms (a blocked loop shows here). */
  readonly loopP99Ms: number;
  readonly loopMaxMs: number;
}

// Only when started with an IPC channel: the runner asks for the figures between slices, so they
// travel outside the measured HTTP routes and cost nothing while load runs.
if (process.send !== undefined) {
  const { monitorEventLoopDelay } = await import("node:perf_hooks");
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  process.on("message", (message: { type?: string; gc?: boolean }) => {
    if (message.type !== "stats") return;
    // With --expose-gc (the soak): a full collection first, so heap figures are what is retained.
    const gc = (globalThis as { gc?: () => void }).gc;
    if (message.gc === true && gc !== undefined) gc();
    const memory = process.memoryUsage();
    const mb = (bytes: number): number => bytes / 1024 / 1024;
    const stats: ServerStats = {
      type: "stats",
      heapUsedMb: mb(memory.heapUsed),
      heapTotalMb: mb(memory.heapTotal),
      rssMb: mb(memory.rss),
      loopP99Ms: loop.percentile(99) / 1e6,
      loopMaxMs: loop.max / 1e6,
    };
    loop.reset();
    process.send?.(stats);
  });
}
