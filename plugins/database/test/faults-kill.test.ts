// Issue 12, item 6: no request is acknowledged whose write was not committed. An app process
// (test/fixtures/write-server.mjs, run with node on the built packages) takes concurrent
// writes, each inserting a row with an id the client chose, in a @Transactional() handler or
// in db.transaction(fn); it is killed with SIGKILL mid-load. Every id that got a 2xx must be in
// the database afterwards: 0 lost.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { PG_URL, pgUnreachable, reportSkip, uniqueTable } from "./faults-helpers.js";

const SERVER = fileURLToPath(new URL("./fixtures/write-server.mjs", import.meta.url));
/** Clients writing at once. */
const WRITERS = 32;
/** Writes acknowledged before the kill, at least. */
const BEFORE_KILL = 300;

interface Server {
  readonly child: ChildProcess;
  readonly port: number;
  readonly exited: Promise<void>;
}

async function startServer(env: Record<string, string>): Promise<Server> {
  const child = spawn(process.execPath, [SERVER], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, ...env },
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /ready (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once("exit", (code) => reject(new Error(`the write server exited (${code}) before it was ready`)));
  });
  return { child, port, exited };
}

interface Round {
  readonly acknowledged: number[];
  readonly sent: number;
}

/** Writes ids from `first` on until the server dies; SIGKILLs it once enough were acknowledged. */
async function writeUntilKilled(server: Server, first: number): Promise<Round> {
  const acknowledged: number[] = [];
  let next = first;
  let alive = true;
  let killed = false;
  void server.exited.then(() => (alive = false));
  const worker = async (): Promise<void> => {
    while (alive) {
      const id = next++;
      const route = id % 2 === 0 ? "tx" : "fn";
      try {
        const res = await fetch(`http://127.0.0.1:${server.port}/${route}/${id}`, { method: "POST" });
        await res.arrayBuffer();
        if (res.status >= 200 && res.status < 300) acknowledged.push(id);
        else throw new Error(`write ${id} answered ${res.status}`);
      } catch (error) {
        // After the kill, refused and reset connections are expected; before it, nothing fails.
        if (!killed) throw error;
      }
      if (!killed && acknowledged.length >= BEFORE_KILL) {
        killed = true;
        server.child.kill("SIGKILL");
      }
    }
  };
  await Promise.all(Array.from({ length: WRITERS }, worker));
  await server.exited;
  expect(server.child.signalCode).toBe("SIGKILL");
  return { acknowledged, sent: next - first };
}

function report(label: string, round: number, acked: number[], present: Set<number>, sent: number): void {
  const lost = acked.filter((id) => !present.has(id));
  console.log(
    `kill -9 (${label}, round ${round}): ${sent} writes sent, ${acked.length} acknowledged, ` +
      `${present.size} rows present in all, ${lost.length} acknowledged but lost`,
  );
}

describe("kill -9 during a write load on SQLite", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "flagon-kill-"));
  const file = path.join(dir, "app.db");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("loses no acknowledged write (three kills, the file reopened after each)", async () => {
    const allAcknowledged: number[] = [];
    for (let round = 0; round < 3; round++) {
      const server = await startServer({ DATABASE_URL: `sqlite:${file}`, TABLE: "writes" });
      const { acknowledged, sent } = await writeUntilKilled(server, round * 1_000_000 + 1);
      allAcknowledged.push(...acknowledged);
      const db = new BetterSqlite3(file);
      try {
        const rows = db.prepare("select id from writes").all() as Array<{ id: number }>;
        const present = new Set(rows.map((row) => row.id));
        report("SQLite", round + 1, acknowledged, present, sent);
        expect(acknowledged.length).toBeGreaterThanOrEqual(BEFORE_KILL);
        expect(allAcknowledged.filter((id) => !present.has(id))).toEqual([]);
        expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
      } finally {
        db.close();
      }
    }
  }, 120_000);
});

const pgSkip = await pgUnreachable();

describe.skipIf(reportSkip(pgSkip))("kill -9 during a write load on PostgreSQL", () => {
  const table = uniqueTable("flagon_kill");
  const client = new pg.Client({ connectionString: PG_URL });
  afterAll(async () => {
    await client.query(`drop table if exists ${table}`).catch(() => undefined);
    await client.end().catch(() => undefined);
  });

  it("loses no acknowledged write", async () => {
    await client.connect();
    const server = await startServer({ DATABASE_URL: PG_URL, TABLE: table });
    const { acknowledged, sent } = await writeUntilKilled(server, 1);
    const { rows } = await client.query<{ id: number }>(`select id from ${table}`);
    const present = new Set(rows.map((row) => row.id));
    report("PostgreSQL", 1, acknowledged, present, sent);
    expect(acknowledged.length).toBeGreaterThanOrEqual(BEFORE_KILL);
    expect(acknowledged.filter((id) => !present.has(id))).toEqual([]);
  }, 60_000);
});
