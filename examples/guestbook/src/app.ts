import { fileURLToPath } from "node:url";
import { Flagon, type FlagonOptions } from "@flagon/core";
import { GuestbookController } from "./guestbook.controller.js";

/**
 * The example's folder, which holds `templates/` and `static/`. Both `src/app.ts` (tests) and
 * `dist/app.js` (the built server) sit one level below it.
 */
export const exampleRoot = fileURLToPath(new URL("..", import.meta.url));

/**
 * Signs session cookies in development only, so `NODE_ENV=development npm start` keeps sessions
 * across restarts. It is public, so it is never used in production or test.
 */
const DEVELOPMENT_SECRET_KEY = "guestbook-development-key-not-secret";

/** Everything `new Flagon()` accepts except the controllers, which this app fixes. */
export type GuestbookAppOptions = Omit<FlagonOptions, "controllers">;

const when = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

/** `{{ entry.createdAt | when }}`: an ISO timestamp as "2 Jan 2026, 14:03 UTC". */
export function formatWhen(iso: unknown): string {
  const date = new Date(typeof iso === "string" || typeof iso === "number" ? iso : Number.NaN);
  return Number.isNaN(date.getTime()) ? "" : `${when.format(date)} UTC`;
}

/**
 * Builds the guestbook without listening. The secret key comes from `config.secretKey`, else the
 * `SECRET_KEY` environment variable, else, in development only, a fixed key; without any of
 * them the core's own sources still apply (`FLAGON_SECRET_KEY`, a config file). Each call has
 * its own container, hence its own book.
 *
 * @example
 * const app = createApp({ logger: false, config: { secretKey: "at least 32 characters of secret key" } });
 * const client = app.testClient();
 * await client.post("/sign", { form: { name: "Ada", message: "Hello" } });
 */
export function createApp(options: GuestbookAppOptions = {}): Flagon {
  const config = { ...options.config };
  const env = config.env ?? process.env["FLAGON_ENV"] ?? process.env["NODE_ENV"];
  const secretKey =
    config["secretKey"] ??
    process.env["SECRET_KEY"] ??
    (env === "development" ? DEVELOPMENT_SECRET_KEY : undefined);
  if (secretKey !== undefined) config["secretKey"] = secretKey;
  const app = new Flagon({ root: exampleRoot, ...options, config, controllers: [GuestbookController] });
  app.templates.addFilter("when", formatWhen);
  return app;
}
