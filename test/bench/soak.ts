// `npm run soak` (RELIABILITY.md row 39): one Flagon server under a fixed load of half its
// measured peak for 30 minutes (--minutes), in 10 s slices; per slice RSS, heap retained after a
// full collection, requests per second, p99 latency, event-loop delay and errors; then a verdict.
// A script, not a CI test: it takes half an hour and its figures depend on the machine.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { median, memory, serverStats, stop } from "./proc.js";
import { pinned, start } from "./spawn-server.js";

const HELP = `npm run soak -- [options]
  --minutes N        how long the fixed load runs (default 30)
  --slice N          seconds per slice (default 10)
  --percent N        the fixed load, as a percentage of the measured peak (default 50)
  --connections N    concurrent connections (default 50)
  --contender NAME   the server (test/bench/servers/NAME.ts; default flagon-di)
  --path P           the route (default /json)
  --help             this text
Verdict, after the warm-up slices (a fifth of the run, at most 6): RSS and retained heap grow
≤ 5 % (median of the last 3 slices against the first 3), req/s within 5 % of the first slices,
p99 ≤ 1.5× the first slices' + 1 ms, and 0 errors.`;

interface SoakSlice {
  readonly slice: number;
  readonly rps: number;
  readonly p99ms: number;
  readonly errors: number;
  readonly rssMb: number;
  readonly heapMb: number;
  readonly loopP99Ms: number;
}

async function cannon(url: string, seconds: number, connections: number, overallRate?: number) {
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    ...(overallRate === undefined ? {} : { overallRate }),
  });
  return {
    rps: result.requests.average,
    p99ms: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes("--help")) {
    console.log(HELP);
    return;
  }
  const value = (flag: string, fallback: string): string => {
    const i = argv.indexOf(flag);
    return i === -1 ? fallback : (argv[i + 1] ?? fallback);
  };
  const minutes = Number(value("--minutes", "30"));
  const sliceSeconds = Number(value("--slice", "10"));
  const percent = Number(value("--percent", "50"));
  const connections = Number(value("--connections", "50"));
  const contender = value("--contender", "flagon-di");
  const path = value("--path", "/json");
  if (![minutes, sliceSeconds, percent, connections].every((n) => n > 0)) {
    throw new Error("--minutes, --slice, --percent and --connections take positive numbers");
  }
  // autocannon runs in this process: keep it off the server's CPU.
  if (pinned) execFileSync("taskset", ["-a", "-cp", "1", String(process.pid)], { stdio: "ignore" });

  const server = await start(contender, {}, { ipc: true, nodeArgs: ["--expose-gc"] });
  const url = `http://127.0.0.1:${server.port}${path}`;
  const slices: SoakSlice[] = [];
  let peak: number;
  try {
    await cannon(url, 3, connections);
    const peaks: number[] = [];
    for (let i = 0; i < 3; i++) peaks.push((await cannon(url, 5, connections)).rps);
    peak = median(peaks);
    const rate = Math.round((peak * percent) / 100);
    const count = Math.max(1, Math.round((minutes * 60) / sliceSeconds));
    console.log(
      `soak — ${new Date().toISOString()} — node ${process.version} — ${contender} GET ${path}: peak ` +
        `${Math.round(peak)} req/s (median of 3 × 5 s), fixed load ${rate} req/s (${percent} %), ` +
        `${count} slices × ${sliceSeconds} s, ${connections} connections`,
    );
    console.log("slice    req/s  p99 ms  errors  RSS MB  heap MB (after GC)  loop p99 ms");
    for (let slice = 0; slice < count; slice++) {
      const result = await cannon(url, sliceSeconds, connections, rate);
      const stats = await serverStats(server.child, true);
      const row: SoakSlice = {
        slice,
        ...result,
        rssMb: memory(server.child.pid).rssMb,
        heapMb: stats?.heapUsedMb ?? Number.NaN,
        loopP99Ms: stats?.loopP99Ms ?? Number.NaN,
      };
      slices.push(row);
      console.log(
        [
          String(slice).padStart(5),
          String(Math.round(row.rps)).padStart(8),
          row.p99ms.toFixed(1).padStart(7),
          String(row.errors).padStart(7),
          row.rssMb.toFixed(1).padStart(7),
          row.heapMb.toFixed(2).padStart(19),
          row.loopP99Ms.toFixed(1).padStart(12),
        ].join(" "),
      );
    }
  } finally {
    await stop(server.child);
  }

  const warmup = Math.max(1, Math.min(6, Math.floor(slices.length / 5)));
  const steady = slices.slice(warmup);
  const head = steady.slice(0, 3);
  const tail = steady.slice(-3);
  const of = (list: SoakSlice[], key: keyof SoakSlice): number => median(list.map((s) => s[key]));
  const growth = (key: keyof SoakSlice): number => of(tail, key) / of(head, key) - 1;
  const errors = slices.reduce((n, s) => n + s.errors, 0);
  const checks = [
    {
      check: "RSS growth after warm-up ≤ 5 %",
      value: `${(growth("rssMb") * 100).toFixed(1)} % (${of(head, "rssMb").toFixed(1)} → ${of(tail, "rssMb").toFixed(1)} MB)`,
      met: growth("rssMb") <= 0.05,
    },
    {
      check: "retained heap growth after warm-up ≤ 5 %",
      value: `${(growth("heapMb") * 100).toFixed(1)} % (${of(head, "heapMb").toFixed(2)} → ${of(tail, "heapMb").toFixed(2)} MB)`,
      met: growth("heapMb") <= 0.05,
    },
    {
      check: "req/s stable (last slices within 5 % of the first)",
      value: `${Math.round(of(head, "rps"))} → ${Math.round(of(tail, "rps"))}`,
      met: Math.abs(growth("rps")) <= 0.05,
    },
    {
      check: "p99 stable (last ≤ 1.5× first + 1 ms)",
      value: `${of(head, "p99ms").toFixed(1)} → ${of(tail, "p99ms").toFixed(1)} ms`,
      met: of(tail, "p99ms") <= 1.5 * of(head, "p99ms") + 1,
    },
    { check: "0 errors", value: String(errors), met: errors === 0 },
  ];
  console.log(`warm-up: the first ${warmup} slice(s) are left out of the verdict`);
  console.table(checks.map((c) => ({ check: c.check, value: c.value, status: c.met ? "met" : "NOT met" })));
  const verdict = steady.length >= 2 && checks.every((c) => c.met);
  console.log(`verdict: ${verdict ? "PASS" : "FAIL"}`);

  const dir = fileURLToPath(new URL("../results/", import.meta.url));
  mkdirSync(dir, { recursive: true });
  const file = `${dir}soak-${new Date().toISOString().replace(/[:.]/g, "-")}.json`;
  writeFileSync(
    file,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.version,
        contender,
        path,
        peak,
        percent,
        slices,
        checks,
      },
      null,
      2,
    ),
  );
  console.log(`results written to ${file}`);
  if (!verdict) process.exitCode = 1;
}

await main();
