// `flagon db migrate | rollback | status | new | seed`, run as the CLI runs them (runCommand) on
// an app whose root is a temp folder holding its migrations/ and seeds/ as TypeScript files,
// with a SQLite file database.
import { mkdtemp, readdir, rm, writeFile, mkdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Flagon, type Env } from "@flagon/core";
import { runCommand } from "@flagon/cli/testing";
import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import database, { Database } from "../src/index.js";

let root = "";

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "flagon-db-commands-"));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function write(files: Record<string, string>): Promise<void> {
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, name)), { recursive: true });
    await writeFile(path.join(root, name), text);
  }
}

/** A migration creating `table` (typed, so that it only loads as TypeScript), dropping it on down. */
const createTable = (table: string): string => `import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  const name: string = ${JSON.stringify(table)};
  await db.schema.createTable(name).addColumn("id", "integer", (c) => c.primaryKey()).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable(${JSON.stringify(table)}).execute();
}
`;

const THREE = {
  "migrations/001_users.ts": createTable("users"),
  "migrations/002_posts.ts": createTable("posts"),
  "migrations/003_tags.ts": createTable("tags"),
};

function makeApp(env: Env = "development"): Flagon {
  const app = new Flagon({
    root,
    logger: false,
    configFile: false,
    config: { env, secretKey: "k".repeat(48), database: { url: "sqlite:./data/app.db" } },
  });
  app.register(database);
  return app;
}

/** Runs `flagon <argv…>` on a fresh app, closed afterwards. */
async function flagon(argv: string[], env?: Env) {
  const app = makeApp(env);
  try {
    return await runCommand(app, argv);
  } finally {
    await app.close();
  }
}

/** The tables of the app's database, Kysely's own left out. */
async function tables(): Promise<string[]> {
  const db = new Database({ url: "sqlite:./data/app.db", root });
  try {
    const rows = await sql<{
      name: string;
    }>`select name from sqlite_master where type = 'table' and name not like 'kysely_%' and name not like 'sqlite_%' order by name`.execute(
      db,
    );
    return rows.rows.map((r) => r.name);
  } finally {
    await db.destroy();
  }
}

async function applied(): Promise<string[]> {
  const db = new Database({ url: "sqlite:./data/app.db", root });
  try {
    const rows = await sql<{
      name: string;
    }>`select name from kysely_migration order by name`.execute(db);
    return rows.rows.map((r) => r.name);
  } finally {
    await db.destroy();
  }
}

const seed = (table: string, value: string, fail = false): string => `
export async function seed(db: any): Promise<void> {
  await db.insertInto(${JSON.stringify(table)}).values({ name: ${JSON.stringify(value)} }).execute();
  ${fail ? `throw new Error("no more seeds today");` : ""}
}
`;

describe("flagon db migrate", () => {
  it("applies the TypeScript migrations in name order and prints each", async () => {
    await write(THREE);
    const result = await flagon(["db", "migrate"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("applied 001_users\napplied 002_posts\napplied 003_tags\n");
    expect(await tables()).toEqual(["posts", "tags", "users"]);
    expect(await applied()).toEqual(["001_users", "002_posts", "003_tags"]);

    const again = await flagon(["db", "migrate"]);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe("nothing to do\n");
  });

  it("--to <name> stops after that migration; a name that is none is an error", async () => {
    await write(THREE);
    const result = await flagon(["db", "migrate", "--to", "002_posts"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("applied 001_users\napplied 002_posts\n");
    expect(await applied()).toEqual(["001_users", "002_posts"]);

    const unknown = await flagon(["db", "migrate", "--to", "004_nope"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("there is no migration 004_nope");
    expect(await applied()).toEqual(["001_users", "002_posts"]);
  });

  it("a migration that throws fails the run with exit code 1; those before it stay applied", async () => {
    await write({
      ...THREE,
      "migrations/002_posts.ts": `export async function up(db: any): Promise<void> {
  await db.schema.createTable("posts").addColumn("id", "integer").execute();
  throw new Error("the posts are not ready");
}
`,
    });
    const result = await flagon(["db", "migrate"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("applied 001_users\n");
    expect(result.stderr).toBe("failed 002_posts\nmigration failed: the posts are not ready\n");
    // The failing migration was undone with its transaction, the one before it kept.
    expect(await tables()).toEqual(["users"]);
    expect(await applied()).toEqual(["001_users"]);
  });

  it("--dry-run prints the SQL of the pending migrations and changes nothing", async () => {
    await write(THREE);
    expect((await flagon(["db", "migrate", "--to", "001_users"])).code).toBe(0);
    const result = await flagon(["db", "migrate", "--dry-run"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      '-- 002_posts\ncreate table "posts" ("id" integer primary key);\n' +
        '-- 003_tags\ncreate table "tags" ("id" integer primary key);\n',
    );
    expect(await tables()).toEqual(["users"]);
    expect(await applied()).toEqual(["001_users"]);
  });

  it("--dry-run on a fresh database creates not even Kysely's tables", async () => {
    await write(THREE);
    const result = await flagon(["db", "migrate", "--dry-run", "--to", "001_users"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('-- 001_users\ncreate table "users" ("id" integer primary key);\n');
    const db = new Database({ url: "sqlite:./data/app.db", root });
    try {
      const rows = await sql<{ name: string }>`select name from sqlite_master`.execute(db);
      expect(rows.rows).toEqual([]);
    } finally {
      await db.destroy();
    }
  });

  it("refuses to run in production without --yes, and runs with it", async () => {
    await write(THREE);
    const refused = await flagon(["db", "migrate"], "production");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^refusing to migrate in production without --yes \(the app's env is "production".*set FLAGON_ENV=development\)\n$/,
    );
    expect(refused.stdout).toBe("");
    expect(await tables()).toEqual([]);

    const yes = await flagon(["db", "migrate", "--yes"], "production");
    expect(yes.code).toBe(0);
    expect(yes.stdout).toBe("applied 001_users\napplied 002_posts\napplied 003_tags\n");
    expect(await applied()).toEqual(["001_users", "002_posts", "003_tags"]);

    expect((await flagon(["db", "rollback"], "production")).code).toBe(1);
    expect((await flagon(["db", "rollback", "-y"], "production")).code).toBe(0);
    expect(await applied()).toEqual(["001_users", "002_posts"]);
  });

  it("--help lists the options", async () => {
    const help = await flagon(["db", "migrate", "--help"]);
    expect(help.code).toBe(0);
    for (const option of ["--to", "--dry-run", "--yes"]) expect(help.stdout).toContain(option);
  });
});

describe("flagon db status", () => {
  it("lists each migration as applied (with when) or pending, then the counts", async () => {
    await write(THREE);
    const none = await flagon(["db", "status"]);
    expect(none.code).toBe(0);
    expect(none.stdout).toBe(
      "pending  001_users\npending  002_posts\npending  003_tags\n0 applied, 3 pending (sqlite:./data/app.db)\n",
    );
    await flagon(["db", "migrate", "--to", "001_users"]);
    const one = await flagon(["db", "status"]);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(
      /^applied \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z {2}001_users\npending {2}002_posts\npending {2}003_tags\n1 applied, 2 pending \(sqlite:\.\/data\/app\.db\)\n$/,
    );
  });

  it("says so when there are no migrations", async () => {
    const result = await flagon(["db", "status"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("no migrations in migrations/\n0 applied, 0 pending (sqlite:./data/app.db)\n");
  });
});

describe("flagon db rollback", () => {
  it("undoes the last migration, then every one after --to <name>, then all with --to 0", async () => {
    await write({ ...THREE, "migrations/004_likes.ts": createTable("likes") });
    expect((await flagon(["db", "migrate"])).code).toBe(0);

    const one = await flagon(["db", "rollback"]);
    expect(one.code).toBe(0);
    expect(one.stdout).toBe("rolled back 004_likes\n");
    expect(await applied()).toEqual(["001_users", "002_posts", "003_tags"]);
    expect(await tables()).toEqual(["posts", "tags", "users"]);

    const to = await flagon(["db", "rollback", "--to", "001_users"]);
    expect(to.code).toBe(0);
    expect(to.stdout).toBe("rolled back 003_tags\nrolled back 002_posts\n");
    expect(await applied()).toEqual(["001_users"]);
    expect(await tables()).toEqual(["users"]);

    const all = await flagon(["db", "rollback", "--to", "0"]);
    expect(all.code).toBe(0);
    expect(all.stdout).toBe("rolled back 001_users\n");
    expect(await applied()).toEqual([]);
    expect(await tables()).toEqual([]);

    const nothing = await flagon(["db", "rollback"]);
    expect(nothing.code).toBe(0);
    expect(nothing.stdout).toBe("nothing to do\n");
  });

  it("--to a migration that is not applied is an error, and nothing is undone", async () => {
    await write(THREE);
    await flagon(["db", "migrate", "--to", "002_posts"]);
    const result = await flagon(["db", "rollback", "--to", "003_tags"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("migration 003_tags is not applied");
    expect(await applied()).toEqual(["001_users", "002_posts"]);
    const dry = await flagon(["db", "rollback", "--dry-run", "--to", "003_tags"]);
    expect(dry.code).toBe(1);
    expect(dry.stderr).toContain("migration 003_tags is not applied");
  });

  it("--dry-run prints the down SQL and undoes nothing", async () => {
    await write(THREE);
    await flagon(["db", "migrate"]);
    const result = await flagon(["db", "rollback", "--dry-run", "--to", "001_users"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('-- 003_tags\ndrop table "tags";\n-- 002_posts\ndrop table "posts";\n');
    expect(await applied()).toEqual(["001_users", "002_posts", "003_tags"]);
    expect(await tables()).toEqual(["posts", "tags", "users"]);
  });

  it("a migration without down(db) cannot be rolled back: exit code 1, it stays applied", async () => {
    await write({
      "migrations/001_users.ts": createTable("users"),
      "migrations/002_posts.ts": `export async function up(db: any): Promise<void> {
  await db.schema.createTable("posts").addColumn("id", "integer").execute();
}
`,
    });
    await flagon(["db", "migrate"]);
    const result = await flagon(["db", "rollback", "--to", "0"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("migration 002_posts has no down(db): it cannot be rolled back");
    expect(await applied()).toEqual(["001_users", "002_posts"]);
  });
});

describe("flagon db new", () => {
  it("creates a timestamped migration that migrate then runs", async () => {
    const result = await flagon(["db", "new", "create_users"]);
    expect(result.code).toBe(0);
    const match = /^created (migrations\/(\d{14})_create_users\.ts)\n$/.exec(result.stdout);
    expect(match, result.stdout).not.toBeNull();
    expect(await readdir(path.join(root, "migrations"))).toEqual([path.basename(match![1]!)]);
    const stamp = match![2]!;
    const now = new Date().toISOString().replace(/[-:T]/g, "").slice(0, 8);
    expect(stamp.slice(0, 8)).toBe(now);

    // The empty migration runs (and is recorded); then one with a body, written next to it.
    const first = await flagon(["db", "migrate"]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe(`applied ${stamp}_create_users\n`);

    const bad = await flagon(["db", "new", "create users!"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('a migration name is letters, digits, "_" and "-"');
    expect((await flagon(["db", "new"])).code).toBe(2);
  });
});

describe("flagon db seed", () => {
  it("runs the seeds in name order, each in its own transaction", async () => {
    await write({
      "migrations/001_users.ts": `export async function up(db: any): Promise<void> {
  await db.schema.createTable("users").addColumn("name", "text", (c: any) => c.notNull()).execute();
}
`,
      "seeds/01_ada.ts": seed("users", "ada"),
      "seeds/02_grace.ts": seed("users", "grace"),
      "seeds/03_broken.ts": seed("users", "linus", true),
      "seeds/04_never.ts": seed("users", "never"),
    });
    expect((await flagon(["db", "migrate"])).code).toBe(0);
    const result = await flagon(["db", "seed"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("seeded 01_ada.ts\nseeded 02_grace.ts\n");
    expect(result.stderr).toContain(
      "seed 03_broken.ts failed (its changes were rolled back): no more seeds today",
    );
    const db = new Database({ url: "sqlite:./data/app.db", root });
    try {
      const rows = await sql<{ name: string }>`select name from users order by rowid`.execute(db);
      expect(rows.rows.map((r) => r.name)).toEqual(["ada", "grace"]);
    } finally {
      await db.destroy();
    }
  });

  it("refuses in production without --yes; says so when there are no seeds", async () => {
    const refused = await flagon(["db", "seed"], "production");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("refusing to seed in production without --yes");
    const none = await flagon(["db", "seed", "--yes"], "production");
    expect(none.code).toBe(0);
    expect(none.stdout).toBe("no seeds in seeds/\n");
  });
});
