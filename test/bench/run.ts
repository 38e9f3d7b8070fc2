// `npm run bench`: raw node:http, Fastify, Express and Flagon (decorated DI controller, and
// function routes) serve the same routes; each is started pinned to CPU 0, loaded from CPU 1,
// contenders alternate over several rounds, and medians are reported with ratios to raw
// node:http and to Fastify measured in the same round. Then the database routes (db.ts): a row
// read by primary key on SQLite and PostgreSQL, through @flagon/database against Kysely alone
// in raw node:http, alternated the same way. `--quick` proves the suite works (CI).
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CACHE_CONTENDERS, CACHE_ROUTE, inProcessHit, singleFlight } from "./cache.js";
import { DB_ROUTE, prepareDatabases, type DbContender, type DbKind } from "./db.js";
import { hasWrk, load, type LoadResult } from "./load.js";
import { pinned, start } from "./spawn-server.js";
import { LONG_CONTENDERS, longRun } from "./long.js";
import { micro } from "./micro.js";
import { cpuMs, median, memory, stop } from "./proc.js";

const CONTENDERS = [
  "raw",
  "raw-headers",
  "fastify",
  "express",
  "flagon-di",
  "flagon-fn",
  "flagon-di-log",
] as const;
type Contender = (typeof CONTENDERS)[number];

const ECHO_BODY = JSON.stringify({
  items: Array.from({ length: 12 }, (_, i) => ({
    id: i,
    name: `item number ${i}`,
    tags: ["a", "b", "c"],
    ok: true,
  })),
}).padEnd(1024, " ");

const ROUTES = [
  { name: "GET /", path: "/", method: "GET" },
  { name: "GET /json", path: "/json", method: "GET" },
  { name: "GET /users/:id", path: "/users/42", method: "GET" },
  { name: "POST /echo (1 KB)", path: "/echo", method: "POST", body: ECHO_BODY },
  { name: "GET /template", path: "/template", method: "GET" },
] as const;

const SECTIONS = ["frameworks", "db", "cache", "micro"] as const;
type Section = (typeof SECTIONS)[number];

const HELP = `npm run bench -- [options]
  --quick              1 round × 1 s, 1 s warm-up: proves the suite works (CI)
  --rounds N           rounds of every contender, alternating their order (default 3)
  --seconds N          seconds measured per route and contender (default 5)
  --warmup N           seconds of warm-up before each measurement (default 2)
  --connections N      concurrent connections (default 50)
  --only a,b           run only these sections: ${SECTIONS.join(", ")} (default: all)
  --long               instead of rounds: one server per contender kept up, loaded in interleaved
                       slices until each served --requests; per slice req/s, req per CPU-second,
                       heap, RSS, event-loop delay; then first against last and the cost trend
    --requests N       requests each contender serves in --long (default 2000000)
    --slice N          seconds per slice in --long (default 10)
    --path P           the route loaded in --long (default /json; also /, /users/42)
    --contenders a,b   contenders in --long (default: ${LONG_CONTENDERS.join(", ")})
  --help               this text`;

interface Options {
  quick: boolean;
  sections: ReadonlySet<Section>;
  rounds: number;
  seconds: number;
  warmup: number;
  connections: number;
}

function options(argv: string[]): Options {
  const quick = argv.includes("--quick");
  const value = (flag: string, fallback: number): number => {
    const i = argv.indexOf(flag);
    return i === -1 ? fallback : Number(argv[i + 1]);
  };
  const i = argv.indexOf("--only");
  const named = i === -1 ? [...SECTIONS] : (argv[i + 1] ?? "").split(",").filter((name) => name !== "");
  const unknown = named.filter((name) => !(SECTIONS as readonly string[]).includes(name));
  if (unknown.length > 0 || named.length === 0) {
    throw new Error(`--only takes sections among ${SECTIONS.join(", ")}; got "${argv[i + 1] ?? ""}"`);
  }
  return {
    quick,
    sections: new Set(named as Section[]),
    rounds: value("--rounds", quick ? 1 : 3),
    seconds: value("--seconds", quick ? 1 : 5),
    warmup: value("--warmup", quick ? 1 : 2),
    connections: value("--connections", 50),
  };
}

interface Sample extends LoadResult {
  readonly round: number;
  readonly contender: Contender;
  readonly route: string;
}

interface DbSample extends LoadResult {
  readonly round: number;
  readonly contender: string;
  readonly kind: DbKind;
  /** The server's CPU time per request (user + system), in µs. */
  readonly cpuUs: number;
}

/**
 * The database contenders, each started alone on CPU 0 and loaded on its route, in an order
 * that alternates each round; every ratio is to the Kysely-alone baseline of the same round.
 */
async function databaseRounds(opts: Options, wrk: boolean) {
  const prepared = await prepareDatabases();
  for (const [kind, reason] of Object.entries(prepared.skipped)) {
    console.log(`database bench: ${kind} contenders skipped: ${reason}`);
  }
  const samples: DbSample[] = [];
  try {
    for (let round = 0; round < opts.rounds; round++) {
      const order = round % 2 === 0 ? [...prepared.contenders] : [...prepared.contenders].reverse();
      for (const contender of order) {
        const server = await start(contender.script, contender.env);
        try {
          const spec = {
            url: `http://127.0.0.1:${server.port}${DB_ROUTE.path}`,
            method: "GET" as const,
            connections: opts.connections,
            cpu: pinned ? 1 : undefined,
          };
          await load({ ...spec, seconds: opts.warmup }, wrk);
          const cpuBefore = cpuMs(server.child.pid);
          const result = await load({ ...spec, seconds: opts.seconds }, wrk);
          const cpuUs = ((cpuMs(server.child.pid) - cpuBefore) * 1000) / (result.rps * opts.seconds);
          samples.push({ round, contender: contender.name, kind: contender.kind, ...result, cpuUs });
        } finally {
          await stop(server.child);
        }
      }
    }
  } finally {
    await prepared.cleanup();
  }
  const baselineOf = (kind: DbKind): DbContender | undefined =>
    prepared.contenders.find((c) => c.kind === kind && c.baseline);
  const rows = prepared.contenders.map((contender) => {
    const mine = samples.filter((s) => s.contender === contender.name);
    const baseline = baselineOf(contender.kind)?.name;
    const ratios = mine.map(
      (s) =>
        s.rps / (samples.find((b) => b.round === s.round && b.contender === baseline)?.rps ?? Number.NaN),
    );
    // The plugin's own cost: against Flagon serving the same query through a Kysely of its own.
    const framework = `flagon-kysely-${contender.kind}`;
    const vsFramework = mine.map(
      (s) =>
        s.rps / (samples.find((b) => b.round === s.round && b.contender === framework)?.rps ?? Number.NaN),
    );
    return {
      route: `${DB_ROUTE.name} (${contender.kind === "sqlite" ? "SQLite" : "PostgreSQL"})`,
      contender: contender.name,
      "req/s": Math.round(median(mine.map((s) => s.rps))),
      "× kysely alone": Number(median(ratios).toFixed(3)),
      "× flagon+kysely": Number(median(vsFramework).toFixed(3)),
      "server CPU µs/req": Number(median(mine.map((s) => s.cpuUs)).toFixed(1)),
      "p99 ms": Number(median(mine.map((s) => s.p99ms)).toFixed(2)),
      errors: mine.reduce((n, s) => n + s.errors, 0),
    };
  });
  return { rows, samples, skipped: prepared.skipped };
}

/** The cache pair, alternated each round; the ratio is to the constant of the same round. */
async function cacheRounds(opts: Options, wrk: boolean) {
  const samples: Array<LoadResult & { round: number; contender: string }> = [];
  for (let round = 0; round < opts.rounds; round++) {
    const order = round % 2 === 0 ? [...CACHE_CONTENDERS] : [...CACHE_CONTENDERS].reverse();
    for (const contender of order) {
      const server = await start("cache-flagon", contender.env);
      try {
        const spec = {
          url: `http://127.0.0.1:${server.port}${CACHE_ROUTE.path}`,
          method: "GET" as const,
          connections: opts.connections,
          cpu: pinned ? 1 : undefined,
        };
        await load({ ...spec, seconds: opts.warmup }, wrk);
        const result = await load({ ...spec, seconds: opts.seconds }, wrk);
        samples.push({ round, contender: contender.name, ...result });
      } finally {
        await stop(server.child);
      }
    }
  }
  const rows = CACHE_CONTENDERS.map((contender) => {
    const mine = samples.filter((s) => s.contender === contender.name);
    const ratios = mine.map(
      (s) =>
        s.rps /
        (samples.find((b) => b.round === s.round && b.contender === "flagon-constant")?.rps ?? Number.NaN),
    );
    return {
      route: CACHE_ROUTE.name,
      contender: contender.name,
      "req/s": Math.round(median(mine.map((s) => s.rps))),
      "× constant": Number(median(ratios).toFixed(3)),
      "p99 ms": Number(median(mine.map((s) => s.p99ms)).toFixed(2)),
      errors: mine.reduce((n, s) => n + s.errors, 0),
      "× constant per round": ratios.map((r) => r.toFixed(3)).join(" "),
    };
  });
  return { rows, samples };
}

/** `--long`: the long-lived run (long.ts), its slices written to test/bench/results/ as JSON. */
async function long(argv: string[]): Promise<void> {
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i === -1 ? undefined : argv[i + 1];
  };
  const contenders = (value("--contenders") ?? LONG_CONTENDERS.join(",")).split(",").filter((c) => c !== "");
  const opts = {
    requests: Number(value("--requests") ?? 2_000_000),
    sliceSeconds: Number(value("--slice") ?? 10),
    connections: Number(value("--connections") ?? 50),
    path: value("--path") ?? "/json",
    contenders,
  };
  if (!(opts.requests > 0 && opts.sliceSeconds > 0 && opts.connections > 0)) {
    throw new Error("--requests, --slice and --connections take positive numbers");
  }
  const wrk = await hasWrk();
  if (pinned && !wrk) execFileSync("taskset", ["-a", "-cp", "1", String(process.pid)], { stdio: "ignore" });
  console.log(
    `flagon bench --long — ${new Date().toISOString()} — node ${process.version} — load: ${wrk ? "wrk" : "autocannon"}, ` +
      `${opts.connections} connections, ${pinned ? "servers on CPU 0, load on CPU 1" : "unpinned (one CPU)"}`,
  );
  const { slices } = await longRun(opts, wrk);
  const dir = fileURLToPath(new URL("../results/", import.meta.url));
  mkdirSync(dir, { recursive: true });
  const file = `${dir}bench-long-${new Date().toISOString().replace(/[:.]/g, "-")}.json`;
  writeFileSync(
    file,
    JSON.stringify({ date: new Date().toISOString(), node: process.version, wrk, opts, slices }, null, 2),
  );
  console.log(`results written to ${file}`);
  if (slices.some((s) => Number.isNaN(s.rps) || s.rps <= 0)) {
    console.error("a slice produced no result");
    process.exitCode = 1;
  }
}

async function main(): Promise<void> {
  if (process.argv.includes("--help")) {
    console.log(HELP);
    return;
  }
  if (process.argv.includes("--long")) {
    await long(process.argv.slice(2));
    return;
  }
  const opts = options(process.argv.slice(2));
  const run = (section: Section) => opts.sections.has(section);
  const wrk = await hasWrk();
  // autocannon loads from this process: keep it off the servers' CPU, as wrk is kept.
  if (pinned && !wrk) execFileSync("taskset", ["-a", "-cp", "1", String(process.pid)], { stdio: "ignore" });
  console.log(
    `flagon bench — ${new Date().toISOString()} — node ${process.version} — load: ${wrk ? "wrk" : "autocannon"}, ` +
      `${opts.rounds} round(s) × ${opts.seconds}s, ${opts.connections} connections, ` +
      (pinned ? "server on CPU 0, load on CPU 1" : "unpinned (one CPU)") +
      (opts.sections.size < SECTIONS.length ? ` — only: ${[...opts.sections].join(", ")}` : ""),
  );
  const samples: Sample[] = [];
  const startups = new Map<Contender, number[]>();
  const mem = new Map<Contender, Array<{ afterStart: number; peak: number }>>();
  for (let round = 0; run("frameworks") && round < opts.rounds; round++) {
    // Alternate the order each round so no contender always runs on a warm or cold machine.
    const order = round % 2 === 0 ? [...CONTENDERS] : [...CONTENDERS].reverse();
    for (const contender of order) {
      const server = await start(contender);
      const afterStart = memory(server.child.pid).rssMb;
      startups.set(contender, [...(startups.get(contender) ?? []), server.startupMs]);
      try {
        for (const route of ROUTES) {
          const spec = {
            url: `http://127.0.0.1:${server.port}${route.path}`,
            method: route.method,
            body: "body" in route ? route.body : undefined,
            connections: opts.connections,
            cpu: pinned ? 1 : undefined,
          };
          await load({ ...spec, seconds: opts.warmup }, wrk);
          const result = await load({ ...spec, seconds: opts.seconds }, wrk);
          samples.push({ round, contender, route: route.name, ...result });
        }
        mem.set(contender, [
          ...(mem.get(contender) ?? []),
          { afterStart, peak: memory(server.child.pid).peakMb },
        ]);
      } finally {
        await stop(server.child);
      }
    }
  }

  const rows: Array<Record<string, string | number>> = [];
  const find = (round: number, contender: Contender, route: string): Sample | undefined =>
    samples.find((s) => s.round === round && s.contender === contender && s.route === route);
  for (const route of ROUTES) {
    for (const contender of CONTENDERS) {
      const mine = samples.filter((s) => s.contender === contender && s.route === route.name);
      const vsRaw = mine.map((s) => s.rps / (find(s.round, "raw", route.name)?.rps ?? Number.NaN));
      const vsFastify = mine.map((s) => s.rps / (find(s.round, "fastify", route.name)?.rps ?? Number.NaN));
      const vsHeaders = mine.map(
        (s) => s.rps / (find(s.round, "raw-headers", route.name)?.rps ?? Number.NaN),
      );
      rows.push({
        route: route.name,
        contender,
        "req/s": Math.round(median(mine.map((s) => s.rps))),
        "× raw": Number(median(vsRaw).toFixed(2)),
        "× fastify": Number(median(vsFastify).toFixed(2)),
        // Against raw node:http sending the same default headers: the framework's own cost.
        "× raw+headers": Number(median(vsHeaders).toFixed(2)),
        "p99 ms": Number(median(mine.map((s) => s.p99ms)).toFixed(2)),
        errors: mine.reduce((n, s) => n + s.errors, 0),
      });
    }
  }
  if (run("frameworks")) console.table(rows);
  // The default request log's cost: the same app with it on, against it off, in the same round.
  const logRows = ROUTES.map((route) => {
    const on = samples.filter((s) => s.contender === "flagon-di-log" && s.route === route.name);
    const ratios = on.map((s) => s.rps / (find(s.round, "flagon-di", route.name)?.rps ?? Number.NaN));
    return { route: route.name, "request log on × off": Number(median(ratios).toFixed(2)) };
  });
  if (run("frameworks")) console.table(logRows);
  const process_ = CONTENDERS.map((c) => ({
    contender: c,
    "start-up ms": Math.round(median(startups.get(c) ?? [])),
    "RSS after start MB": Number(median((mem.get(c) ?? []).map((m) => m.afterStart)).toFixed(1)),
    "peak RSS MB": Number(median((mem.get(c) ?? []).map((m) => m.peak)).toFixed(1)),
  }));
  if (run("frameworks")) console.table(process_);

  const databases = run("db")
    ? await databaseRounds(opts, wrk)
    : { rows: [], samples: [], skipped: {} as Partial<Record<DbKind, string>> };
  if (run("db")) console.table(databases.rows);

  const cacheRun = run("cache") ? await cacheRounds(opts, wrk) : { rows: [], samples: [] };
  const caches = cacheRun.rows;
  const flight = run("cache") ? await singleFlight() : undefined;
  const hitInProcess = run("cache") ? await inProcessHit(opts.quick ? 6 : 40) : undefined;
  if (run("cache")) {
    console.table(caches);
    console.table([hitInProcess?.row]);
    console.table([flight?.row]);
  }

  const microResults = run("micro") ? await micro(opts.quick) : { readyMs: Number.NaN, rows: [] };
  if (run("micro")) console.table(microResults.rows);

  // A measurement with errors (non-2xx, socket errors) is not a result: its target is not met.
  const get = (route: string, contender: Contender, key: string): number => {
    const row = rows.find((r) => r.route === route && r.contender === contender);
    return row && row["errors"] === 0 ? Number(row[key]) : Number.NaN;
  };
  const gets = ["GET /", "GET /json", "GET /users/:id"];
  interface Target {
    section: Section;
    target: string;
    met: boolean;
    skipped?: string | undefined;
  }
  const targets: Target[] = [
    ...["flagon-di", "flagon-fn"].map((c): Target => ({
      section: "frameworks",
      target: `${c} ≥ 0.95× raw on the three GET routes`,
      met: gets.every((r) => get(r, c as Contender, "× raw") >= 0.95),
    })),
    {
      section: "frameworks",
      target: "the default request log costs ≤ 10 % (flagon-di-log ≥ 0.90× flagon-di on the GET routes)",
      met: gets.every((r) => (logRows.find((l) => l.route === r)?.["request log on × off"] ?? 0) >= 0.9),
    },
    {
      section: "frameworks",
      target: "flagon p99 ≤ Fastify's on every route",
      met: ROUTES.every((r) =>
        (["flagon-di", "flagon-fn"] as const).every(
          (c) => get(r.name, c, "p99 ms") <= get(r.name, "fastify", "p99 ms"),
        ),
      ),
    },
    {
      section: "frameworks",
      target: "flagon peak RSS ≤ 90 MB",
      met: process_.filter((p) => p.contender.startsWith("flagon")).every((p) => p["peak RSS MB"] <= 90),
    },
    {
      section: "frameworks",
      target: "start-up to first answer ≤ 150 ms",
      met: process_.filter((p) => p.contender.startsWith("flagon")).every((p) => p["start-up ms"] <= 150),
    },
    {
      section: "micro",
      target: "1,000-route app.ready() ≤ 150 ms",
      met: microResults.readyMs <= 150,
    },
    {
      section: "frameworks",
      target: "template route within 10 % of raw nunjucks",
      met: get("GET /template", "flagon-di", "× raw") >= 0.9,
    },
    {
      section: "frameworks",
      target: "POST /echo ≥ Fastify",
      met: get("POST /echo (1 KB)", "flagon-di", "× fastify") >= 1,
    },
    {
      section: "cache",
      target: "@flagon/cache hit ≥ 0.9× a handler returning a constant",
      met:
        caches.every((r) => r.errors === 0) &&
        (caches.find((r) => r.contender === "flagon-cached")?.["× constant"] ?? 0) >= 0.9,
    },
    {
      section: "cache",
      target: "@flagon/cache: 1,000 concurrent misses on one key → 1 computation",
      met: flight?.computations === 1 && flight.requests === 1000,
    },
    ...(["sqlite", "postgres"] as const).map((kind): Target => {
      const row = databases.rows.find((r) => r.contender === `flagon-db-${kind}`);
      return {
        section: "db",
        target: `@flagon/database ≥ 0.95× Kysely alone in raw node:http (${kind === "sqlite" ? "SQLite" : "PostgreSQL"})`,
        met: row !== undefined && row.errors === 0 && row["× kysely alone"] >= 0.95,
        skipped: databases.skipped[kind],
      };
    }),
  ];
  console.table(
    targets.map((t) => ({
      target: t.target,
      status: !run(t.section)
        ? "not run"
        : "skipped" in t && t.skipped !== undefined
          ? "skipped"
          : t.met
            ? "met"
            : "NOT met",
    })),
  );

  const dir = fileURLToPath(new URL("../results/", import.meta.url));
  mkdirSync(dir, { recursive: true });
  const file = `${dir}bench-${new Date().toISOString().replace(/[:.]/g, "-")}${opts.quick ? "-quick" : ""}${
    opts.sections.size < SECTIONS.length ? `-${[...opts.sections].join("-")}` : ""
  }.json`;
  writeFileSync(
    file,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.version,
        wrk,
        opts,
        rows,
        requestLog: logRows,
        process: process_,
        micro: microResults,
        targets,
        samples,
        databases,
        caches,
        cacheSamples: cacheRun.samples,
        singleFlight: flight,
        cacheInProcess: hitInProcess,
      },
      null,
      2,
    ),
  );
  console.log(`results written to ${file}`);
  const failed = [...samples, ...databases.samples].filter((s) => Number.isNaN(s.rps) || s.rps <= 0);
  if (failed.length > 0) {
    console.error(`${failed.length} measurement(s) produced no result`);
    process.exitCode = 1;
  }
}

await main();
