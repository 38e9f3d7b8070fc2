/**
 * @flagon/database: SQL through Kysely, SQLite by default, PostgreSQL and MySQL/MariaDB by URL,
 * a transaction per request, and migrations from the `flagon db` command. Written only against
 * the public plugin API of `@flagon/core`.
 *
 * @example
 * import database, { Database, Transactional } from "@flagon/database";
 * const app = new Flagon({ config: { database: { url: "sqlite:./data/app.db" } } });
 * app.register(database);
 *
 * @module @flagon/database
 */
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Flagon } from "@flagon/core";
import { definePlugin } from "@flagon/core/plugin";
import { z } from "zod";
import { dbCommand } from "./commands.js";
import { Database, DEFAULT_URL, POOL_DEFAULTS, type DatabaseSettings } from "./database.js";
import { DatabaseUnavailableError, toHttpError } from "./errors.js";
import { attachDatabase, isTransactional, requestTransaction } from "./transactional.js";
import { redactUrl } from "./url.js";

export {
  Database,
  type DatabaseSettings,
  type Page,
  type PageRequest,
  type PaginateOptions,
  type TransactionOptions,
} from "./database.js";
export { DatabaseUnavailableError, classify, toHttpError, type Fault, type Violation } from "./errors.js";
export { Db, Transactional, databaseOf } from "./transactional.js";
export { firstOr404, getOr404 } from "./helpers.js";
export { parseDatabaseUrl, redactUrl, type Dialect, type Target } from "./url.js";
export { migrator, type MigrationFolders } from "./migrations.js";
// What apps write migrations and table types with, without a direct dependency on kysely.
export { sql } from "kysely";
export type { ColumnType, Generated, Insertable, Kysely, Selectable, Updateable } from "kysely";

const { version } = createRequire(import.meta.url)("../package.json") as { version: string };

const milliseconds = (max: number) => z.number().int().min(0).max(max);

/** The options, checked and defaulted at start-up (the `database` config section merged under `register`'s). */
export const configSchema = z
  .object({
    /** `sqlite:./data/app.db` (default; relative to the app root), `sqlite::memory:`, `postgres://…`, `mysql://…`. */
    url: z.string().min(1).default(DEFAULT_URL),
    pool: z
      .object({
        /** Connections at most (PostgreSQL, MySQL). */
        max: z.number().int().min(1).max(1000).default(POOL_DEFAULTS.max),
        /** Milliseconds a request waits for a connection before a 503. */
        acquireTimeout: milliseconds(60_000).min(1).default(POOL_DEFAULTS.acquireTimeout),
      })
      .strict()
      .prefault({}),
    /** Milliseconds a statement may run; 0 for no limit (PostgreSQL, MySQL/MariaDB). */
    statementTimeout: milliseconds(3_600_000).default(POOL_DEFAULTS.statementTimeout),
    /** Milliseconds SQLite waits for a lock another process holds before a 503. */
    busyTimeout: milliseconds(60_000).default(POOL_DEFAULTS.busyTimeout),
    /** Seconds in the Retry-After of a 503 when the database is unavailable. */
    retryAfter: z.number().int().min(1).max(3600).default(1),
    /** The migrations folder, relative to the app root. */
    migrations: z.string().min(1).default("migrations"),
    /** The seeds folder (`flagon db seed`), relative to the app root. */
    seeds: z.string().min(1).default("seeds"),
    /** Log each query's SQL (never its values) at debug level. */
    logQueries: z.boolean().default(false),
  })
  .strict();

export type DatabaseOptions = z.output<typeof configSchema>;

declare module "@flagon/core" {
  interface CoreConfig {
    database?: z.input<typeof configSchema>;
  }
}

/** The folder of the plugin's templates (the pagination macro). */
const TEMPLATES = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "templates");

/** The settings of a Database for an app's options. */
export function databaseSettings(app: Flagon, options: DatabaseOptions): DatabaseSettings {
  return {
    url: options.url,
    root: app.root,
    max: options.pool.max,
    acquireTimeout: options.pool.acquireTimeout,
    statementTimeout: options.statementTimeout,
    busyTimeout: options.busyTimeout,
    retryAfter: options.retryAfter,
    onFault: (message, error) => {
      app.log.warn({ err: describe(error) }, `@flagon/database: ${message}`);
    },
    ...(options.logQueries
      ? { onQuery: (sql: string, ms: number) => app.log.debug({ sql, ms }, "@flagon/database: query") }
      : {}),
  };
}

/** An error for the log: its class, code and message, with any URL password hidden. */
function describe(error: unknown): { type: string; code?: string; message: string } {
  if (!(error instanceof Error)) return { type: typeof error, message: redactUrl(String(error)) };
  const code = (error as { code?: unknown }).code;
  return {
    type: error.name,
    ...(typeof code === "string" ? { code } : {}),
    message: redactUrl(error.message),
  };
}

export default definePlugin<DatabaseOptions>({
  name: "@flagon/database",
  version,
  core: ">=0.1.0 <1",
  configKey: "database",
  configSchema,
  register(app, options) {
    const db = new Database(databaseSettings(app, options));
    attachDatabase(app, db);
    app.provide({ provide: Database, useValue: db });
    app.templates.addFolder(TEMPLATES);

    app.addInterceptor(requestTransaction(db), { appliesTo: (route) => isTransactional(route) });

    // A database that is down at start-up is reported, not fatal: its routes answer 503 until
    // it is back, and the rest of the app serves meanwhile.
    app.addHook("onReady", async () => {
      try {
        await db
          .connection()
          .execute((connection) => connection.selectNoFrom((eb) => eb.lit(1).as("one")).execute());
        app.log.info(`@flagon/database: connected to ${db.url}`);
      } catch (error) {
        app.log.error(
          { err: describe(error) },
          `@flagon/database: cannot reach ${db.url}; its routes answer 503 until it is back`,
        );
      }
    });
    app.addHook("onClose", () => db.destroy());

    let lastReport = 0;
    app.addHook("onError", (_ctx, error) => {
      const mapped =
        error instanceof DatabaseUnavailableError ? error : toHttpError(error, options.retryAfter);
      if (mapped === undefined) return undefined;
      if (mapped instanceof DatabaseUnavailableError) {
        // Once a second at most: an outage under load would otherwise flood the log.
        const now = Date.now();
        if (now - lastReport >= 1000) {
          lastReport = now;
          app.log.warn({ err: describe(mapped.cause ?? mapped) }, `@flagon/database: ${mapped.message}`);
        }
      }
      return mapped;
    });

    // The commands run without the request statement timeout (building an index on a large
    // table may take far longer than any request should), and on SQLite wait up to a minute for
    // another process's migration run to end.
    app.addCommand(
      dbCommand(
        options,
        (host) =>
          new Database({
            ...databaseSettings(host, options),
            statementTimeout: 0,
            busyTimeout: Math.max(options.busyTimeout, 60_000),
          }),
      ),
    );
  },
});
