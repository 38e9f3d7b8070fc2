// Migrations and seeds: TypeScript (or JavaScript) files of the app, run by Kysely's migrator.
// A run holds the migration lock from start to end (a session advisory lock on PostgreSQL,
// GET_LOCK on MySQL, the write lock on SQLite), so two workers or two deploys never migrate at
// once, and applies each migration atomically where the database allows it (a transaction on
// PostgreSQL, a savepoint on SQLite): a failure undoes only the failing one, and those before it
// stay applied.
import { readdir, writeFile, mkdir, access } from "node:fs/promises";
import path from "node:path";
import { importModule } from "@flagon/core/plugin";
import {
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  Kysely,
  type Migration,
  type MigrationProvider,
  type MigrationResult,
  type MigrationResultSet,
  MIGRATION_LOCK_ID,
  Migrator,
  PostgresAdapter,
  type QueryResult,
  sql,
  SqliteAdapter,
} from "kysely";

export interface MigrationFolders {
  /** The app root; the folders are relative to it. */
  readonly root: string;
  readonly migrations: string;
  readonly seeds: string;
}

/** Kysely's own table names, so its other tools read the same history. */
export const MIGRATION_TABLE = "kysely_migration";
export const MIGRATION_LOCK_TABLE = "kysely_migration_lock";

const MODULE = /^(?!.*\.d\.[cm]?ts$).*\.(ts|mts|js|mjs)$/;

/** The module files of a folder, sorted by name; none when the folder does not exist. */
export async function moduleFiles(folder: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  return names.filter((name) => MODULE.test(name)).sort();
}

const stem = (file: string): string => file.replace(/\.[cm]?[jt]s$/, "");

/** Migrations from a folder: each file exports `up(db)` and, to be reversible, `down(db)`. */
export class FolderMigrations implements MigrationProvider {
  constructor(
    private readonly folder: string,
    private readonly root: string,
  ) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    const migrations: Record<string, Migration> = {};
    const files = await moduleFiles(this.folder);
    const seen = new Map<string, string>();
    for (const file of files) {
      const name = stem(file);
      const other = seen.get(name);
      if (other !== undefined)
        throw new Error(`migrations ${other} and ${file} have the same name; rename one`);
      seen.set(name, file);
      const module = (await importModule(path.join(this.folder, file), {
        root: this.root,
      })) as Partial<Migration>;
      if (typeof module.up !== "function") {
        throw new Error(
          `migration ${path.relative(this.root, path.join(this.folder, file))} exports no up(db) function`,
        );
      }
      migrations[name] = {
        up: module.up.bind(module),
        ...(typeof module.down === "function" ? { down: module.down.bind(module) } : {}),
      };
    }
    return migrations;
  }
}

/**
 * Kysely's migrator for the app's migrations folder, on `db`. On PostgreSQL its tables live in
 * the connection's current schema (the first of its search_path), so apps in different schemas
 * of one database keep separate histories.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function migrator(db: Kysely<any>, folders: MigrationFolders): Promise<Migrator> {
  let schema: string | undefined;
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
    schema = rows[0]?.schema ?? undefined;
  }
  return new Migrator({
    db,
    provider: new FolderMigrations(path.resolve(folders.root, folders.migrations), folders.root),
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
}

/** Where a run goes: up to the last (or `to`), or down one step (or to just after `to`; "0": all). */
export type MigrationTarget =
  { readonly direction: "up"; readonly to?: string } | { readonly direction: "down"; readonly to?: string };

/**
 * Migrates up or down, one migration per step, holding the migration lock for the whole run.
 * Never throws: the outcome is a result set as Kysely's migrator returns it.
 */
export async function runMigrations(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  folders: MigrationFolders,
  target: MigrationTarget,
): Promise<MigrationResultSet> {
  try {
    return await db.connection().execute(async (connection) => {
      const adapter = connection.getExecutor().adapter;
      // SQLite has no advisory lock: there the run's lock is the database's write lock, held
      // from BEGIN IMMEDIATE to the end (another run waits for it, up to the busy timeout), and
      // each step is a savepoint of that transaction. Kysely runs no transaction on SQLite.
      const sqlite = adapter instanceof SqliteAdapter;
      const lock = { lockTable: MIGRATION_LOCK_TABLE, lockRowId: MIGRATION_LOCK_ID };
      if (sqlite) await beginImmediate(connection);
      else await adapter.acquireMigrationLock(connection, lock);
      let finished = false;
      try {
        const outcome = await runSteps(connection, folders, target, sqlite);
        finished = true;
        return outcome;
      } finally {
        if (sqlite) await sql.raw(finished ? "commit" : "rollback").execute(connection);
        else await adapter.releaseMigrationLock(connection, lock);
      }
    });
  } catch (error) {
    return { error };
  }
}

/** How long a migration run waits for another run's SQLite write lock (a deploy may take a while). */
export const SQLITE_LOCK_WAIT_MS = 120_000;

/**
 * Takes SQLite's write lock for the run, waiting for another run (or any writer) to finish: far
 * longer than a request's busy timeout, as a second deploy must wait for the first.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function beginImmediate(connection: Kysely<any>): Promise<void> {
  const deadline = Date.now() + SQLITE_LOCK_WAIT_MS;
  for (;;) {
    try {
      await sql`begin immediate`.execute(connection);
      return;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const busy =
        code === "SQLITE_BUSY" || (error as { cause?: { code?: unknown } }).cause?.code === "SQLITE_BUSY";
      if (!busy || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** The steps of a run, on the connection that holds the lock. */
async function runSteps(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  connection: Kysely<any>,
  folders: MigrationFolders,
  target: MigrationTarget,
  savepoints: boolean,
): Promise<MigrationResultSet> {
  const m = await migrator(connection, folders);
  // Read once the lock is held: another run may just have applied some.
  const all = await m.getMigrations();
  const steps = planSteps(all, target);
  const results: MigrationResult[] = [];
  for (const name of steps) {
    const info = all.find((m) => m.name === name);
    if (target.direction === "down" && info?.migration.down === undefined) {
      return {
        error: cannotRollBack(name),
        results: [...results, { migrationName: name, direction: "Down", status: "Error" }],
      };
    }
    // Kysely's migrator takes the lock again (re-entrant on the same session) and, on
    // PostgreSQL, runs the step in a transaction of its own.
    if (savepoints) await sql`savepoint flagon_migration`.execute(connection);
    const step = target.direction === "up" ? await m.migrateTo(name) : await m.migrateDown();
    if (savepoints) {
      if (step.error !== undefined) await sql`rollback to savepoint flagon_migration`.execute(connection);
      await sql`release savepoint flagon_migration`.execute(connection);
    }
    results.push(...(step.results ?? []));
    if (step.error !== undefined) return { error: step.error, results };
    const done = step.results?.find((r) => r.migrationName === name);
    if (done?.status !== "Success") {
      return { error: new Error(`migration ${name} did not run`), results };
    }
  }
  return { results };
}

export const cannotRollBack = (name: string): Error =>
  new Error(`migration ${name} has no down(db): it cannot be rolled back`);

/** The names a run goes through, in order; throws for a `to` that names no migration. */
export function planSteps(
  all: ReadonlyArray<{ name: string; executedAt?: Date | undefined }>,
  target: MigrationTarget,
) {
  const names = all.map((m) => m.name);
  const known = (to: string): number => {
    const index = names.indexOf(to);
    if (index === -1) throw new Error(`there is no migration ${to}`);
    return index;
  };
  if (target.direction === "up") {
    const last = target.to === undefined ? names.length : known(target.to) + 1;
    return all
      .slice(0, last)
      .filter((m) => m.executedAt === undefined)
      .map((m) => m.name);
  }
  const executed = all.filter((m) => m.executedAt !== undefined).map((m) => m.name);
  let keep = Math.max(executed.length - 1, 0);
  if (target.to === "0") keep = 0;
  else if (target.to !== undefined) {
    known(target.to);
    keep = executed.indexOf(target.to) + 1;
    if (keep === 0) throw new Error(`migration ${target.to} is not applied`);
  }
  return executed.slice(keep).reverse();
}

/** Creates `<folder>/<UTC timestamp>_<name>.ts` with an empty up and down; returns its path. */
export async function newMigration(folder: string, name: string, now = new Date()): Promise<string> {
  if (!/^[a-z0-9][a-z0-9_-]*$/i.test(name)) {
    throw new Error(`a migration name is letters, digits, "_" and "-" (such as create_users), got "${name}"`);
  }
  const stamp = now.toISOString().replace(/[-:T]/g, "").slice(0, 14);
  await mkdir(folder, { recursive: true });
  const file = path.join(folder, `${stamp}_${name}.ts`);
  try {
    await access(file);
    throw new Error(`${file} exists already`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  await writeFile(file, MIGRATION_TEMPLATE, { flag: "wx" });
  return file;
}

const MIGRATION_TEMPLATE = `import type { Kysely } from "kysely";

// Runs in a transaction where the database allows it (PostgreSQL, SQLite).
export async function up(db: Kysely<any>): Promise<void> {
  // await db.schema.createTable("things").addColumn("id", "integer", (c) => c.primaryKey()).execute();
}

// Undoes up(): \`flagon db rollback\` runs it.
export async function down(db: Kysely<any>): Promise<void> {
  // await db.schema.dropTable("things").execute();
}
`;

/** A seed file exports `seed(db)`; `flagon db seed` runs each file of the seeds folder, in name order. */
export interface SeedModule {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  seed(db: Kysely<any>): Promise<void>;
}

/**
 * Runs the seeds, each in its own transaction, calling `onSeeded` after each; returns the files
 * run. A seed that throws is rolled back and stops the run, with an error naming its file.
 */
export async function runSeeds(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  folders: MigrationFolders,
  onSeeded: (file: string) => void = () => undefined,
): Promise<string[]> {
  const folder = path.resolve(folders.root, folders.seeds);
  const files = await moduleFiles(folder);
  for (const file of files) {
    const module = (await importModule(path.join(folder, file), {
      root: folders.root,
    })) as Partial<SeedModule>;
    if (typeof module.seed !== "function") {
      throw new Error(
        `seed ${path.relative(folders.root, path.join(folder, file))} exports no seed(db) function`,
      );
    }
    const seed = module.seed.bind(module);
    try {
      await db.transaction().execute((trx) => seed(trx));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`seed ${file} failed (its changes were rolled back): ${message}`, { cause: error });
    }
    onSeeded(file);
  }
  return files;
}

/**
 * A Kysely that executes nothing and records every statement: a dry run of migrations. Queries
 * that read get no rows, so a migration that branches on data shows its empty-table path.
 */
export function recordingDatabase(dialect: Dialect): { db: Kysely<unknown>; statements: string[] } {
  const statements: string[] = [];
  const connection: DatabaseConnection = {
    executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
      statements.push(query.sql);
      return Promise.resolve({ rows: [] });
    },
    streamQuery(): never {
      throw new Error("a dry run does not stream");
    },
  };
  const driver: Driver = {
    init: () => Promise.resolve(),
    acquireConnection: () => Promise.resolve(connection),
    beginTransaction: () => Promise.resolve(),
    commitTransaction: () => Promise.resolve(),
    rollbackTransaction: () => Promise.resolve(),
    releaseConnection: () => Promise.resolve(),
    destroy: () => Promise.resolve(),
  };
  const recording: Dialect = {
    createDriver: () => driver,
    createAdapter: () => dialect.createAdapter(),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createIntrospector: (db) => dialect.createIntrospector(db),
  };
  return { db: new Kysely<unknown>({ dialect: recording }), statements };
}
