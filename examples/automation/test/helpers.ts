import type { Flagon } from "@flagon/core";
import { type Database, databaseOf } from "@flagon/database";
import { migrate } from "@flagon/database/testing";
import { createApp } from "../src/app.js";
import type { DB } from "../src/db.js";

/** An app on its own SQLite in memory, migrated, with no schedule; its log lines are kept. */
export async function migratedApp(
  scrape: Record<string, unknown> = {},
): Promise<{ app: Flagon; logs: string[] }> {
  const logs: string[] = [];
  const app = createApp({
    configFile: false,
    config: {
      database: { url: "sqlite::memory:" },
      scrape: { intervalMs: 0, fetchTimeoutMs: 300, ...scrape },
    },
    logger: { level: "info", stream: { write: (line: string) => void logs.push(line) } },
  });
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
