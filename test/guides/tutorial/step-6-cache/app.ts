// step-6-cache/app.ts
import { fileURLToPath } from "node:url";
import { type CoreConfig, Flagon, markSafe } from "@flagon/core";
import auth, { UserLoader } from "@flagon/auth";
import cache from "@flagon/cache";
import database from "@flagon/database";
import forms from "@flagon/forms";
import { Posts } from "../step-2-database/posts.js";
import { Users } from "../step-3-auth/users.js";
import { AuthController } from "../step-4-forms/auth.controller.js";
import { renderMarkdown } from "../step-5-posts/markdown.js";
import { PostsController } from "../step-5-posts/posts.controller.js";
import { CachedPosts } from "./cached-posts.js";
import { PagesController } from "./pages.controller.js";

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
  // In memory by default; `cache: { url: "redis://…" }` in the config shares it between workers.
  app.register(cache);
  app.provide({ provide: UserLoader, useClass: Users });
  app.provide({ provide: Posts, useClass: CachedPosts });
  app.templates.addFilter("markdown", (source) => markSafe(renderMarkdown(String(source))));
  return app;
}
