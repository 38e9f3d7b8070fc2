import "reflect-metadata";
// Issue 12, item 2 (the pool part): the connection always returns to the pool. Over real
// sockets, 1,000 requests to a @Transactional() route whose handler writes a row, then waits,
// are cut by the client (a TCP reset) mid-handler. Afterwards no connection is checked out, no
// request waits for one, every aborted request's row was rolled back (ctx.signal aborted →
// rollback), and a normal request still commits.
import net from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Body, Controller, Ctx, Flagon, Post, type Context } from "@flagon/core";
import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import database, { Database, Transactional } from "../src/index.js";
import { PG_URL, pgUnreachable, reportSkip, uniqueTable, waitFor } from "./faults-helpers.js";

const REQUESTS = 1000;
/** Requests cut at the same time: more than the pool holds, so some wait for a connection. */
const CONCURRENCY = 25;

interface Started {
  /** The handler's row is written: the client may cut now. */
  readonly written: Map<number, () => void>;
  /** Handlers that returned (after their client went away). */
  finished: number;
  aborted: number;
}

function makeApp(url: string, table: string, state: Started): Flagon {
  @Controller("/")
  class Writes {
    constructor(private readonly db: Database) {}

    @Transactional()
    @Post("/write")
    async write(@Body() body: { id: number; wait?: boolean }, @Ctx() ctx: Context) {
      try {
        await this.db.insertInto(table).values({ id: body.id }).execute();
        if (body.wait !== false) {
          state.written.get(body.id)?.();
          // Waits for the client to leave (bounded, so a missed abort fails the test, not hangs it).
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, 10_000);
            ctx.signal.addEventListener("abort", () => {
              clearTimeout(timer);
              resolve();
            });
          });
          if (ctx.signal.aborted) state.aborted++;
        }
        return { id: body.id };
      } finally {
        state.finished++;
      }
    }
  }
  const app = new Flagon({
    logger: false,
    configFile: false,
    config: { env: "test", database: { url, pool: { max: 10 } }, server: { closeTimeout: 2000 } },
    controllers: [Writes],
  });
  app.register(database);
  return app;
}

/** Sends one POST /write over a socket of its own and resets it once the row is written. */
async function cutMidHandler(port: number, id: number, state: Started): Promise<void> {
  const written = new Promise<void>((resolve) => state.written.set(id, resolve));
  const socket = net.connect(port, "127.0.0.1");
  socket.on("error", () => undefined);
  await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  const body = JSON.stringify({ id });
  socket.write(
    `POST /write HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  let answered = false;
  socket.once("data", () => (answered = true));
  await written;
  state.written.delete(id);
  socket.resetAndDestroy();
  if (answered) throw new Error(`request ${id} was answered before its client left`);
}

async function resetMany(port: number, state: Started): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS) {
        const id = ++next;
        await cutMidHandler(port, id, state);
      }
    }),
  );
}

async function normalRequest(port: number, id: number): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`http://127.0.0.1:${port}/write`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ id, wait: false }),
  });
  return { status: res.status, body: await res.json() };
}

async function rowIds(db: Database, table: string): Promise<number[]> {
  const rows = await db.selectFrom(table).select("id").orderBy("id").execute();
  return rows.map((row) => Number(row.id));
}

const pgSkip = await pgUnreachable();

describe.skipIf(reportSkip(pgSkip))("1,000 requests reset mid-handler on PostgreSQL", () => {
  const table = uniqueTable("flagon_pool");
  let db: Database | undefined;

  it("leaves the pool whole and every aborted write rolled back", async () => {
    const state: Started = { written: new Map(), finished: 0, aborted: 0 };
    // A name of its own, so the server's view below counts this pool's sessions only.
    const url = new URL(PG_URL);
    url.searchParams.set("application_name", table);
    const app = makeApp(url.toString(), table, state);
    try {
      const port = (await app.listen({ port: 0, host: "127.0.0.1" })).port;
      db = app.container.resolve(Database);
      await db.schema
        .createTable(table)
        .addColumn("id", "integer", (c) => c.primaryKey())
        .execute();

      await resetMany(port, state);
      expect(await waitFor(() => state.finished === REQUESTS, 15_000)).toBe(true);
      expect(state.aborted).toBe(REQUESTS);

      // Every connection is back (idle or closed), none is checked out, nobody waits.
      expect(
        await waitFor(() => {
          const stats = db!.poolStats()!;
          return stats.total === stats.idle && stats.waiting === 0;
        }, 5000),
      ).toBe(true);
      const stats = db.poolStats()!;
      expect(stats.total - stats.idle).toBe(0);
      expect(stats.waiting).toBe(0);
      expect(stats.total).toBeLessThanOrEqual(10);

      // No row of an aborted request was committed.
      expect(await rowIds(db, table)).toEqual([]);
      // The server agrees: no session of ours is left inside a transaction.
      const sessions = await sql<{ ours: string; inTransaction: string }>`
        select count(*) as ours,
          count(*) filter (where state like 'idle in transaction%' and pid <> pg_backend_pid()) as "inTransaction"
        from pg_stat_activity where application_name = ${table}`.execute(db);
      expect(Number(sessions.rows[0]?.ours)).toBeGreaterThanOrEqual(1);
      expect(Number(sessions.rows[0]?.inTransaction)).toBe(0);

      // A normal request still commits.
      expect(await normalRequest(port, 5000)).toEqual({ status: 200, body: { id: 5000 } });
      expect(await rowIds(db, table)).toEqual([5000]);
      const after = db.poolStats()!;
      expect(after.total - after.idle).toBe(0);
    } finally {
      await db?.schema.dropTable(table).ifExists().execute();
      await app.close();
    }
  }, 120_000);
});

describe("1,000 requests reset mid-handler on SQLite", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "flagon-pool-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("leaves the connection free and every aborted write rolled back", async () => {
    const state: Started = { written: new Map(), finished: 0, aborted: 0 };
    const app = makeApp(`sqlite:${path.join(dir, "app.db")}`, "writes", state);
    try {
      const port = (await app.listen({ port: 0, host: "127.0.0.1" })).port;
      const db = app.container.resolve(Database);
      await db.schema
        .createTable("writes")
        .addColumn("id", "integer", (c) => c.primaryKey())
        .execute();
      // SQLite has one connection, which a transaction holds until it ends: the requests queue
      // for it, each freeing it when its client leaves.
      await resetMany(port, state);
      expect(await waitFor(() => state.finished === REQUESTS, 15_000)).toBe(true);
      expect(state.aborted).toBe(REQUESTS);
      expect(await rowIds(db, "writes")).toEqual([]);
      // A leaked connection would make this wait for the acquire timeout and answer 503.
      expect(await normalRequest(port, 5000)).toEqual({ status: 200, body: { id: 5000 } });
      expect(await rowIds(db, "writes")).toEqual([5000]);
      expect(db.inTransaction).toBe(false);
    } finally {
      await app.close();
    }
  }, 120_000);
});
