// One Kysely dialect per database URL scheme, each with the production settings the plugin
// promises: SQLite in WAL mode with a busy timeout (waited out off the event loop) and foreign
// keys on; PostgreSQL and MySQL
// pools with a size, a connect timeout, a statement timeout, and their `error` events handled
// (an idle connection the server dropped is logged and replaced, never an uncaught exception).
import { mkdirSync } from "node:fs";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import {
  CompiledQuery,
  MysqlDialect,
  PostgresDialect,
  SqliteDialect,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryResult,
} from "kysely";
import { createPool as createMysqlPool } from "mysql2";
import pg from "pg";
import type { Target } from "./url.js";

export interface PoolSettings {
  readonly max: number;
  readonly acquireTimeout: number;
  /** Milliseconds a statement may run (0: no limit). PostgreSQL and MySQL/MariaDB only. */
  readonly statementTimeout: number;
  /** Milliseconds SQLite waits on a locked database before SQLITE_BUSY. */
  readonly busyTimeout: number;
}

/** Where driver events that must not crash the process are reported. */
export type FaultListener = (message: string, error: unknown) => void;

/** What the dialect opened, for the plugin to probe and close. */
export interface OpenedDialect {
  readonly dialect: Dialect;
  /** How many connections the pool holds now (for tests of leaks), when the driver tells. */
  readonly poolStats?: () => { total: number; idle: number; waiting: number };
}

export function createDialect(target: Target, settings: PoolSettings, onFault: FaultListener): OpenedDialect {
  switch (target.dialect) {
    case "sqlite":
      return { dialect: sqliteDialect(target.file, target.memory, settings) };
    case "postgres":
      return postgresDialect(target.url, settings, onFault);
    case "mysql":
      return mysqlDialect(target.url, settings, onFault);
  }
}

function sqliteDialect(file: string, memory: boolean, settings: PoolSettings): Dialect {
  return new BusyRetrySqliteDialect(settings.busyTimeout, {
    // Opened on the first query (in onReady for a running app), not when the app is built: a
    // command that never touches the database never creates the file.
    database: () => {
      if (!memory) mkdirSync(path.dirname(file), { recursive: true });
      // No busy wait inside SQLite: it sleeps on the calling thread, which would freeze every
      // request of the process; BusyRetryDriver waits between tries with timers instead.
      const db = new BetterSqlite3(file, { timeout: 0 });
      if (!memory) db.pragma("journal_mode = WAL");
      // WAL with synchronous=NORMAL survives a crash of the app (a kill -9) without losing a
      // committed transaction; only a power loss can take the last ones.
      db.pragma("synchronous = NORMAL");
      db.pragma("foreign_keys = ON");
      return Promise.resolve(db);
    },
  });
}

/** SQLite's own busy handler's pauses (ms), then its last one repeated. */
const BUSY_PAUSES = [1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100];

/**
 * Another process holds the write lock: a statement that got plain SQLITE_BUSY did nothing and
 * may run again. (SQLITE_BUSY_SNAPSHOT, a transaction whose snapshot is stale, cannot succeed
 * by waiting: it fails at once.)
 */
const retryable = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "SQLITE_BUSY" || code === "SQLITE_BUSY_RECOVERY";
};

/** SqliteDialect whose driver retries a locked statement for `busyTimeout` ms, off the event loop. */
class BusyRetrySqliteDialect extends SqliteDialect {
  constructor(
    private readonly busyTimeout: number,
    config: ConstructorParameters<typeof SqliteDialect>[0],
  ) {
    super(config);
  }

  override createDriver(): Driver {
    return new BusyRetryDriver(super.createDriver(), this.busyTimeout);
  }
}

class BusyRetryDriver implements Driver {
  private readonly wrapped = new WeakMap<DatabaseConnection, DatabaseConnection>();

  constructor(
    private readonly inner: Driver,
    private readonly busyTimeout: number,
  ) {}

  init(): Promise<void> {
    return this.inner.init();
  }

  acquireConnection(): Promise<DatabaseConnection> {
    return this.inner.acquireConnection().then((connection) => this.retrying(connection));
  }

  /** The connection whose queries retry while the database is locked (one wrapper per connection). */
  private retrying(connection: DatabaseConnection): DatabaseConnection {
    let retrying = this.wrapped.get(connection);
    if (retrying === undefined) {
      retrying = {
        // The first try is the plain call, the retry loop (and its clock) only after a failure.
        // better-sqlite3 runs a statement synchronously, so Kysely's SQLite connection throws a
        // busy error before it returns a promise: catching that throw is enough, and a query that
        // succeeds pays no extra promise.
        executeQuery: <R>(query: CompiledQuery) => {
          try {
            return connection.executeQuery<R>(query);
          } catch (error) {
            return this.retry(error, () => connection.executeQuery<R>(query));
          }
        },
        streamQuery: <R>(query: CompiledQuery, chunkSize?: number) =>
          connection.streamQuery<R>(query, chunkSize),
      };
      this.wrapped.set(connection, retrying);
    }
    return retrying;
  }

  private async retry<R>(first: unknown, run: () => Promise<QueryResult<R>>): Promise<QueryResult<R>> {
    const deadline = performance.now() + this.busyTimeout;
    let error = first;
    for (let attempt = 0; ; attempt++) {
      const left = deadline - performance.now();
      if (!retryable(error) || left <= 0) throw error;
      const pause = Math.min(BUSY_PAUSES[Math.min(attempt, BUSY_PAUSES.length - 1)]!, left);
      await new Promise((resolve) => setTimeout(resolve, pause));
      try {
        return await run();
      } catch (next) {
        error = next;
      }
    }
  }

  beginTransaction(...args: Parameters<Driver["beginTransaction"]>): Promise<void> {
    return this.inner.beginTransaction(...args);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.commitTransaction(connection);
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.rollbackTransaction(connection);
  }

  savepoint(...args: Parameters<NonNullable<Driver["savepoint"]>>): Promise<void> {
    return this.inner.savepoint!(...args);
  }

  rollbackToSavepoint(...args: Parameters<NonNullable<Driver["rollbackToSavepoint"]>>): Promise<void> {
    return this.inner.rollbackToSavepoint!(...args);
  }

  releaseSavepoint(...args: Parameters<NonNullable<Driver["releaseSavepoint"]>>): Promise<void> {
    return this.inner.releaseSavepoint!(...args);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(connection);
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

function postgresDialect(url: string, settings: PoolSettings, onFault: FaultListener): OpenedDialect {
  const pool = new pg.Pool({
    connectionString: url,
    max: settings.max,
    connectionTimeoutMillis: settings.acquireTimeout,
    idleTimeoutMillis: 30_000,
    ...(settings.statementTimeout > 0
      ? {
          statement_timeout: settings.statementTimeout,
          // The client's own limit, a second later: a server that stopped answering (frozen,
          // black-holed) cannot enforce statement_timeout, and the query would wait forever.
          query_timeout: settings.statementTimeout + 1000,
        }
      : {}),
    application_name: "flagon",
  });
  // An idle client whose server went away: pg-pool drops it; without a listener it would throw.
  pool.on("error", (error) => onFault("an idle PostgreSQL connection failed", error));
  // A checked-out client errors on its own emitter; the query in flight rejects anyway.
  pool.on("connect", (client) => {
    client.on("error", (error) => onFault("a PostgreSQL connection failed", error));
  });
  return {
    dialect: new PostgresDialect({ pool }),
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
  };
}

function mysqlDialect(url: string, settings: PoolSettings, onFault: FaultListener): OpenedDialect {
  const pool = createMysqlPool({
    uri: url,
    connectionLimit: settings.max,
    connectTimeout: settings.acquireTimeout,
    waitForConnections: true,
    queueLimit: 0,
    enableKeepAlive: true,
    // DATETIME and TIMESTAMP as UTC, as the other two dialects give them.
    timezone: "Z",
    supportBigNumbers: true,
  });
  pool.on("connection", (connection) => {
    connection.on("error", (error) => onFault("a MySQL connection failed", error));
  });
  return {
    dialect: new MysqlDialect({
      pool,
      onCreateConnection: async (connection) => {
        if (settings.statementTimeout <= 0) return;
        // MariaDB's limit is in seconds, MySQL's (SELECT only) in milliseconds; a server knows one.
        await connection
          .executeQuery(
            CompiledQuery.raw(`set session max_statement_time = ${settings.statementTimeout / 1000}`),
          )
          .catch(() =>
            connection.executeQuery(
              CompiledQuery.raw(`set session max_execution_time = ${settings.statementTimeout}`),
            ),
          )
          .catch(() => undefined);
      },
    }),
  };
}
