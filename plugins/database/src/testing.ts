/**
 * Test helpers: a fresh database per test, and the app's migrations applied to it.
 *
 * @example
 * const fresh = await freshDatabase(process.env.TEST_DATABASE_URL);   // default sqlite::memory:
 * const app = createApp({ database: { url: fresh.url } });
 * await migrate(app);
 * … inject(app, …) …
 * await app.close(); await fresh.drop();
 *
 * @module @flagon/database/testing
 */
import { randomBytes } from "node:crypto";
import type { Flagon } from "@flagon/core";
import { Kysely, sql } from "kysely";
import { Database } from "./database.js";
import { migrator } from "./migrations.js";
import { databaseOf } from "./transactional.js";
import { parseDatabaseUrl } from "./url.js";

export interface FreshDatabase {
  /** The URL to give the app: its own SQLite in memory, PostgreSQL schema or MySQL database. */
  readonly url: string;
  /** Drops what was made (a no-op for SQLite in memory, which goes with its connection). */
  drop(): Promise<void>;
}

/**
 * A database of its own for one test, on the server `base` names (default `sqlite::memory:`):
 *
 * - SQLite in memory: the URL as given; every app (every Database) opened on it has its own.
 * - PostgreSQL: a new schema, made the connections' search_path; `drop()` drops it with all
 *   its tables.
 * - MySQL/MariaDB: a new database on the same server; `drop()` drops it.
 */
export async function freshDatabase(base = "sqlite::memory:"): Promise<FreshDatabase> {
  const target = parseDatabaseUrl(base, process.cwd());
  if (target.dialect === "sqlite") {
    if (!target.memory)
      throw new TypeError("freshDatabase() takes sqlite::memory:, a postgres:// or a mysql:// URL");
    return { url: base, drop: () => Promise.resolve() };
  }
  const name = `flagon_test_${randomBytes(6).toString("hex")}`;
  const admin = new Database({ url: base, max: 1 });
  try {
    if (target.dialect === "postgres") await sql`create schema ${sql.id(name)}`.execute(admin);
    else await sql`create database ${sql.id(name)}`.execute(admin);
  } finally {
    await admin.destroy();
  }
  const url = new URL(target.url);
  if (target.dialect === "postgres") {
    url.searchParams.set("options", `-c search_path=${name}`);
  } else {
    url.pathname = `/${name}`;
  }
  return {
    url: url.toString(),
    async drop() {
      const cleaner: Kysely<unknown> = new Database({ url: base, max: 1 });
      try {
        if (target.dialect === "postgres")
          await sql`drop schema if exists ${sql.id(name)} cascade`.execute(cleaner);
        else await sql`drop database if exists ${sql.id(name)}`.execute(cleaner);
      } finally {
        await cleaner.destroy();
      }
    },
  };
}

/**
 * Applies the app's migrations (its `database.migrations` folder) to its database; throws
 * the first failure. Call it after `app.ready()`.
 */
export async function migrate(app: Flagon, folder?: string): Promise<string[]> {
  const db = databaseOf(app);
  const options = app.pluginOptions<{ migrations?: string; seeds?: string }>("@flagon/database") ?? {};
  const m = await migrator(db, {
    root: app.root,
    migrations: folder ?? options.migrations ?? "migrations",
    seeds: options.seeds ?? "seeds",
  });
  const result = await m.migrateToLatest();
  if (result.error !== undefined) {
    throw result.error instanceof Error
      ? result.error
      : new Error(`migration failed: ${JSON.stringify(result.error)}`);
  }
  return (result.results ?? []).map((step) => step.migrationName);
}
