import type { Flagon } from "@flagon/core";
import { type Database, databaseOf } from "@flagon/database";
import { freshDatabase, migrate } from "@flagon/database/testing";
import { createApp } from "../src/app.js";
import type { DB } from "../src/db.js";

/**
 * An app on a database of its own (SQLite in memory, or a fresh schema or database on the server
 * `TEST_DATABASE_URL` names), migrated, with no schedule; its log lines are kept. Closing the
 * app drops the database.
 */
export async function migratedApp(
  scrape: Record<string, unknown> = {},
): Promise<{ app: Flagon; logs: string[] }> {
  const logs: string[] = [];
  const fresh = await freshDatabase(process.env["TEST_DATABASE_URL"]);
  const app = createApp({
    configFile: false,
    config: {
      database: { url: fresh.url },
      scrape: { intervalMs: 0, fetchTimeoutMs: 300, ...scrape },
    },
    logger: { level: "info", stream: { write: (line: string) => void logs.push(line) } },
  });
  app.addHook("onClose", () => fresh.drop());
  await app.ready();
  await migrate(app);
  return { app, logs };
}

/** The `msg` of each JSON log line. */
export function messages(logs: readonly string[]): string[] {
  return logs.map((line) => (JSON.parse(line) as { msg: string }).msg);
}

/** The app's database, typed by the example's tables. */
export function dbOf(app: Flagon): Database<DB> {
  return databaseOf(app) as Database<DB>;
}
