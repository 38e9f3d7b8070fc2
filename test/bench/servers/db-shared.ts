// What the database contenders share: the database they read (BENCH_DB_URL, a `sqlite:` file
// or a `postgres://` URL, seeded by the runner), the table (BENCH_DB_TABLE), and a Kysely
// dialect opened the way @flagon/database opens it, for the contenders that use Kysely alone.
import BetterSqlite3 from "better-sqlite3";
import { PostgresDialect, SqliteDialect, type Dialect } from "kysely";
import pg from "pg";

export interface ItemsTable {
  id: number;
  name: string;
  price: number;
  stock: number;
}

export const DB_URL = process.env["BENCH_DB_URL"] ?? "sqlite::memory:";
export const TABLE = process.env["BENCH_DB_TABLE"] ?? "bench_items";
/** Connections a PostgreSQL pool holds (the plugin's default). */
export const POOL_MAX = 10;

export type Tables = Record<string, ItemsTable>;

/** A Kysely dialect on the same database, with the plugin's SQLite pragmas and pool size. */
export function plainDialect(): Dialect {
  if (DB_URL.startsWith("sqlite:")) {
    const file = DB_URL.slice("sqlite:".length);
    return new SqliteDialect({
      database: () => {
        const db = new BetterSqlite3(file, { timeout: 2000 });
        db.pragma("journal_mode = WAL");
        db.pragma("synchronous = NORMAL");
        db.pragma("foreign_keys = ON");
        return Promise.resolve(db);
      },
    });
  }
  return new PostgresDialect({ pool: new pg.Pool({ connectionString: DB_URL, max: POOL_MAX }) });
}
