import { Migrator, type Migration } from "kysely";
import { type Database, type Dialect, sql } from "@flagon/database";
import { createBlog } from "./001_create_blog.js";

/** Every migration, in order, for a dialect. They are compiled with the app: `npm start` needs no loader. */
const migrations = (dialect: Dialect): Record<string, Migration> => ({
  "001_create_blog": createBlog(dialect),
});

/**
 * Applies the pending migrations and returns their names; throws the first failure. The history
 * is Kysely's own table, so a second start applies nothing.
 */
export async function migrateToLatest(db: Database): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrations(db.dialectName)) },
    // On PostgreSQL the history lives in the connection's own schema (its search_path), so apps
    // in different schemas of one database keep separate histories.
    ...(db.dialectName === "postgres" ? { migrationTableSchema: await currentSchema(db) } : {}),
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) {
    throw error instanceof Error ? error : new Error(`a migration failed: ${JSON.stringify(error)}`);
  }
  return results.map((step) => step.migrationName);
}

async function currentSchema(db: Database): Promise<string> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  return rows[0]?.schema ?? "public";
}
