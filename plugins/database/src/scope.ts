// The driver every Database runs on: the dialect's own driver, wrapped so that
//
// - a connection is acquired within the acquire timeout or the request gets a 503 (a pool that
//   hands one out late gets it back at once: nothing leaks);
// - inside a transaction scope (`db.transaction(fn)`, `@Transactional()`), every query — through
//   the Database itself, however deep in the call stack — runs on the scope's connection, found
//   through AsyncLocalStorage instead of being passed around;
// - a transaction Kysely begins inside a scope (`db.transaction().execute()`) becomes a savepoint;
// - closing rolls back the scopes still open and refuses new work with a 503.
import { AsyncLocalStorage } from "node:async_hooks";
import {
  CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from "kysely";
import { DatabaseUnavailableError } from "./errors.js";

export interface ScopeSettings {
  /** Milliseconds to wait for a pooled connection. */
  readonly acquireTimeout: number;
  /** Seconds for the Retry-After of a 503. */
  readonly retryAfter: number;
}

/** One open transaction and the connection it holds. */
export class TransactionScope {
  /** Set when the work must not be committed although it did not throw (an error response). */
  rollbackOnly = false;
  /** Set by close(): the connection went back, every later query is refused. */
  ended = false;
  /** Savepoints of transactions begun inside this one, innermost last. */
  readonly savepoints: string[] = [];
  /** Savepoint names issued so far (unique within the transaction). */
  savepointCount = 0;
  /** What queries of the scope run on: forwards to the real connection while the scope lives. */
  readonly connection: DatabaseConnection;

  constructor(
    readonly raw: DatabaseConnection,
    readonly owner: ScopedDriver,
  ) {
    this.connection = {
      executeQuery: <R>(query: CompiledQuery): Promise<QueryResult<R>> => {
        if (this.ended) return Promise.reject(this.owner.endedError());
        return this.raw.executeQuery<R>(query);
      },
      streamQuery: <R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> => {
        if (this.ended) throw this.owner.endedError();
        return this.raw.streamQuery<R>(query, chunkSize);
      },
    };
  }
}

/** An acquisition still waiting for a connection. */
interface Waiter {
  readonly since: number;
  readonly reject: (error: unknown) => void;
  settled: boolean;
}

export class ScopedDriver implements Driver {
  readonly scopes = new AsyncLocalStorage<TransactionScope>();
  private readonly open = new Set<TransactionScope>();
  /** Each scope's shared connection to its scope, kept after the scope ended (a late release). */
  private readonly shared = new WeakMap<DatabaseConnection, TransactionScope>();
  private closing = false;

  constructor(
    private readonly inner: Driver,
    private readonly settings: ScopeSettings,
  ) {}

  /** The transaction this async context runs in, if any (of this driver only). */
  current(): TransactionScope | undefined {
    const scope = this.scopes.getStore();
    return scope !== undefined && !scope.ended ? scope : undefined;
  }

  init(): Promise<void> {
    return this.inner.init();
  }

  // Not `async`: outside a scope the pool's promise is handed on as it is, one promise fewer per query.
  acquireConnection(): Promise<DatabaseConnection> {
    const scope = this.scopes.getStore();
    if (scope === undefined) return this.acquireRaw();
    return scope.ended ? Promise.reject(this.endedError()) : Promise.resolve(scope.connection);
  }

  /** A connection of the pool, within the acquire timeout; a late one is released at once. */
  acquireRaw(): Promise<DatabaseConnection> {
    if (this.closing) return Promise.reject(this.endedError());
    // No timer per acquisition (most resolve at once): one sweep, armed only while some wait,
    // fails those past the acquire timeout (give or take a tenth of it).
    return new Promise<DatabaseConnection>((resolve, reject) => {
      const waiter: Waiter = { since: Date.now(), reject, settled: false };
      this.waiters.add(waiter);
      this.armSweep();
      this.inner.acquireConnection().then(
        (connection) => {
          this.waiters.delete(waiter);
          // Too late: the request got its 503 already; the connection goes straight back.
          if (waiter.settled) void this.inner.releaseConnection(connection).catch(() => undefined);
          else resolve(connection);
          waiter.settled = true;
        },
        (error: unknown) => {
          this.waiters.delete(waiter);
          if (waiter.settled) return;
          waiter.settled = true;
          // The server refused or dropped the connection: a 503, with the cause kept for the log.
          reject(
            new DatabaseUnavailableError("the database is unavailable, try again shortly", {
              retryAfter: this.settings.retryAfter,
              cause: error,
            }),
          );
        },
      );
    });
  }

  private readonly waiters = new Set<Waiter>();
  private sweep: NodeJS.Timeout | undefined;

  private armSweep(): void {
    if (this.sweep !== undefined) return;
    const every = Math.max(5, Math.floor(this.settings.acquireTimeout / 10));
    this.sweep = setInterval(() => {
      const now = Date.now();
      for (const waiter of this.waiters) {
        if (now - waiter.since < this.settings.acquireTimeout) continue;
        this.waiters.delete(waiter);
        waiter.settled = true;
        waiter.reject(
          new DatabaseUnavailableError(
            `no database connection within ${this.settings.acquireTimeout} ms (the pool is busy or the server unreachable)`,
            { retryAfter: this.settings.retryAfter },
          ),
        );
      }
      if (this.waiters.size === 0) {
        clearInterval(this.sweep);
        this.sweep = undefined;
      }
    }, every);
    this.sweep.unref();
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const scope = this.ownerOf(connection);
    if (scope === undefined) return this.inner.beginTransaction(connection, settings);
    const name = `flagon_sp_${++scope.savepointCount}`;
    await scope.raw.executeQuery(CompiledQuery.raw(`savepoint ${name}`));
    scope.savepoints.push(name);
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const scope = this.ownerOf(connection);
    if (scope === undefined) return this.inner.commitTransaction(connection);
    const name = scope.savepoints.pop();
    if (name !== undefined) await scope.raw.executeQuery(CompiledQuery.raw(`release savepoint ${name}`));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const scope = this.ownerOf(connection);
    if (scope === undefined) return this.inner.rollbackTransaction(connection);
    const name = scope.savepoints.pop();
    if (name !== undefined) {
      await scope.raw.executeQuery(CompiledQuery.raw(`rollback to savepoint ${name}`));
      await scope.raw.executeQuery(CompiledQuery.raw(`release savepoint ${name}`));
    }
  }

  savepoint(
    connection: DatabaseConnection,
    name: string,
    compileQuery: QueryCompiler["compileQuery"],
  ): Promise<void> {
    return this.forward("savepoint", connection, name, compileQuery);
  }

  rollbackToSavepoint(
    connection: DatabaseConnection,
    name: string,
    compileQuery: QueryCompiler["compileQuery"],
  ): Promise<void> {
    return this.forward("rollbackToSavepoint", connection, name, compileQuery);
  }

  releaseSavepoint(
    connection: DatabaseConnection,
    name: string,
    compileQuery: QueryCompiler["compileQuery"],
  ): Promise<void> {
    return this.forward("releaseSavepoint", connection, name, compileQuery);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    // The scope's connection goes back when the scope ends, not after each query.
    if (this.ownerOf(connection) !== undefined) return Promise.resolve();
    return this.inner.releaseConnection(connection);
  }

  /**
   * Runs `fn` in a new transaction on a connection of its own: begun, then committed when `fn`
   * resolves (unless the scope was marked rollback-only), rolled back when it throws, and the
   * connection released in every case.
   */
  async runScope<T>(
    fn: (scope: TransactionScope) => Promise<T>,
    settings: TransactionSettings = {},
  ): Promise<T> {
    const raw = await this.acquireRaw();
    const scope = new TransactionScope(raw, this);
    this.open.add(scope);
    this.shared.set(scope.connection, scope);
    try {
      await this.inner.beginTransaction(raw, settings);
      let value: T;
      try {
        value = await this.scopes.run(scope, () => fn(scope));
      } catch (error) {
        await this.rollback(scope);
        throw error;
      }
      if (scope.ended) throw this.endedError();
      if (scope.rollbackOnly) {
        await this.rollback(scope);
      } else {
        try {
          await this.inner.commitTransaction(raw);
        } catch (error) {
          // A failed commit leaves nothing written; say so with the driver's error.
          await this.rollback(scope);
          throw error;
        }
      }
      return value;
    } finally {
      this.open.delete(scope);
      if (!scope.ended) {
        scope.ended = true;
        await this.releaseRaw(raw);
      }
    }
  }

  /**
   * Rolls back, never throwing: a rollback that fails (the server went away) leaves nothing
   * committed, and Kysely's drivers then discard the connection instead of pooling it.
   */
  private async rollback(scope: TransactionScope): Promise<void> {
    if (scope.ended) return;
    await this.inner.rollbackTransaction(scope.raw).catch(() => undefined);
  }

  private async releaseRaw(raw: DatabaseConnection): Promise<void> {
    await this.inner.releaseConnection(raw).catch(() => undefined);
  }

  /** Rolls back every open scope, then closes the pool. */
  async destroy(): Promise<void> {
    this.closing = true;
    clearInterval(this.sweep);
    this.sweep = undefined;
    await Promise.all(
      [...this.open].map(async (scope) => {
        await this.rollback(scope);
        scope.ended = true;
        await this.releaseRaw(scope.raw);
      }),
    );
    this.open.clear();
    await this.inner.destroy();
  }

  endedError(): DatabaseUnavailableError {
    return new DatabaseUnavailableError("the database is closing", { retryAfter: this.settings.retryAfter });
  }

  /** The scope whose shared connection this is, if it is one. */
  private ownerOf(connection: DatabaseConnection): TransactionScope | undefined {
    return this.shared.get(connection);
  }

  private async forward(
    method: "savepoint" | "rollbackToSavepoint" | "releaseSavepoint",
    connection: DatabaseConnection,
    name: string,
    compileQuery: QueryCompiler["compileQuery"],
  ): Promise<void> {
    const scope = this.ownerOf(connection);
    const target = scope?.raw ?? connection;
    if (this.inner[method] === undefined) throw new Error(`this database driver has no ${method}`);
    await this.inner[method](target, name, compileQuery);
  }
}

/** A dialect whose driver is the ScopedDriver around the dialect's own. */
export class ScopedDialect implements Dialect {
  driver: ScopedDriver | undefined;

  constructor(
    private readonly inner: Dialect,
    private readonly settings: ScopeSettings,
  ) {}

  createDriver(): Driver {
    this.driver = new ScopedDriver(this.inner.createDriver(), this.settings);
    return this.driver;
  }

  createQueryCompiler(): QueryCompiler {
    return this.inner.createQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return this.inner.createAdapter();
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return this.inner.createIntrospector(db);
  }
}
