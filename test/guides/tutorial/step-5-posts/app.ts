// step-5-posts/app.ts
import { fileURLToPath } from "node:url";
import { type CoreConfig, Flagon, markSafe } from "@flagon/core";
import auth, { UserLoader } from "@flagon/auth";
import database from "@flagon/database";
import forms from "@flagon/forms";
import { PagesController } from "../step-2-database/pages.controller.js";
import { Users } from "../step-3-auth/users.js";
import { AuthController } from "../step-4-forms/auth.controller.js";
import { renderMarkdown } from "./markdown.js";
import { PostsController } from "./posts.controller.js";

const root = fileURLToPath(new URL(".", import.meta.url));

export function createApp(config: CoreConfig = {}): Flagon {
  const app = new Flagon({
    root,
    config: {
      auth: { loginUrl: "/login" },
      ...config,
      database: { url: "sqlite:./data/blog.db", migrations: "../step-3-auth/migrations", ...config.database },
    },
    controllers: [PagesController, AuthController, PostsController],
  });
  app.register(database);
  app.register(auth);
  app.register(forms);
  app.provide({ provide: UserLoader, useClass: Users });
  // `{{ post.body | markdown }}`: the sanitised HTML is marked safe, so autoescape leaves it be.
  app.templates.addFilter("markdown", (source) => markSafe(renderMarkdown(String(source))));
  return app;
}
