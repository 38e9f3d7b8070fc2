// step-4-forms/app.ts
import { fileURLToPath } from "node:url";
import { type CoreConfig, Flagon } from "@flagon/core";
import auth, { UserLoader } from "@flagon/auth";
import database from "@flagon/database";
import forms from "@flagon/forms";
import { PagesController } from "../step-2-database/pages.controller.js";
import { Users } from "../step-3-auth/users.js";
import { AuthController } from "./auth.controller.js";

const root = fileURLToPath(new URL(".", import.meta.url));

export function createApp(config: CoreConfig = {}): Flagon {
  const app = new Flagon({
    root,
    config: {
      auth: { loginUrl: "/login" },
      ...config,
      // Step 3's migrations: this step adds no table.
      database: { url: "sqlite:./data/blog.db", migrations: "../step-3-auth/migrations", ...config.database },
    },
    controllers: [PagesController, AuthController],
  });
  app.register(database);
  app.register(auth);
  app.register(forms);
  app.provide({ provide: UserLoader, useClass: Users });
  return app;
}
