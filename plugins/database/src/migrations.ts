// Migrations and seeds: TypeScript (or JavaScript) files of the app, run by Kysely's migrator.
// The migrator takes a lock for the whole run (an advisory lock on PostgreSQL, GET_LOCK on
// MySQL, the single write lock on SQLite), so two workers or two deploys never migrate at once.
import { readdir, writeFile, mkdir, access } from "node:fs/promises";
import path from "node:path";
import { importModule } from "@flagon/core";
import {
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  Kysely,
  type Migration,
  type MigrationProvider,
  Migrator,
  PostgresAdapter,
  type QueryResult,
  sql,
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

/** Runs the seeds, each in its own transaction; returns the files run. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function runSeeds(db: Kysely<any>, folders: MigrationFolders): Promise<string[]> {
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
    await db.transaction().execute((trx) => seed(trx));
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
