// The injectable Database: a Kysely instance typed by the app's tables, whose queries join the
// transaction of the async context they run in.
import { CompiledQuery, Kysely, sql, type SelectQueryBuilder, type TransactionBuilder } from "kysely";
import { BadRequestError, NotFoundError, type Context } from "@flagon/core";
import { recordingDatabase } from "./migrations.js";
import { createDialect, type FaultListener, type PoolSettings } from "./dialects.js";
import { ScopedDialect, type ScopedDriver, type TransactionScope } from "./scope.js";
import { parseDatabaseUrl, redactUrl, type Dialect } from "./url.js";

export interface DatabaseSettings extends Partial<PoolSettings> {
  /** `sqlite:./data/app.db` (the default), `sqlite::memory:`, `postgres://…`, `mysql://…`. */
  readonly url?: string;
  /** Where a relative SQLite path starts (default: the working directory). */
  readonly root?: string;
  /** Seconds in the Retry-After of a 503 (default 1). */
  readonly retryAfter?: number;
  /** Called for driver events that must not crash the process (default: ignored). */
  readonly onFault?: FaultListener;
  /** Called with each query's SQL and duration (Kysely's log hook), for debug logging. */
  readonly onQuery?: (sql: string, milliseconds: number) => void;
}

export const DEFAULT_URL = "sqlite:./data/app.db";

export const POOL_DEFAULTS: PoolSettings = {
  max: 10,
  acquireTimeout: 2000,
  statementTimeout: 30_000,
  busyTimeout: 2000,
};

export interface TransactionOptions {
  readonly isolationLevel?: "read uncommitted" | "read committed" | "repeatable read" | "serializable";
}

export interface PageRequest {
  readonly page?: number;
  readonly perPage?: number;
}

export interface PaginateOptions {
  /** Items per page when the request names none (default 20). */
  readonly perPage?: number;
  /** The most a client may ask for: larger `per_page` values are lowered to it (default 100). */
  readonly maxPerPage?: number;
  /** A page past the last one is a 404, as in Flask-SQLAlchemy (default true; false: empty items). */
  readonly errorOut?: boolean;
}

export interface Page<T> {
  readonly items: T[];
  readonly total: number;
  readonly page: number;
  readonly perPage: number;
  readonly pages: number;
  /** The previous page's number, or null on the first. */
  readonly prev: number | null;
  /** The next page's number, or null on the last. */
  readonly next: number | null;
}

/** The tables of an app, as Kysely describes them: `interface DB { users: UsersTable }`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDB = any;

/**
 * The app's database: inject it by type (`constructor(private db: Database<DB>)`) or with
 * `@Db()`, and query it as a Kysely instance. Inside `db.transaction(fn)` or a
 * `@Transactional()` handler or method, every query made through it runs in that transaction.
 */
export class Database<DB = AnyDB> extends Kysely<DB> {
  /** Which driver the URL named. */
  readonly dialectName: Dialect;
  /** The URL with its password replaced by `***`. */
  readonly url: string;
  readonly #driver: ScopedDriver;
  readonly #dialect: ScopedDialect;
  readonly #retryAfter: number;
  readonly #poolStats: (() => { total: number; idle: number; waiting: number }) | undefined;
  #destroyed = false;

  constructor(settings: DatabaseSettings = {}) {
    const url = settings.url ?? DEFAULT_URL;
    const target = parseDatabaseUrl(url, settings.root ?? process.cwd());
    const pool: PoolSettings = {
      max: settings.max ?? POOL_DEFAULTS.max,
      acquireTimeout: settings.acquireTimeout ?? POOL_DEFAULTS.acquireTimeout,
      statementTimeout: settings.statementTimeout ?? POOL_DEFAULTS.statementTimeout,
      busyTimeout: settings.busyTimeout ?? POOL_DEFAULTS.busyTimeout,
    };
    const retryAfter = settings.retryAfter ?? 1;
    const opened = createDialect(target, pool, settings.onFault ?? (() => undefined));
    const dialect = new ScopedDialect(opened.dialect, { acquireTimeout: pool.acquireTimeout, retryAfter });
    const onQuery = settings.onQuery;
    super({
      dialect,
      ...(onQuery === undefined
        ? {}
        : {
            log: (event) => {
              onQuery(event.query.sql, event.queryDurationMillis);
            },
          }),
    });
    this.dialectName = target.dialect;
    this.url = redactUrl(url);
    this.#driver = dialect.driver!;
    this.#dialect = dialect;
    this.#retryAfter = retryAfter;
    this.#poolStats = opened.poolStats;
  }

  /** Whether this async context runs inside one of this database's transactions. */
  get inTransaction(): boolean {
    return this.#driver.current() !== undefined;
  }

  /** The connections of the pool, for health checks and leak tests (PostgreSQL only). */
  poolStats(): { total: number; idle: number; waiting: number } | undefined {
    return this.#poolStats?.();
  }

  /** Seconds a 503 of this database tells the client to wait. */
  get retryAfter(): number {
    return this.#retryAfter;
  }

  /** Kysely's transaction builder: `db.transaction().execute(async (trx) => …)`. */
  override transaction(): TransactionBuilder<DB>;
  /**
   * Runs `fn` in a transaction and returns what it resolves to: committed when it resolves,
   * rolled back when it throws. Every query through this Database inside `fn`, however deep,
   * runs in it. Called inside another transaction, it runs in a savepoint: a throw rolls back
   * only `fn`'s work (and rethrows).
   */
  override transaction<T>(fn: (db: this) => Promise<T>, options?: TransactionOptions): Promise<T>;
  override transaction<T>(
    fn?: (db: this) => Promise<T>,
    options: TransactionOptions = {},
  ): TransactionBuilder<DB> | Promise<T> {
    if (fn === undefined) return super.transaction();
    const scope = this.#driver.current();
    if (scope !== undefined) return this.#savepoint(scope, () => fn(this));
    return this.#driver.runScope(
      () => fn(this),
      options.isolationLevel === undefined ? {} : { isolationLevel: options.isolationLevel },
    );
  }

  /**
   * Runs `fn` in the current transaction when there is one (joining it: a throw rolls back the
   * whole of it), else in a new one. What `@Transactional()` does.
   */
  joinTransaction<T>(fn: () => Promise<T>): Promise<T> {
    return this.#driver.current() !== undefined ? fn() : this.#driver.runScope(fn);
  }

  /**
   * A request's transaction: like joinTransaction, but `decide(value)` may ask for a rollback
   * although `fn` did not throw (an error response, a client that went away).
   */
  requestTransaction<T>(fn: () => Promise<T>, keep: (value: T) => boolean): Promise<T> {
    if (this.#driver.current() !== undefined) return fn();
    return this.#driver.runScope(async (scope: TransactionScope) => {
      const value = await fn();
      if (!keep(value)) scope.rollbackOnly = true;
      return value;
    });
  }

  async #savepoint<T>(scope: TransactionScope, fn: () => Promise<T>): Promise<T> {
    const name = `flagon_sp_${++scope.savepointCount}`;
    await scope.connection.executeQuery(CompiledQuery.raw(`savepoint ${name}`));
    try {
      const value = await fn();
      await scope.connection.executeQuery(CompiledQuery.raw(`release savepoint ${name}`));
      return value;
    } catch (error) {
      if (!scope.ended) {
        await scope.connection.executeQuery(CompiledQuery.raw(`rollback to savepoint ${name}`));
        await scope.connection.executeQuery(CompiledQuery.raw(`release savepoint ${name}`));
      }
      throw error;
    }
  }

  /**
   * One page of a query's rows, read from the request's `?page=` and `?per_page=` (or given as
   * numbers): `{ items, total, page, perPage, pages, prev, next }`. A `page` or `per_page` that
   * is not a whole number from 1 up is a 400 naming it; `per_page` above `maxPerPage` (default
   * 100) is lowered to it; a page past the last is a 404 (unless `errorOut: false`).
   */
  async paginate<O>(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    query: SelectQueryBuilder<DB, any, O>,
    source: Context | PageRequest = {},
    options: PaginateOptions = {},
  ): Promise<Page<O>> {
    const maxPerPage = options.maxPerPage ?? 100;
    const request = isContext(source)
      ? { page: pageArg(source, "page"), perPage: pageArg(source, "per_page") }
      : source;
    const page = checkPage("page", request.page ?? 1);
    const perPage = Math.min(checkPage("per_page", request.perPage ?? options.perPage ?? 20), maxPerPage);
    // Counted over the query itself, so GROUP BY, DISTINCT and joins count what they return.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const counted = await (this as Kysely<any>)
      .selectFrom(query.clearOrderBy().as("flagon_page"))
      .select(sql<number | string | bigint>`count(*)`.as("total"))
      .executeTakeFirst();
    const total = Number(counted?.total ?? 0);
    const pages = Math.max(1, Math.ceil(total / perPage));
    if (page > pages && (options.errorOut ?? true)) {
      throw new NotFoundError(`page ${page} is past the last page (${pages})`);
    }
    const items =
      page > pages
        ? []
        : await query
            .limit(perPage)
            .offset((page - 1) * perPage)
            .execute();
    return {
      items,
      total,
      page,
      perPage,
      pages,
      prev: page > 1 ? Math.min(page - 1, pages) : null,
      next: page < pages ? page + 1 : null,
    };
  }

  /**
   * A Kysely of the same dialect that runs nothing and records each statement's SQL: what
   * `flagon db migrate --dry-run` prints. Reads get no rows.
   */
  dryRun(): { db: Kysely<DB>; statements: string[] } {
    const { db, statements } = recordingDatabase(this.#dialect);
    return { db: db as Kysely<DB>, statements };
  }

  override async destroy(): Promise<void> {
    if (this.#destroyed) return;
    this.#destroyed = true;
    await super.destroy();
  }
}

function isContext(source: Context | PageRequest): source is Context {
  return typeof (source as Context).request === "object";
}

/** The largest page number or size accepted: far past any real table, and exact as a double. */
const MAX_PAGE_ARG = 1_000_000_000;

function pageArg(ctx: Context, name: string): number | undefined {
  const text = ctx.request.query.get(name);
  if (text === undefined || text === "") return undefined;
  if (!/^[0-9]{1,10}$/.test(text)) throw badPage(name, text);
  return Number(text);
}

function checkPage(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1 || value > MAX_PAGE_ARG) throw badPage(name, String(value));
  return value;
}

function badPage(name: string, got: string): InstanceType<typeof BadRequestError> {
  const message = `${name} must be a whole number from 1 to ${MAX_PAGE_ARG}`;
  return new BadRequestError(
    `invalid query parameter "${name}": ${message}, got ${JSON.stringify(got.slice(0, 20))}`,
    {
      details: { errors: [{ location: "query", name, message }] },
    },
  );
}
