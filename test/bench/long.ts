// `npm run bench -- --long`: one server per contender, started once and kept up, loaded in
// slices of a few seconds that interleave the contenders until each has served the request
// target. Per slice: requests per second, requests per server CPU-second (/proc), heap and
// event-loop delay (reported by the server over IPC, outside the measured routes) and RSS. The
// summary says whether a server's cost per request grows with the requests it has served: the
// repo's rounds restart every server, so they cannot show that.
import type { ChildProcess } from "node:child_process";
import { load } from "./load.js";
import { cpuMs, median, memory, serverStats, stop } from "./proc.js";
import { pinned, start } from "./spawn-server.js";

export const LONG_CONTENDERS = ["raw", "fastify", "flagon-di", "flagon-fn", "flagon-di-log"] as const;

export interface LongOptions {
  readonly requests: number;
  readonly sliceSeconds: number;
  readonly connections: number;
  readonly path: string;
  readonly contenders: readonly string[];
}

export interface Slice {
  readonly contender: string;
  /** Which pass over the contenders this slice belongs to (from 0). */
  readonly cycle: number;
  readonly rps: number;
  /** Requests per second of the server's CPU time (user + system) during the slice. */
  readonly perCpuSecond: number;
  readonly p99ms: number;
  readonly errors: number;
  /** Requests the server had served at the end of the slice. */
  readonly served: number;
  readonly heapUsedMb: number;
  readonly rssMb: number;
  readonly loopP99Ms: number;
}

const fixed = (value: number, digits: number): string => (Number.isNaN(value) ? "-" : value.toFixed(digits));

/** Least-squares slope of y over x (NaN with fewer than two points). */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  if (n < 2) return Number.NaN;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += ((xs[i] as number) - mx) * ((ys[i] as number) - my);
    den += ((xs[i] as number) - mx) ** 2;
  }
  return den === 0 ? Number.NaN : num / den;
}

/**
 * The summary of one contender's slices: first against last, and the trend of the CPU a request
 * costs (µs) over the requests served, as the change per million requests. The first slice is
 * the warm-up (JIT, young generation): the trend is taken from the second on.
 */
export function summarise(contender: string, slices: readonly Slice[]): Record<string, string | number> {
  const mine = slices.filter((s) => s.contender === contender);
  const first = mine[0];
  const last = mine[mine.length - 1];
  if (first === undefined || last === undefined) return { contender, slices: 0 };
  const warm = mine.length > 2 ? mine.slice(1) : mine;
  const costUs = warm.map((s) => 1e6 / s.perCpuSecond);
  const perMillion = slope(
    warm.map((s) => s.served / 1e6),
    costUs,
  );
  const baseCost = median(costUs.slice(0, Math.max(1, costUs.length >> 2)));
  // The change the slope amounts to over the slices it was fitted on, against their first quarter;
  // with fewer than 4 slices after the warm-up there is no trend to speak of.
  const span = (last.served - (warm[0] as Slice).served) / 1e6;
  const growth = warm.length >= 4 && mine.length > 2 ? (perMillion * span) / baseCost : Number.NaN;
  return {
    contender,
    slices: mine.length,
    served: last.served,
    "req/s first → last": `${Math.round(first.rps)} → ${Math.round(last.rps)}`,
    "req/CPU-s first → last": `${Math.round(first.perCpuSecond)} → ${Math.round(last.perCpuSecond)}`,
    "CPU µs/req, median": Number(median(costUs).toFixed(2)),
    "µs/req per 1M served": Number(perMillion.toFixed(3)),
    "cost trend": Number.isNaN(growth)
      ? "- (too few slices)"
      : Math.abs(growth) < 0.05
        ? `flat (${(growth * 100).toFixed(1)} %)`
        : `${growth > 0 ? "grows" : "falls"} ${(growth * 100).toFixed(1)} %`,
    "heap MB first → last": `${fixed(first.heapUsedMb, 1)} → ${fixed(last.heapUsedMb, 1)}`,
    "RSS MB first → last": `${fixed(first.rssMb, 1)} → ${fixed(last.rssMb, 1)}`,
    "loop p99 ms, max": fixed(Math.max(...mine.map((s) => s.loopP99Ms)), 1),
    errors: mine.reduce((n, s) => n + s.errors, 0),
  };
}

export async function longRun(opts: LongOptions, wrk: boolean): Promise<{ slices: Slice[] }> {
  const servers = new Map<string, { child: ChildProcess; port: number; served: number }>();
  const slices: Slice[] = [];
  try {
    for (const contender of opts.contenders) {
      const server = await start(contender, {}, { ipc: true });
      servers.set(contender, { child: server.child, port: server.port, served: 0 });
    }
    console.log(
      `long-lived run: ${opts.contenders.join(", ")} on GET ${opts.path}, ${opts.sliceSeconds} s slices ` +
        `until each served ${opts.requests.toLocaleString("en")} requests`,
    );
    console.log(
      "cycle contender       req/s  req/CPU-s  p99 ms  heap MB  RSS MB  loop p99 ms      served  errors",
    );
    for (let cycle = 0; ; cycle++) {
      // Alternate the order each pass, so no contender always follows the same neighbour.
      const order = cycle % 2 === 0 ? [...opts.contenders] : [...opts.contenders].reverse();
      const pending = order.filter((c) => (servers.get(c)?.served ?? Infinity) < opts.requests);
      if (pending.length === 0) break;
      for (const contender of pending) {
        const server = servers.get(contender);
        if (server === undefined) continue;
        const pid = server.child.pid;
        const cpuBefore = cpuMs(pid);
        const result = await load(
          {
            url: `http://127.0.0.1:${server.port}${opts.path}`,
            method: "GET",
            seconds: opts.sliceSeconds,
            connections: opts.connections,
            cpu: pinned ? 1 : undefined,
          },
          wrk,
        );
        const cpuSeconds = (cpuMs(pid) - cpuBefore) / 1000;
        const requests = result.rps * opts.sliceSeconds;
        server.served += Math.round(requests);
        const stats = await serverStats(server.child);
        const slice: Slice = {
          contender,
          cycle,
          rps: result.rps,
          perCpuSecond: requests / cpuSeconds,
          p99ms: result.p99ms,
          errors: result.errors,
          served: server.served,
          heapUsedMb: stats?.heapUsedMb ?? Number.NaN,
          rssMb: stats?.rssMb ?? memory(pid).rssMb,
          loopP99Ms: stats?.loopP99Ms ?? Number.NaN,
        };
        slices.push(slice);
        console.log(
          [
            String(cycle).padStart(5),
            contender.padEnd(13),
            String(Math.round(slice.rps)).padStart(7),
            String(Math.round(slice.perCpuSecond)).padStart(10),
            fixed(slice.p99ms, 2).padStart(7),
            fixed(slice.heapUsedMb, 1).padStart(8),
            fixed(slice.rssMb, 1).padStart(7),
            fixed(slice.loopP99Ms, 1).padStart(12),
            String(Math.round(slice.served)).padStart(11),
            String(slice.errors).padStart(7),
          ].join(" "),
        );
      }
    }
  } finally {
    for (const server of servers.values()) await stop(server.child);
  }
  console.table(opts.contenders.map((c) => summarise(c, slices)));
  // Each Flagon contender against raw and Fastify in the same pass: the medians over passes.
  const ratio = (contender: string, base: string): number =>
    median(
      slices
        .filter((s) => s.contender === contender)
        .map((s) => s.rps / (slices.find((b) => b.cycle === s.cycle && b.contender === base)?.rps ?? NaN)),
    );
  const cost = (contender: string): number =>
    median(slices.filter((s) => s.contender === contender).map((s) => 1e6 / s.perCpuSecond));
  console.table(
    opts.contenders
      .filter((c) => c.startsWith("flagon"))
      .map((c) => ({
        contender: c,
        "× raw (median of passes)": Number(ratio(c, "raw").toFixed(2)),
        "× fastify": Number(ratio(c, "fastify").toFixed(2)),
        "× flagon-di (log cost)": c === "flagon-di-log" ? Number(ratio(c, "flagon-di").toFixed(2)) : "",
        // CPU per request moves less than req/s with what else the machine runs.
        "CPU/req × flagon-di": c === "flagon-di-log" ? Number((cost(c) / cost("flagon-di")).toFixed(2)) : "",
      })),
  );
  return { slices };
}
