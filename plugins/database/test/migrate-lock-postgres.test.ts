// The migration lock on PostgreSQL: two `flagon db migrate` processes started at the same moment
// on a fresh schema apply each migration exactly once. The migrations would fail if applied
// twice (create table without "if not exists") and are slow, so the runs overlap: one process
// waits on the advisory lock (seen in pg_stat_activity) while the other migrates.
import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Database } from "../src/index.js";
import { built, flagon, notBuiltReason, removeApp, tempApp } from "./cli-app.js";

const SERVER = process.env["FLAGON_TEST_POSTGRES_URL"] ?? "postgres://postgres@127.0.0.1:5432/test";

async function reachable(): Promise<string | undefined> {
  const db = new Database({ url: SERVER, acquireTimeout: 2000 });
  try {
    await sql`select 1`.execute(db);
    return undefined;
  } catch (error) {
    return `no PostgreSQL at ${SERVER} (${error instanceof Error ? error.message : String(error)})`;
  } finally {
    await db.destroy();
  }
}

const why = built ? await reachable() : notBuiltReason;
if (why !== undefined) console.warn(`skipped the PostgreSQL migration lock test: ${why}`);

const schema = `flagon_lock_${randomBytes(6).toString("hex")}`;
const url = `${SERVER}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
let admin: Database | undefined;
let dir = "";

const slowTable = (table: string): string => `import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable(${JSON.stringify(table)}).addColumn("id", "integer").execute();
  await sql\`select pg_sleep(1)\`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable(${JSON.stringify(table)}).execute();
}
`;

const NAMES = ["001_one", "002_two", "003_three"];

beforeAll(async () => {
  if (why !== undefined) return;
  admin = new Database({ url: SERVER });
  await sql`create schema ${sql.id(schema)}`.execute(admin);
  dir = await tempApp({
    "migrations/001_one.ts": slowTable("one"),
    "migrations/002_two.ts": slowTable("two"),
    "migrations/003_three.ts": slowTable("three"),
  });
});

afterAll(async () => {
  if (admin !== undefined) {
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(admin);
    await admin.destroy();
  }
  if (dir !== "") await removeApp(dir);
});

describe.skipIf(why !== undefined)(
  `flagon db migrate on PostgreSQL, twice at once${why === undefined ? "" : ` (skipped: ${why})`}`,
  () => {
    it("applies each migration exactly once; the process that waited reports only what is left", async () => {
      const env = { FLAGON_ENV: "development", DATABASE_URL: url };
      let waited = false;
      let running = true;
      const watch = (async () => {
        while (running) {
          const rows = await sql<{ n: number }>`
            select count(*)::int as n from pg_stat_activity
            where wait_event_type = 'Lock' and wait_event = 'advisory' and query like '%pg_advisory_lock%'
          `.execute(admin!);
          if (rows.rows[0]!.n > 0) waited = true;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      })();
      const [a, b] = await Promise.all([
        flagon(["db", "migrate"], dir, env),
        flagon(["db", "migrate"], dir, env),
      ]).finally(() => {
        running = false;
      });
      await watch;

      expect(a.code, `${a.stdout}${a.stderr}`).toBe(0);
      expect(b.code, `${b.stdout}${b.stderr}`).toBe(0);
      expect(a.stderr + b.stderr).toBe("");
      const lines = (out: string) => out.split("\n").filter((line) => line !== "");
      // Every migration is reported applied by one process exactly; the other reports the rest
      // (or nothing to do).
      const appliedLines = [...lines(a.stdout), ...lines(b.stdout)].filter((l) => l !== "nothing to do");
      expect(appliedLines.sort()).toEqual(NAMES.map((name) => `applied ${name}`));
      // The lock is held for a whole run: one process applies a first stretch of the migrations,
      // the other the rest, never taking turns.
      const runs = [a.stdout, b.stdout]
        .map((out) =>
          lines(out)
            .filter((l) => l !== "nothing to do")
            .map((l) => l.replace(/^applied /, "")),
        )
        .sort((x, y) => NAMES.indexOf(x[0] ?? "~") - NAMES.indexOf(y[0] ?? "~"));
      expect([...runs[0]!, ...runs[1]!]).toEqual(NAMES);
      expect(waited, "neither process was seen waiting on the advisory lock").toBe(true);

      const rows = await sql<{ name: string }>`
        select name from ${sql.id(schema, "kysely_migration")} order by name
      `.execute(admin!);
      expect(rows.rows.map((r) => r.name)).toEqual(NAMES);
    }, 120_000);

    it("status and rollback see the same history", async () => {
      const env = { FLAGON_ENV: "development", DATABASE_URL: url };
      const status = await flagon(["db", "status"], dir, env);
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).toContain("3 applied, 0 pending");
      const back = await flagon(["db", "rollback", "--to", "001_one"], dir, env);
      expect(back.code, back.stderr).toBe(0);
      expect(back.stdout).toBe("rolled back 003_three\nrolled back 002_two\n");
      const tables = await sql<{ table_name: string }>`
        select table_name from information_schema.tables where table_schema = ${schema} order by table_name
      `.execute(admin!);
      expect(tables.rows.map((r) => r.table_name)).toEqual([
        "kysely_migration",
        "kysely_migration_lock",
        "one",
      ]);
    }, 60_000);
  },
);
