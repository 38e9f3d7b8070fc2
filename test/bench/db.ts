// The database contenders of `npm run bench`: one row read by primary key, on SQLite and on
// PostgreSQL, by raw node:http with Kysely alone (the baseline), by Flagon with a Kysely of its
// own (what the framework costs), and by Flagon with @flagon/database (what the plugin adds).
// The runner seeds a SQLite file and a PostgreSQL table of its own; PostgreSQL contenders are
// skipped, with the reason printed, when no server answers.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";

export const DB_ROUTE = { name: "GET /items/:id", path: "/items/42" } as const;

export type DbKind = "sqlite" | "postgres";

export interface DbContender {
  /** Shown in the table: `kysely-sqlite`, `flagon-kysely-sqlite`, `flagon-db-sqlite`, … */
  readonly name: string;
  readonly kind: DbKind;
  /** The server script under servers/ (without .js). */
  readonly script: "db-kysely" | "db-flagon";
  readonly env: Record<string, string>;
  /** The baseline of its kind (raw node:http + Kysely). */
  readonly baseline: boolean;
}

export interface PreparedDatabases {
  readonly contenders: DbContender[];
  /** Why a kind has no contenders. */
  readonly skipped: Partial<Record<DbKind, string>>;
  cleanup(): Promise<void>;
}

const ROWS = 1000;
const PG_URL = process.env["FLAGON_BENCH_PG_URL"] ?? "postgres://postgres@127.0.0.1:5432/test";

function contenders(kind: DbKind, env: Record<string, string>): DbContender[] {
  return [
    { name: `kysely-${kind}`, kind, script: "db-kysely", env, baseline: true },
    { name: `flagon-kysely-${kind}`, kind, script: "db-flagon", env, baseline: false },
    {
      name: `flagon-db-${kind}`,
      kind,
      script: "db-flagon",
      env: { ...env, BENCH_DB_PLUGIN: "1" },
      baseline: false,
    },
  ];
}

const row = (i: number) => ({ id: i, name: `item number ${i}`, price: i * 1.25, stock: i % 17 });

export async function prepareDatabases(): Promise<PreparedDatabases> {
  const table = "bench_items";
  const dir = mkdtempSync(path.join(tmpdir(), "flagon-bench-db-"));
  const file = path.join(dir, "bench.db");
  const sqlite = new BetterSqlite3(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.exec(
    `create table ${table} (id integer primary key, name text not null, price real not null, stock integer not null)`,
  );
  const insert = sqlite.prepare(`insert into ${table} values (@id, @name, @price, @stock)`);
  sqlite.transaction(() => {
    for (let i = 1; i <= ROWS; i++) insert.run(row(i));
  })();
  sqlite.close();
  const list = contenders("sqlite", { BENCH_DB_URL: `sqlite:${file}`, BENCH_DB_TABLE: table });
  const skipped: Partial<Record<DbKind, string>> = {};

  const pgTable = `flagon_bench_items_${process.pid}`;
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  client.on("error", () => undefined);
  let pgReady = false;
  try {
    await client.connect();
    await client.query(
      `create table ${pgTable} (id integer primary key, name text not null, price double precision not null, stock integer not null)`,
    );
    const values = Array.from({ length: ROWS }, (_, i) => row(i + 1));
    await client.query(
      `insert into ${pgTable} select * from json_populate_recordset(null::${pgTable}, $1::json)`,
      [JSON.stringify(values)],
    );
    await client.query(`analyze ${pgTable}`);
    pgReady = true;
    list.push(...contenders("postgres", { BENCH_DB_URL: PG_URL, BENCH_DB_TABLE: pgTable }));
  } catch (error) {
    skipped.postgres = `PostgreSQL at ${PG_URL} is unreachable: ${(error as Error).message}`;
  }
  return {
    contenders: list,
    skipped,
    async cleanup() {
      if (pgReady) await client.query(`drop table if exists ${pgTable}`).catch(() => undefined);
      await client.end().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
