// step-2-database/app.ts
import { fileURLToPath } from "node:url";
import { type CoreConfig, Flagon } from "@flagon/core";
import database from "@flagon/database";
import { PagesController } from "./pages.controller.js";

const root = fileURLToPath(new URL(".", import.meta.url));

export function createApp(config: CoreConfig = {}): Flagon {
  const app = new Flagon({
    root,
    config: { database: { url: "sqlite:./data/blog.db" }, ...config },
    controllers: [PagesController],
  });
  app.register(database);
  return app;
}
