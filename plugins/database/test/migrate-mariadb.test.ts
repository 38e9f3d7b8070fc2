// flagon db migrate | status | rollback on MariaDB/MySQL, in a database made for the run and
// dropped after it: DDL is not transactional there, and the lock is GET_LOCK, taken by the run
// and again (nested, on the same session) by Kysely's migrator for each step.
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { Flagon } from "@flagon/core";
import { runCommand } from "@flagon/cli/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import database, { Database } from "../src/index.js";
import { built, flagon, removeApp, tempApp } from "./cli-app.js";

const SERVER = process.env["FLAGON_TEST_MYSQL_URL"] ?? "mysql://root@127.0.0.1:3306/test";

async function reachable(): Promise<string | undefined> {
  const db = new Database({ url: SERVER, acquireTimeout: 2000 });
  try {
    await sql`select 1`.execute(db);
    return undefined;
  } catch (error) {
    return `no MariaDB/MySQL at ${SERVER} (${error instanceof Error ? error.message : String(error)})`;
  } finally {
    await db.destroy();
  }
}

const why = await reachable();
if (why !== undefined) console.warn(`skipped the MariaDB migration tests: ${why}`);

const name = `flagon_mig_${randomBytes(6).toString("hex")}`;
const url = `${SERVER.replace(/\/[^/?]*(\?.*)?$/, "")}/${name}`;
let admin: Database | undefined;
let root = "";

const table = (t: string, extra = ""): string => `import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable(${JSON.stringify(t)}).addColumn("id", "integer").execute();
  ${extra}
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable(${JSON.stringify(t)}).execute();
}
`;

beforeAll(async () => {
  if (why !== undefined) return;
  admin = new Database({ url: SERVER });
  await sql`create database ${sql.id(name)}`.execute(admin);
  root = await mkdtemp(path.join(os.tmpdir(), "flagon-db-mariadb-"));
  await mkdir(path.join(root, "migrations"));
  const files: Record<string, string> = {
    "001_users.ts": table("users"),
    "002_posts.ts": table("posts"),
    "003_tags.ts": table("tags"),
  };
  for (const [file, text] of Object.entries(files)) {
    await writeFile(path.join(root, "migrations", file), text);
  }
});

afterAll(async () => {
  if (admin !== undefined) {
    await sql`drop database if exists ${sql.id(name)}`.execute(admin);
    await admin.destroy();
  }
  if (root !== "") await rm(root, { recursive: true, force: true });
});

async function run(argv: string[]) {
  const app = new Flagon({
    root,
    logger: false,
    configFile: false,
    config: { env: "development", database: { url } },
  });
  app.register(database);
  try {
    return await runCommand(app, argv);
  } finally {
    await app.close();
  }
}

async function tables(): Promise<string[]> {
  const rows = await sql<{ t: string }>`
    select table_name as t from information_schema.tables where table_schema = ${name} order by table_name
  `.execute(admin!);
  return rows.rows.map((r) => r.t).filter((t) => !t.startsWith("kysely_"));
}

async function applied(): Promise<string[]> {
  const rows = await sql<{ name: string }>`
    select name from ${sql.id(name, "kysely_migration")} order by name
  `.execute(admin!);
  return rows.rows.map((r) => r.name);
}

describe.skipIf(why !== undefined)(
  `flagon db on MariaDB/MySQL${why === undefined ? "" : ` (skipped: ${why})`}`,
  () => {
    it("migrate, status, rollback one step, --to <name> and --to 0", async () => {
      const pending = await run(["db", "status"]);
      expect(pending.code, pending.stderr).toBe(0);
      expect(pending.stdout).toMatch(/0 applied, 3 pending \(mysql:\/\/root@127\.0\.0\.1:3306\/flagon_mig_/);

      const migrate = await run(["db", "migrate"]);
      expect(migrate.stderr).toBe("");
      expect(migrate.code).toBe(0);
      expect(migrate.stdout).toBe("applied 001_users\napplied 002_posts\napplied 003_tags\n");
      expect(await tables()).toEqual(["posts", "tags", "users"]);
      expect(await applied()).toEqual(["001_users", "002_posts", "003_tags"]);

      const status = await run(["db", "status"]);
      expect(status.stdout).toMatch(
        /^applied \S+ {2}001_users\napplied \S+ {2}002_posts\napplied \S+ {2}003_tags\n3 applied, 0 pending/,
      );

      const one = await run(["db", "rollback"]);
      expect(one.code, one.stderr).toBe(0);
      expect(one.stdout).toBe("rolled back 003_tags\n");
      const to = await run(["db", "rollback", "--to", "001_users"]);
      expect(to.stdout).toBe("rolled back 002_posts\n");
      expect(await applied()).toEqual(["001_users"]);
      const dry = await run(["db", "migrate", "--dry-run"]);
      expect(dry.stdout).toBe(
        "-- 002_posts\ncreate table `posts` (`id` integer);\n-- 003_tags\ncreate table `tags` (`id` integer);\n",
      );
      expect(await tables()).toEqual(["users"]);
      const all = await run(["db", "rollback", "--to", "0"]);
      expect(all.stdout).toBe("rolled back 001_users\n");
      expect(await tables()).toEqual([]);
      expect(await applied()).toEqual([]);
    });

    it("a failing migration: exit code 1, those before it stay applied", async () => {
      await writeFile(
        path.join(root, "migrations", "004_bad.ts"),
        table("bad", `throw new Error("bad migration");`),
      );
      try {
        const result = await run(["db", "migrate"]);
        expect(result.code).toBe(1);
        expect(result.stdout).toBe("applied 001_users\napplied 002_posts\napplied 003_tags\n");
        expect(result.stderr).toBe("failed 004_bad\nmigration failed: bad migration\n");
        expect(await applied()).toEqual(["001_users", "002_posts", "003_tags"]);
      } finally {
        await rm(path.join(root, "migrations", "004_bad.ts"));
        await sql`drop table if exists ${sql.id(name, "bad")}`.execute(admin!);
      }
    });

    it.skipIf(!built)(
      "two processes at once: each migration applied once, one stretch each",
      async () => {
        const other = `${name}_two`;
        await sql`create database ${sql.id(other)}`.execute(admin!);
        const dir = await tempApp({
          "migrations/001_one.ts": table("one", "await sql`select sleep(1)`.execute(db);"),
          "migrations/002_two.ts": table("two", "await sql`select sleep(1)`.execute(db);"),
        });
        try {
          const env = {
            FLAGON_ENV: "development",
            DATABASE_URL: `${SERVER.replace(/\/[^/?]*(\?.*)?$/, "")}/${other}`,
          };
          const [a, b] = await Promise.all([
            flagon(["db", "migrate"], dir, env),
            flagon(["db", "migrate"], dir, env),
          ]);
          expect(a.code, a.stderr).toBe(0);
          expect(b.code, b.stderr).toBe(0);
          const outs = [a.stdout, b.stdout].sort();
          expect(outs).toEqual(["applied 001_one\napplied 002_two\n", "nothing to do\n"]);
          const rows = await sql<{ name: string }>`
            select name from ${sql.id(other, "kysely_migration")} order by name
          `.execute(admin!);
          expect(rows.rows.map((r) => r.name)).toEqual(["001_one", "002_two"]);
        } finally {
          await sql`drop database if exists ${sql.id(other)}`.execute(admin!);
          await removeApp(dir);
        }
      },
      120_000,
    );
  },
);
