import type { Flagon } from "@flagon/core";
import { databaseOf, migrator } from "@flagon/database";

/**
 * Applies the pending migrations of `migrations/` to the app's database (call after
 * `app.ready()`); resolves to the names applied, rejects with the first failure.
 */
export async function migrateToLatest(app: Flagon): Promise<string[]> {
  const options = app.pluginOptions<{ migrations: string; seeds: string }>("@flagon/database");
  const run = await migrator(databaseOf(app), {
    root: app.root,
    migrations: options?.migrations ?? "migrations",
    seeds: options?.seeds ?? "seeds",
  });
  const { error, results = [] } = await run.migrateToLatest();
  if (error !== undefined) {
    const failed = results.find((step) => step.status === "Error")?.migrationName ?? "a migration";
    throw new Error(`${failed} failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`, {
      cause: error,
    });
  }
  return results.map((step) => step.migrationName);
}
