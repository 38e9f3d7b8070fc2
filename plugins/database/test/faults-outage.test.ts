import "reflect-metadata";
// Issue 12, item 6: the database server stopped under load. The app reaches PostgreSQL (and
// MariaDB) through a TCP proxy; "stopping the server" closes the proxy's listener and cuts its
// live connections, "restarting" it listens again on the same port (the machine's real servers
// serve other suites meanwhile, so they are never stopped). Under a steady load:
//
// - DB routes answer 503 with Retry-After, each within the acquire timeout (plus a margin):
//   no request hangs;
// - a route that does not touch the database keeps answering 200;
// - no uncaught exception or unhandled rejection reaches the process;
// - DB routes answer 200 again within 5 s of the server coming back.
import { Controller, Flagon, Get, Post } from "@flagon/core";
import { sql } from "kysely";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import database, { Database, Transactional } from "../src/index.js";
import {
  DatabaseProxy,
  MYSQL_URL,
  mysqlUnreachable,
  PG_URL,
  pgUnreachable,
  reportSkip,
  sleep,
  uniqueTable,
} from "./faults-helpers.js";

/** The acquire timeout under test: the plugin's default. */
const ACQUIRE_TIMEOUT = 2000;
/** Scheduling slack on a loaded two-core machine, on top of the acquire timeout. */
const MARGIN = 750;
/** Service must be back this soon after the server returns (the bound). */
const RECOVERY = 5000;

interface Sample {
  readonly route: "read" | "write" | "ping";
  readonly start: number;
  readonly end: number;
  readonly status: number;
  readonly retryAfter: string | null;
}

function makeApp(url: string, table: string): Flagon {
  @Controller("/")
  class Routes {
    constructor(private readonly db: Database) {}

    @Get("/ping")
    ping() {
      return { pong: true };
    }

    @Get("/read")
    async read() {
      const row = await this.db
        .selectFrom(table)
        .select(sql<number>`count(*)`.as("n"))
        .executeTakeFirst();
      return { n: Number(row?.n ?? 0) };
    }

    @Transactional()
    @Post("/write")
    async write() {
      await this.db.insertInto(table).values({ note: "x" }).execute();
      const row = await this.db
        .selectFrom(table)
        .select(sql<number>`count(*)`.as("n"))
        .executeTakeFirst();
      return { n: Number(row?.n ?? 0) };
    }
  }
  const app = new Flagon({
    logger: false,
    configFile: false,
    config: {
      env: "test",
      database: { url, pool: { max: 5, acquireTimeout: ACQUIRE_TIMEOUT } },
      server: { closeTimeout: 2000 },
    },
    controllers: [Routes],
  });
  app.register(database);
  return app;
}

/** Workers that each send requests back to back until `stop()`, recording every answer. */
function steadyLoad(port: number, workers: Array<Sample["route"]>) {
  const samples: Sample[] = [];
  let running = true;
  const one = async (route: Sample["route"]): Promise<void> => {
    const start = performance.now();
    let status: number;
    let retryAfter: string | null = null;
    try {
      const res = await fetch(`http://127.0.0.1:${port}/${route}`, {
        method: route === "write" ? "POST" : "GET",
        signal: AbortSignal.timeout(15_000),
      });
      await res.arrayBuffer();
      status = res.status;
      retryAfter = res.headers.get("retry-after");
    } catch {
      status = -1;
    }
    samples.push({ route, start, end: performance.now(), status, retryAfter });
  };
  const done = Promise.all(
    workers.map(async (route) => {
      while (running) {
        await one(route);
        // The ping worker samples; the DB workers press.
        if (route === "ping") await sleep(20);
      }
    }),
  );
  return {
    samples,
    async stop(): Promise<void> {
      running = false;
      await done;
    },
  };
}

interface Outcome {
  readonly samples: Sample[];
  readonly stoppedAt: number;
  readonly restartedAt: number;
  readonly processErrors: unknown[];
}

/** Runs the load: 1 s healthy, 3 s with the server down, 6 s after it returns. */
async function outageUnderLoad(app: Flagon, proxy: DatabaseProxy): Promise<Outcome> {
  const processErrors: unknown[] = [];
  const onError = (error: unknown): void => {
    processErrors.push(error);
  };
  process.on("uncaughtException", onError);
  process.on("unhandledRejection", onError);
  try {
    const port = (await app.listen({ port: 0, host: "127.0.0.1" })).port;
    const load = steadyLoad(port, [
      ...Array.from({ length: 8 }, () => "read" as const),
      ...Array.from({ length: 8 }, () => "write" as const),
      "ping",
    ]);
    await sleep(1000);
    const stoppedAt = performance.now();
    await proxy.stop();
    await sleep(3000);
    await proxy.start();
    const restartedAt = performance.now();
    await sleep(RECOVERY + 1000);
    await load.stop();
    // The app still serves once the load is over (the process survived, the pool works).
    const res = await fetch(`http://127.0.0.1:${port}/read`);
    expect(res.status).toBe(200);
    return { samples: load.samples, stoppedAt, restartedAt, processErrors };
  } finally {
    process.off("uncaughtException", onError);
    process.off("unhandledRejection", onError);
  }
}

function summarise(label: string, o: Outcome) {
  const db = o.samples.filter((s) => s.route !== "ping");
  const during = db.filter((s) => s.start >= o.stoppedAt + 50 && s.end <= o.restartedAt);
  const latencies = during.map((s) => s.end - s.start).sort((a, b) => a - b);
  const firstBack = db
    .filter((s) => s.start >= o.restartedAt && s.status === 200)
    .reduce((min, s) => Math.min(min, s.end - o.restartedAt), Number.POSITIVE_INFINITY);
  const summary = {
    label,
    requests: o.samples.length,
    dbRequests: db.length,
    statuses: Object.fromEntries(
      [...new Set(o.samples.map((s) => `${s.route} ${s.status}`))].map((key) => [
        key,
        o.samples.filter((s) => `${s.route} ${s.status}` === key).length,
      ]),
    ),
    outage503: during.filter((s) => s.status === 503).length,
    outageMedianMs: Number((latencies[latencies.length >> 1] ?? Number.NaN).toFixed(1)),
    outageMaxMs: Number((latencies[latencies.length - 1] ?? Number.NaN).toFixed(1)),
    maxDbLatencyMs: Number(Math.max(...db.map((s) => s.end - s.start)).toFixed(1)),
    backAfterMs: Number(firstBack.toFixed(1)),
  };
  console.log(`outage under load (${label}):`, JSON.stringify(summary));
  return { db, during, firstBack };
}

function expectOutageHandled(label: string, o: Outcome): void {
  const { db, during, firstBack } = summarise(label, o);
  expect(o.processErrors).toEqual([]);
  // Only 200 and 503 ever, and every 503 says when to come back.
  expect(o.samples.filter((s) => s.status !== 200 && s.status !== 503)).toEqual([]);
  expect(db.filter((s) => s.status === 503 && s.retryAfter === null)).toEqual([]);
  // Healthy before the stop.
  expect(db.filter((s) => s.end < o.stoppedAt && s.status !== 200)).toEqual([]);
  // While the server is down: DB routes are 503, none hangs past the acquire timeout.
  expect(during.length).toBeGreaterThan(0);
  expect(during.filter((s) => s.status !== 503)).toEqual([]);
  expect(db.filter((s) => s.end - s.start > ACQUIRE_TIMEOUT + MARGIN)).toEqual([]);
  // The non-DB route answers throughout.
  const pings = o.samples.filter((s) => s.route === "ping");
  expect(pings.filter((s) => s.start >= o.stoppedAt && s.end <= o.restartedAt).length).toBeGreaterThan(0);
  expect(pings.filter((s) => s.status !== 200)).toEqual([]);
  // Back within 5 s of the server's return, and 200 from then on.
  expect(firstBack).toBeLessThanOrEqual(RECOVERY);
  expect(db.filter((s) => s.start >= o.restartedAt + RECOVERY && s.status !== 200)).toEqual([]);
}

const targets = [
  {
    name: "PostgreSQL",
    skip: await pgUnreachable(),
    url: PG_URL,
    port: 5432,
    column: "serial",
  },
  {
    name: "MariaDB",
    skip: await mysqlUnreachable(),
    url: MYSQL_URL,
    port: 3306,
    column: "integer",
  },
] as const;

for (const target of targets) {
  describe.skipIf(reportSkip(target.skip))(`${target.name} stopped under load`, () => {
    const table = uniqueTable("flagon_outage");
    // Creates and drops the table on the real server, not through the proxy.
    const admin = new Database({ url: target.url });
    const proxy = new DatabaseProxy("127.0.0.1", target.port);
    let app: Flagon | undefined;

    beforeAll(async () => {
      await admin.schema
        .createTable(table)
        .addColumn("id", target.column, (c) =>
          target.name === "MariaDB" ? c.primaryKey().autoIncrement() : c.primaryKey(),
        )
        .addColumn("note", "varchar(20)", (c) => c.notNull())
        .execute();
    });
    afterEach(async () => {
      await app?.close();
      await proxy.stop();
    });
    afterAll(async () => {
      await admin.schema.dropTable(table).ifExists().execute();
      await admin.destroy();
    });

    it("answers 503 with Retry-After within the acquire timeout, serves non-DB routes, recovers within 5 s", async () => {
      const port = await proxy.start();
      const url = new URL(target.url);
      url.port = String(port);
      app = makeApp(url.toString(), table);
      const outcome = await outageUnderLoad(app, proxy);
      expectOutageHandled(target.name, outcome);
    }, 60_000);
  });
}
