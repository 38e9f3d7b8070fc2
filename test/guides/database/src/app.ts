// src/app.ts
import { fileURLToPath } from "node:url";
import { type CoreConfig, Flagon } from "@flagon/core";
import database from "@flagon/database";
import { Articles } from "./articles.js";
import { ArticlePages } from "./pages.js";

/** The app root, the folder above src/: `data/`, `migrations/` and `templates/` are found from it. */
const root = fileURLToPath(new URL("..", import.meta.url));

export function createApp(config: CoreConfig = {}): Flagon {
  const app = new Flagon({ root, config, controllers: [Articles, ArticlePages] });
  app.register(database);
  return app;
}
