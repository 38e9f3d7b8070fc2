import { fileURLToPath } from "node:url";
import { Flagon, type FlagonOptions, markSafe } from "@flagon/core";
import auth, { UserLoader } from "@flagon/auth";
import cache from "@flagon/cache";
import database, { databaseOf, type Database } from "@flagon/database";
import forms from "@flagon/forms";
import { AccountController } from "./controllers/account.controller.js";
import { ApiController } from "./controllers/api.controller.js";
import { AuthController } from "./controllers/auth.controller.js";
import { PostsController } from "./controllers/posts.controller.js";
import { UploadsController } from "./controllers/uploads.controller.js";
import type { DB } from "./db.js";
import { excerpt, renderMarkdown } from "./markdown.js";
import { migrateToLatest } from "./migrations/index.js";
import { seedDemo } from "./seed.js";
import { BlogSettings } from "./settings.js";
import { defaultUploadsFolder, MAX_IMAGE_BYTES } from "./uploads.js";
import { Users } from "./users.js";

/** The example's folder, holding `templates/`, `static/` and `data/` (both `src/` and `dist/` sit below it). */
export const exampleRoot = fileURLToPath(new URL("..", import.meta.url));

/** The database of `npm start`: a file under `data/`, created on first start. */
export const DEFAULT_DATABASE_URL = "sqlite:./data/blog.db";

/** Signs cookies in development only; it is public, so never used in production or test. */
const DEVELOPMENT_SECRET_KEY = "blog-development-key-not-secret-at-all";

export interface BlogAppOptions extends Omit<FlagonOptions, "controllers"> {
  /** Fill an empty database with a demo account and posts on start (default true). */
  seed?: boolean;
  /** Where post images are stored (default `data/uploads` under the example). */
  uploadsDir?: string;
}

const when = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeZone: "UTC" });

/** `{{ post.createdAt | when }}`: an ISO timestamp as "7 Dec 2026". */
export function formatWhen(iso: unknown): string {
  const date = new Date(typeof iso === "string" ? iso : Number.NaN);
  return Number.isNaN(date.getTime()) ? "" : when.format(date);
}

/**
 * Builds the blog without listening: the four official plugins on embedded defaults (SQLite,
 * in-memory sessions and cache), its controllers, and an `onReady` step that applies the
 * migrations and, on an empty database, the demo seed. Config as for any Flagon app:
 * `database.url` (PostgreSQL by config), `cache.url` (Redis), `secretKey`.
 *
 * @example
 * const app = createApp({ logger: false, seed: false, config: { secretKey: "…32 characters or more…", database: { url: "sqlite::memory:" } } });
 * await app.ready();
 */
export function createApp(options: BlogAppOptions = {}): Flagon {
  const { seed = true, uploadsDir, ...flagonOptions } = options;
  const config = { ...flagonOptions.config };
  const env = config.env ?? process.env["FLAGON_ENV"] ?? process.env["NODE_ENV"];
  const secretKey =
    config["secretKey"] ??
    process.env["SECRET_KEY"] ??
    (env === "development" ? DEVELOPMENT_SECRET_KEY : undefined);
  if (secretKey !== undefined) config["secretKey"] = secretKey;
  config.database = { url: DEFAULT_DATABASE_URL, ...config.database };
  config.auth = { loginUrl: "/login", ...config.auth };
  config.forms = { limits: { fileSize: MAX_IMAGE_BYTES, files: 1 }, ...config.forms };

  const app = new Flagon({
    root: exampleRoot,
    ...flagonOptions,
    config,
    controllers: [PostsController, AuthController, AccountController, ApiController, UploadsController],
  });
  app.register(database);
  app.register(auth);
  app.register(forms);
  app.register(cache);
  app.provide({ provide: UserLoader, useClass: Users });
  app.provide({
    provide: BlogSettings,
    useValue: new BlogSettings(uploadsDir ?? defaultUploadsFolder(exampleRoot)),
  });

  const text = (value: unknown): string => (typeof value === "string" ? value : "");
  app.templates.addFilter("markdown", (source) => markSafe(renderMarkdown(text(source))));
  app.templates.addFilter("excerpt", (source) => excerpt(text(source)));
  app.templates.addFilter("when", formatWhen);

  app.addHook("onReady", async () => {
    const db = databaseOf(app) as Database<DB>;
    const applied = await migrateToLatest(db);
    if (applied.length > 0) app.log.info(`blog: applied migrations ${applied.join(", ")}`);
    if (seed && (await seedDemo(db))) app.log.info("blog: seeded the demo account and posts");
  });
  return app;
}
