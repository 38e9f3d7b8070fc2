import { Migrator, type Migration } from "kysely";
import type { Database } from "@flagon/database";
import * as createBlog from "./001_create_blog.js";

/** Every migration, in order. They are compiled with the app, so `npm start` needs no loader. */
const MIGRATIONS: Record<string, Migration> = {
  "001_create_blog": createBlog,
};

/**
 * Applies the pending migrations and returns their names; throws the first failure. The history
 * is Kysely's own table, so a second start applies nothing.
 */
export async function migrateToLatest(db: Database): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: () => Promise.resolve(MIGRATIONS) } });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) {
    throw error instanceof Error ? error : new Error(`a migration failed: ${JSON.stringify(error)}`);
  }
  return results.map((step) => step.migrationName);
}
