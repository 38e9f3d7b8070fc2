import { fileURLToPath } from "node:url";
import { Flagon, type FlagonOptions } from "@flagon/core";
import database from "@flagon/database";
import { scrapePlugin } from "./scrape/plugin.js";

/** The app root, the folder above src/: `data/`, `migrations/` and `templates/` are found from it. */
const root = fileURLToPath(new URL("..", import.meta.url));

/**
 * The automation service: a scraping job on a schedule (`config.scrape`), its results in
 * SQLite (`data/app.db`, or `config.database.url`) served as JSON and HTML, `flagon scrape`.
 */
export function createApp(options: Omit<FlagonOptions, "controllers"> = {}): Flagon {
  const app = new Flagon({ root, ...options });
  app.register(database);
  app.register(scrapePlugin);
  return app;
}
