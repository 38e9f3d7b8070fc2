// step-3-auth/app.ts
import { fileURLToPath } from "node:url";
import { type CoreConfig, Flagon } from "@flagon/core";
import auth, { UserLoader } from "@flagon/auth";
import database from "@flagon/database";
import { PagesController } from "../step-2-database/pages.controller.js";
import { AuthController } from "./auth.controller.js";
import { Users } from "./users.js";

const root = fileURLToPath(new URL(".", import.meta.url));

export function createApp(config: CoreConfig = {}): Flagon {
  const app = new Flagon({
    root,
    config: { database: { url: "sqlite:./data/blog.db" }, auth: { loginUrl: "/login" }, ...config },
    controllers: [PagesController, AuthController],
  });
  app.register(database);
  app.register(auth);
  app.provide({ provide: UserLoader, useClass: Users });
  return app;
}
