import "reflect-metadata";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  Body,
  Context,
  Controller,
  Ctx,
  Flagon,
  Get,
  Injectable,
  Param,
  Post,
  abort,
  json,
} from "@flagon/core";
import { inject } from "@flagon/core/testing";
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import database, { Database, Transactional } from "../src/index.js";
import { freshDatabase, type FreshDatabase } from "../src/testing.js";
import { SERVERS } from "./servers.js";

interface DB {
  items: { id: number; name: string };
  children: { id: number; item_id: number };
}

interface Input {
  id: number;
  name: string;
  then?: "throw" | "abort" | "422" | "status" | "service-throws" | "savepoint" | "orphan";
}

let gate: Promise<void> = Promise.resolve();
let entered: () => void = () => undefined;

@Injectable()
class Audit {
  constructor(readonly db: Database<DB>) {}

  /** Joins the request's transaction: sees its uncommitted rows, and a throw undoes them all. */
  @Transactional()
  async record(id: number, fail: boolean): Promise<number> {
    await this.db
      .insertInto("items")
      .values({ id: id + 1000, name: `audit ${id}` })
      .execute();
    if (fail) throw new Error("audit failed");
    const row = await this.db
      .selectFrom("items")
      .select((eb) => eb.fn.countAll<number | string>().as("n"))
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}

@Controller("/items")
class Items {
  constructor(
    private readonly db: Database<DB>,
    private readonly audit: Audit,
  ) {}

  @Transactional()
  @Post("/")
  async create(@Body() input: Input, @Ctx() ctx: Context) {
    await this.db.insertInto("items").values({ id: input.id, name: input.name }).execute();
    switch (input.then) {
      case "throw":
        throw new Error("boom");
      case "abort":
        return abort(409, "no");
      case "422":
        return json({ invalid: true }, { status: 422 });
      case "status":
        ctx.response.status = 400;
        return { bad: true };
      case "service-throws":
        await this.audit.record(input.id, true);
        return { unreachable: true };
      case "savepoint":
        try {
          await this.db.transaction(async (db) => {
            await db
              .insertInto("items")
              .values({ id: input.id + 1, name: `${input.name} inner` })
              .execute();
            throw new Error("inner fails");
          });
        } catch {
          // the savepoint is rolled back; the outer insert stands
        }
        return { seen: await this.audit.record(input.id, false) };
      case "orphan":
        // A deferred foreign key fails at COMMIT, after the handler returned.
        await this.db.insertInto("children").values({ id: input.id, item_id: 999_999 }).execute();
        return { committed: "hopefully not" };
      default:
        return { seen: await this.audit.record(input.id, false) };
    }
  }

  @Transactional()
  @Post("/slow/<int:id>")
  async slow(@Param("id") id: number) {
    await this.db
      .insertInto("items")
      .values({ id, name: `slow ${id}` })
      .execute();
    entered();
    await gate;
    await this.db
      .insertInto("items")
      .values({ id: id + 1, name: `slow ${id} bis` })
      .execute();
    return { ok: true };
  }

  @Get("/ids")
  async ids() {
    const rows = await this.db.selectFrom("items").select("id").orderBy("id").execute();
    return rows.map((row) => row.id);
  }
}

async function createTables(db: Database<DB>): Promise<void> {
  await db.schema
    .createTable("items")
    .addColumn("id", "integer", (c) => c.primaryKey())
    .addColumn("name", "varchar(100)", (c) => c.notNull().unique())
    .execute();
  const children = db.schema
    .createTable("children")
    .addColumn("id", "integer", (c) => c.primaryKey())
    .addColumn("item_id", "integer");
  // MySQL checks foreign keys at once; the others can wait for COMMIT.
  await (
    db.dialectName === "mysql"
      ? children.addForeignKeyConstraint("children_item", ["item_id"], "items", ["id"])
      : children.addForeignKeyConstraint("children_item", ["item_id"], "items", ["id"], (fk) =>
          fk.deferrable().initiallyDeferred(),
        )
  ).execute();
}

describe.each(SERVERS)("transactions on $name", ({ name, url, up }) => {
  const fresh: FreshDatabase[] = [];
  const apps: Flagon[] = [];

  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
    for (const db of fresh.splice(0)) await db.drop();
  });

  async function start(databaseUrl?: string): Promise<{ app: Flagon; db: Database<DB> }> {
    let target = databaseUrl;
    if (target === undefined) {
      const made = await freshDatabase(url);
      fresh.push(made);
      target = made.url;
    }
    const app = new Flagon({
      logger: false,
      configFile: false,
      config: { env: "production", database: { url: target } },
      controllers: [Items],
    });
    app.register(database);
    apps.push(app);
    await app.ready();
    const db = app.container.resolve(Database) as Database<DB>;
    if (databaseUrl === undefined) await createTables(db);
    return { app, db };
  }

  const post = (app: Flagon, input: Input) =>
    inject(app, { method: "POST", url: "/items/", json: input, headers: { accept: "application/json" } });
  const ids = async (app: Flagon) => (await inject(app, "/items/ids")).json<number[]>();

  it.skipIf(!up)("commits when the handler succeeds, and the service sees the uncommitted row", async () => {
    const { app } = await start();
    const res = await post(app, { id: 1, name: "one" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ seen: 1 });
    expect(await ids(app)).toEqual([1, 1001]);
  });

  it.skipIf(!up)("rolls back on a throw, abort(), an error response and a status set to 400", async () => {
    const { app } = await start();
    expect((await post(app, { id: 1, name: "a", then: "throw" })).statusCode).toBe(500);
    expect((await post(app, { id: 2, name: "b", then: "abort" })).statusCode).toBe(409);
    expect((await post(app, { id: 3, name: "c", then: "422" })).statusCode).toBe(422);
    expect((await post(app, { id: 4, name: "d", then: "status" })).statusCode).toBe(400);
    expect(await ids(app)).toEqual([]);
  });

  it.skipIf(!up)(
    "a @Transactional service method joins the request's transaction: its throw undoes all",
    async () => {
      const { app } = await start();
      expect((await post(app, { id: 1, name: "a", then: "service-throws" })).statusCode).toBe(500);
      expect(await ids(app)).toEqual([]);
    },
  );

  it.skipIf(!up)(
    "a nested db.transaction() is a savepoint: its failure undoes only its own work",
    async () => {
      const { app } = await start();
      const res = await post(app, { id: 10, name: "outer", then: "savepoint" });
      expect(res.statusCode).toBe(200);
      expect(await ids(app)).toEqual([10, 1010]);
    },
  );

  it.skipIf(!up || name === "mysql")(
    "a commit that fails is never a 200, and nothing is written",
    async () => {
      const { app } = await start();
      const res = await post(app, { id: 1, name: "a", then: "orphan" });
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.body).not.toContain("hopefully");
      expect(await ids(app)).toEqual([]);
    },
  );

  it.skipIf(!up)("keeps concurrent requests' transactions apart", async () => {
    const { app } = await start();
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        post(app, { id: i + 1, name: `n${i}`, ...(i % 2 ? { then: "throw" as const } : {}) }),
      ),
    );
    expect(results.map((r) => r.statusCode)).toEqual(
      Array.from({ length: 16 }, (_, i) => (i % 2 ? 500 : 200)),
    );
    const even = Array.from({ length: 8 }, (_, i) => 2 * i + 1);
    expect(await ids(app)).toEqual([...even, ...even.map((id) => id + 1000)]);
  });

  it.skipIf(!up)("db.transaction(fn) outside a request commits, or rolls back and rethrows", async () => {
    const { db } = await start();
    await db.transaction(async (trx) => {
      await trx.insertInto("items").values({ id: 1, name: "kept" }).execute();
      expect(db.inTransaction).toBe(true);
    });
    await expect(
      db.transaction(async () => {
        await db.insertInto("items").values({ id: 2, name: "dropped" }).execute();
        throw new Error("undo");
      }),
    ).rejects.toThrow("undo");
    expect(db.inTransaction).toBe(false);
    const rows = await db.selectFrom("items").select("id").execute();
    expect(rows.map((r) => r.id)).toEqual([1]);
  });

  it.skipIf(!up || name !== "postgres")(
    "the handler and its services run on one connection (same transaction id)",
    async () => {
      const { db } = await start();
      const seen = await db.transaction(async () => {
        const a = await sql<{ id: string }>`select txid_current()::text as id`.execute(db);
        const b = await db.transaction(async (inner) =>
          sql<{ id: string }>`select txid_current()::text as id`.execute(inner),
        );
        return [a.rows[0]!.id, b.rows[0]!.id];
      });
      expect(seen[0]).toBe(seen[1]);
    },
  );

  it.skipIf(!up)("closing the app rolls back a request still in its transaction", async () => {
    let base: string;
    let dir: string | undefined;
    if (name === "sqlite") {
      dir = await mkdtemp(path.join(tmpdir(), "flagon-db-"));
      base = `sqlite:${path.join(dir, "app.db")}`;
    } else {
      const made = await freshDatabase(url);
      fresh.push(made);
      base = made.url;
    }
    const setup = new Database<DB>({ url: base });
    await createTables(setup);
    await setup.destroy();
    try {
      const { app } = await start(base);
      let release!: () => void;
      gate = new Promise((resolve) => (release = resolve));
      const inside = new Promise<void>((resolve) => (entered = resolve));
      const pending = inject(app, {
        method: "POST",
        url: "/items/slow/7",
        headers: { accept: "application/json" },
      });
      await inside;
      await app.close();
      release();
      const res = await pending;
      expect(res.statusCode).toBe(503);
      const check = new Database<DB>({ url: base });
      const rows = await check.selectFrom("items").select("id").execute();
      await check.destroy();
      expect(rows).toEqual([]);
    } finally {
      gate = Promise.resolve();
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    }
  });
});
