// `flagon db …` through the real command line, in a process of its own: the app's src/app.ts
// registers the plugin, and the migrations and seeds are TypeScript that only the compiler
// handles (an enum, a decorator), loaded by the loader `flagon dev` uses.
import { afterEach, describe, expect, it } from "vitest";
import { built, flagon, notBuiltReason, removeApp, tempApp } from "./cli-app.js";

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await removeApp(dir);
});

const MIGRATION = `import type { Kysely } from "kysely";

enum Size {
  Name = 80,
}

const seen: string[] = [];
function noted(target: { name: string }): void {
  seen.push(target.name);
}

@noted
class Users {
  static readonly table: string = "users";
}

export async function up(db: Kysely<any>): Promise<void> {
  if (seen[0] !== "Users") throw new Error("the decorator did not run");
  await db.schema
    .createTable(Users.table)
    .addColumn("id", "integer", (c) => c.primaryKey())
    .addColumn("name", \`varchar(\${Size.Name})\`, (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable(Users.table).execute();
}
`;

const SEED = `import type { Kysely } from "kysely";

export async function seed(db: Kysely<any>): Promise<void> {
  const names: readonly string[] = ["ada", "grace"];
  await db.insertInto("users").values(names.map((name) => ({ name }))).execute();
}
`;

// Without NODE_ENV or FLAGON_ENV an app's env is production, where migrate asks for --yes.
const DEV = { FLAGON_ENV: "development" };

describe.skipIf(!built)(
  `flagon db in a process of its own${built ? "" : ` (skipped: ${notBuiltReason})`}`,
  () => {
    it("migrates, seeds, reports status and rolls back TypeScript migrations", async () => {
      const dir = await tempApp({
        "migrations/20260101000000_create_users.ts": MIGRATION,
        "seeds/01_users.ts": SEED,
      });
      dirs.push(dir);

      const migrate = await flagon(["db", "migrate"], dir, DEV);
      expect(migrate.stderr).toBe("");
      expect(migrate.code).toBe(0);
      expect(migrate.stdout).toBe("applied 20260101000000_create_users\n");

      const seed = await flagon(["db", "seed"], dir, DEV);
      expect(seed.code, seed.stderr).toBe(0);
      expect(seed.stdout).toBe("seeded 01_users.ts\n");

      const status = await flagon(["db", "status"], dir, DEV);
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).toMatch(/^applied \S+ {2}20260101000000_create_users\n1 applied, 0 pending/);

      const created = await flagon(["db", "new", "add_posts"], dir, DEV);
      expect(created.code, created.stderr).toBe(0);
      expect(created.stdout).toMatch(/^created migrations\/\d{14}_add_posts\.ts\n$/);
      const second = await flagon(["db", "migrate"], dir, DEV);
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout).toMatch(/^applied \d{14}_add_posts\n$/);

      const rollback = await flagon(["db", "rollback", "--to", "0"], dir, DEV);
      expect(rollback.code, rollback.stderr).toBe(0);
      expect(rollback.stdout).toMatch(
        /^rolled back \d{14}_add_posts\nrolled back 20260101000000_create_users\n$/,
      );
    }, 120_000);

    it("refuses to migrate with FLAGON_ENV=production unless --yes", async () => {
      const dir = await tempApp({ "migrations/001_users.ts": MIGRATION });
      dirs.push(dir);
      const env = { FLAGON_ENV: "production", FLAGON_SECRET_KEY: "k".repeat(48) };
      const refused = await flagon(["db", "migrate"], dir, env);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("refusing to migrate in production without --yes");
      const yes = await flagon(["db", "migrate", "--yes"], dir, env);
      expect(yes.code, yes.stderr).toBe(0);
      expect(yes.stdout).toBe("applied 001_users\n");
    }, 60_000);

    it("two processes migrating one SQLite file at once: each migration applied once", async () => {
      // Slow, and failing if applied twice (no "if not exists"): the second run waits on the
      // write lock the first holds for its whole run.
      const slow = (table: string) => `import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable("${table}").addColumn("id", "integer").execute();
  await new Promise((resolve) => setTimeout(resolve, 1000));
}
`;
      const dir = await tempApp({
        "migrations/001_one.ts": slow("one"),
        "migrations/002_two.ts": slow("two"),
      });
      dirs.push(dir);
      const [a, b] = await Promise.all([
        flagon(["db", "migrate"], dir, DEV),
        flagon(["db", "migrate"], dir, DEV),
      ]);
      expect(a.code, a.stderr).toBe(0);
      expect(b.code, b.stderr).toBe(0);
      expect([a.stdout, b.stdout].sort()).toEqual(["applied 001_one\napplied 002_two\n", "nothing to do\n"]);
      const status = await flagon(["db", "status"], dir, DEV);
      expect(status.stdout).toContain("2 applied, 0 pending");
    }, 60_000);
  },
);
