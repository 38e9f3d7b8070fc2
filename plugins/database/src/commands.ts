// `flagon db migrate | rollback | status | new | seed`. Each command opens a Database of its
// own from the app's settings and closes it when done: commands run without the app's onReady.
import path from "node:path";
import type { Writable } from "node:stream";
import type { Flagon } from "@flagon/core";
import { defineCommand, type Command } from "@flagon/core/plugin";
import type { Kysely, MigrationResultSet } from "kysely";
import { Database } from "./database.js";
import {
  cannotRollBack,
  migrator,
  newMigration,
  planSteps,
  runMigrations,
  runSeeds,
  type MigrationFolders,
  type MigrationTarget,
} from "./migrations.js";
import type { DatabaseOptions } from "./index.js";

interface Settings {
  readonly options: DatabaseOptions;
  readonly open: (app: Flagon) => Database;
}

const refuseInProduction = (app: Flagon, yes: boolean, what: string, stderr: Writable): boolean => {
  if (app.config.env !== "production" || yes) return false;
  stderr.write(
    `refusing to ${what} in production without --yes (the app's env is "production", the default ` +
      `when neither FLAGON_ENV nor NODE_ENV says otherwise; for a development database set ` +
      `FLAGON_ENV=development)\n`,
  );
  return true;
};

async function withDatabase<T>(
  settings: Settings,
  app: Flagon,
  fn: (db: Database) => Promise<T>,
): Promise<T> {
  const db = settings.open(app);
  try {
    return await fn(db);
  } finally {
    await db.destroy();
  }
}

const foldersOf = (app: Flagon, options: DatabaseOptions): MigrationFolders => ({
  root: app.root,
  migrations: options.migrations,
  seeds: options.seeds,
});

/** Prints a migrator's outcome; returns the exit code. */
function report(result: MigrationResultSet, verb: string, stdout: Writable, stderr: Writable): number {
  for (const step of result.results ?? []) {
    const line = `${step.status === "Success" ? verb : step.status === "Error" ? "failed" : "not run"} ${step.migrationName}\n`;
    (step.status === "Success" ? stdout : stderr).write(line);
  }
  if (result.error !== undefined) {
    const error = result.error;
    stderr.write(`migration failed: ${error instanceof Error ? error.message : JSON.stringify(error)}\n`);
    return 1;
  }
  if ((result.results ?? []).length === 0) stdout.write("nothing to do\n");
  return 0;
}

/** Prints the SQL a run would execute, executing none of it (reads get no rows). */
async function dryRun(
  db: Database,
  folders: MigrationFolders,
  target: MigrationTarget,
  stdout: Writable,
): Promise<number> {
  const known = await (await migrator(db, folders)).getMigrations();
  const steps = planSteps(known, target);
  if (steps.length === 0) stdout.write("nothing to do\n");
  const runs = steps.map((name): [string, (db: Kysely<unknown>) => Promise<void>] => {
    const migration = known.find((m) => m.name === name)!.migration;
    if (target.direction === "up") return [name, (db) => migration.up(db)];
    if (migration.down === undefined) throw cannotRollBack(name);
    return [name, (db) => migration.down!(db)];
  });
  for (const [name, run] of runs) {
    const recording = db.dryRun();
    await run(recording.db);
    stdout.write(`-- ${name}\n`);
    for (const statement of recording.statements) stdout.write(`${statement};\n`);
  }
  return 0;
}

export function dbCommand(options: DatabaseOptions, open: (app: Flagon) => Database): Command {
  const settings: Settings = { options, open };
  /** migrate and rollback: the same options and steps, in one direction or the other. */
  const stepCommand = (
    name: "migrate" | "rollback",
    direction: MigrationTarget["direction"],
    text: { description: string; to: string; verb: string; past: string },
  ) =>
    defineCommand({
      name,
      description: text.description,
      options: {
        to: { type: "string", placeholder: "<name>", description: text.to },
        "dry-run": { type: "boolean", description: "Print the SQL instead of running it" },
        yes: { type: "boolean", short: "y", description: "Run even when the app's env is production" },
      },
      async run({ values, stdout, stderr }, app) {
        const folders = foldersOf(app, options);
        return withDatabase(settings, app, async (db) => {
          const target: MigrationTarget = {
            direction,
            ...(values.to === undefined ? {} : { to: values.to }),
          };
          if (values["dry-run"]) return dryRun(db, folders, target, stdout);
          if (refuseInProduction(app, values.yes, text.verb, stderr)) return 1;
          return report(await runMigrations(db, folders, target), text.past, stdout, stderr);
        });
      },
    });
  const migrate = stepCommand("migrate", "up", {
    description: "Apply the pending migrations (all, or up to --to)",
    to: "Stop after this migration",
    verb: "migrate",
    past: "applied",
  });
  const rollback = stepCommand("rollback", "down", {
    description: "Undo the last migration, or every one after --to (--to 0: all)",
    to: "Keep this migration and those before it",
    verb: "roll back",
    past: "rolled back",
  });

  const status = defineCommand({
    name: "status",
    description: "List the migrations: applied (with when) or pending",
    async run({ stdout }, app) {
      return withDatabase(settings, app, async (db) => {
        const all = await (await migrator(db, foldersOf(app, options))).getMigrations();
        if (all.length === 0) stdout.write(`no migrations in ${options.migrations}/\n`);
        for (const m of all) {
          stdout.write(
            `${m.executedAt === undefined ? "pending" : `applied ${m.executedAt.toISOString()}`}  ${m.name}\n`,
          );
        }
        const pending = all.filter((m) => m.executedAt === undefined).length;
        stdout.write(`${all.length - pending} applied, ${pending} pending (${db.url})\n`);
        return 0;
      });
    },
  });

  const create = defineCommand({
    name: "new",
    description: "Create an empty migration file",
    arguments: [{ name: "name", description: "What it does, such as create_users" }],
    async run({ positionals, stdout }, app) {
      const file = await newMigration(path.resolve(app.root, options.migrations), positionals[0]!);
      stdout.write(`created ${path.relative(app.root, file)}\n`);
      return 0;
    },
  });

  const seed = defineCommand({
    name: "seed",
    description: "Run the seed files (each exports seed(db)), in name order",
    options: {
      yes: { type: "boolean", short: "y", description: "Run even when the app's env is production" },
    },
    async run({ values, stdout, stderr }, app) {
      if (refuseInProduction(app, values.yes, "seed", stderr)) return 1;
      return withDatabase(settings, app, async (db) => {
        const files = await runSeeds(db, foldersOf(app, options), (file) => {
          stdout.write(`seeded ${file}\n`);
        });
        if (files.length === 0) stdout.write(`no seeds in ${options.seeds}/\n`);
        return 0;
      });
    },
  });

  return {
    name: "db",
    description: "Database migrations and seeds (@flagon/database)",
    commands: [migrate, rollback, status, create, seed],
  };
}
