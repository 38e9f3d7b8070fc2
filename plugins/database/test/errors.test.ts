import "reflect-metadata";
import net from "node:net";
import { Flagon, type Context } from "@flagon/core";
import { inject } from "@flagon/core/testing";
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import database, { Database, classify, databaseOf, firstOr404, getOr404 } from "../src/index.js";
import { freshDatabase, type FreshDatabase } from "../src/testing.js";
import { SERVERS } from "./servers.js";

interface DB {
  users: { id: number; email: string; name: string; team_id: number | null };
  teams: { id: number; title: string };
}

async function createTables(db: Database<DB>): Promise<void> {
  await db.schema
    .createTable("teams")
    .addColumn("id", "integer", (c) => c.primaryKey())
    .addColumn("title", "varchar(50)", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("users")
    .addColumn("id", "integer", (c) => c.primaryKey())
    .addColumn("email", "varchar(100)", (c) => c.notNull().unique())
    .addColumn("name", "varchar(100)", (c) => c.notNull())
    .addColumn("team_id", "integer", (c) => c.references("teams.id"))
    .execute();
}

const JSON_ACCEPT = { accept: "application/json" };

describe.each(SERVERS)("database errors on $name", ({ url, up }) => {
  const fresh: FreshDatabase[] = [];
  const apps: Flagon[] = [];
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
    for (const db of fresh.splice(0)) await db.drop();
  });

  async function start(): Promise<Flagon> {
    const made = await freshDatabase(url);
    fresh.push(made);
    const app = new Flagon({
      logger: false,
      configFile: false,
      config: { env: "production", database: { url: made.url } },
    });
    app.register(database);
    const db = (ctx: Context) => databaseOf(ctx.app) as Database<DB>;
    app.post("/users", async (ctx) => {
      const body = (await ctx.body()) as DB["users"];
      await db(ctx).insertInto("users").values(body).execute();
      return { created: body.id };
    });
    app.get("/users/<int:id>", (ctx) => getOr404(db(ctx), "users", ctx.request.params["id"]));
    app.get("/by-email/<email>", (ctx) =>
      firstOr404(
        db(ctx)
          .selectFrom("users")
          .select(["id", "name"])
          .where("email", "=", ctx.request.params["email"] as string),
        "no user with this email",
      ),
    );
    app.get("/broken", async (ctx) => sql`select secret_column from secret_table`.execute(db(ctx)));
    apps.push(app);
    await app.ready();
    await createTables(app.container.resolve(Database) as Database<DB>);
    await (app.container.resolve(Database) as Database<DB>)
      .insertInto("teams")
      .values({ id: 1, title: "core" })
      .execute();
    return app;
  }

  const create = (app: Flagon, user: Partial<DB["users"]>) =>
    inject(app, { method: "POST", url: "/users", json: user, headers: JSON_ACCEPT });

  it.skipIf(!up)("a unique violation is a 409 naming the column, not the table or the value", async () => {
    const app = await start();
    expect((await create(app, { id: 1, email: "a@example.com", name: "A", team_id: 1 })).statusCode).toBe(
      200,
    );
    const res = await create(app, { id: 2, email: "a@example.com", name: "B", team_id: 1 });
    expect(res.statusCode).toBe(409);
    expect(res.headers["content-type"]).toContain("application/problem+json");
    const body = res.json<{ detail: string; errors: Array<{ field: string; constraint: string }> }>();
    expect(body.detail).toBe("email is already taken");
    expect(body.errors).toEqual([
      { field: "email", constraint: "unique", message: "email is already taken" },
    ]);
    expect(res.body).not.toContain("a@example.com");
    expect(res.body).not.toContain("users");
  });

  it.skipIf(!up)(
    "a missing required value is a 422 naming it; a foreign key to nothing is a 409 naming it",
    async () => {
      const app = await start();
      const missing = await create(app, { id: 1, email: "b@example.com", team_id: 1 });
      expect(missing.statusCode).toBe(422);
      expect(missing.json<{ detail: string }>().detail).toBe("name is required");
      const orphan = await create(app, { id: 2, email: "c@example.com", name: "C", team_id: 42 });
      expect(orphan.statusCode).toBe(409);
      const fields = orphan.json<{ errors: Array<{ field?: string; constraint: string }> }>().errors;
      expect(fields.every((e) => e.constraint === "foreign-key")).toBe(true);
      // SQLite does not say which column; the others do.
      if (url.startsWith("sqlite")) expect(fields).toHaveLength(1);
      else expect(fields.map((e) => e.field)).toEqual(["team_id"]);
    },
  );

  it.skipIf(!up)(
    "any other database error is a 500 that shows no SQL, table or column in production",
    async () => {
      const app = await start();
      const res = await inject(app, { url: "/broken", headers: JSON_ACCEPT });
      expect(res.statusCode).toBe(500);
      expect(res.body).not.toMatch(/secret|select/i);
    },
  );

  it.skipIf(!up)("getOr404 and firstOr404 give the row or a 404", async () => {
    const app = await start();
    await create(app, { id: 5, email: "e@example.com", name: "E", team_id: null });
    const found = await inject(app, "/users/5");
    expect(found.json()).toEqual({ id: 5, email: "e@example.com", name: "E", team_id: null });
    expect((await inject(app, { url: "/users/6", headers: JSON_ACCEPT })).statusCode).toBe(404);
    expect((await inject(app, "/by-email/e@example.com")).json()).toEqual({ id: 5, name: "E" });
    const none = await inject(app, { url: "/by-email/x@example.com", headers: JSON_ACCEPT });
    expect(none.statusCode).toBe(404);
    expect(none.json<{ detail: string }>().detail).toBe("no user with this email");
  });
});

describe("an unreachable server", () => {
  it("answers 503 with Retry-After within the acquire timeout, keeps other routes up, and never shows the password", async () => {
    // A port that refuses: bound, then closed.
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const logs: string[] = [];
    const app = new Flagon({
      logger: { level: "info", stream: { write: (line: string) => void logs.push(line) } },
      configFile: false,
      config: {
        env: "production",
        database: {
          url: `postgres://app:hunter2-secret@127.0.0.1:${port}/db`,
          pool: { acquireTimeout: 300 },
          retryAfter: 3,
        },
      },
    });
    app.register(database);
    app.get("/db", async (ctx) => (await sql`select 1 as one`.execute(databaseOf(ctx.app))).rows);
    app.get("/plain", () => "fine");
    await app.ready();
    const res = await inject(app, { url: "/db", headers: JSON_ACCEPT });
    expect(res.statusCode).toBe(503);
    expect(res.headers["retry-after"]).toBe("3");
    expect((await inject(app, "/plain")).body).toBe("fine");
    await app.close();
    const all = logs.join("") + res.body;
    expect(all).toContain("postgres://app:***@127.0.0.1");
    expect(all).not.toContain("hunter2");
  });
});

describe.skipIf(!SERVERS[1]!.up)("a statement past statementTimeout", () => {
  it("is a 503 on PostgreSQL, and the connection serves the next request", async () => {
    const app = new Flagon({
      logger: false,
      configFile: false,
      config: {
        env: "production",
        database: { url: SERVERS[1]!.url, statementTimeout: 100, pool: { max: 1 } },
      },
    });
    app.register(database);
    app.get("/slow", async (ctx) => (await sql`select pg_sleep(2)`.execute(databaseOf(ctx.app))).rows.length);
    app.get(
      "/fast",
      async (ctx) => (await sql<{ one: number }>`select 1 as one`.execute(databaseOf(ctx.app))).rows,
    );
    await app.ready();
    const slow = await inject(app, { url: "/slow", headers: JSON_ACCEPT });
    expect(slow.statusCode).toBe(503);
    expect(slow.headers["retry-after"]).toBe("1");
    expect((await inject(app, "/fast")).json()).toEqual([{ one: 1 }]);
    await app.close();
  });
});

describe("classify", () => {
  it("reads each driver's way of naming the column", () => {
    expect(
      classify({
        code: "SQLITE_CONSTRAINT_UNIQUE",
        message: "UNIQUE constraint failed: users.email, users.team",
      }),
    ).toEqual({
      kind: "unique",
      fields: ["email", "team"],
    });
    expect(classify({ code: "23505", detail: "Key (lower(email))=(x) already exists." }).kind).toBe("unique");
    expect(classify({ code: "23505", detail: "Key (org, slug)=(1, x) already exists." })).toEqual({
      kind: "unique",
      fields: ["org", "slug"],
    });
    expect(
      classify({ code: "ER_DUP_ENTRY", errno: 1062, message: "Duplicate entry 'x' for key 'users.email'" }),
    ).toEqual({
      kind: "unique",
      fields: ["email"],
    });
    expect(
      classify({ code: "ER_BAD_NULL_ERROR", errno: 1048, message: "Column 'name' cannot be null" }),
    ).toEqual({
      kind: "not-null",
      fields: ["name"],
    });
    expect(
      classify({ code: "57P01", message: "terminating connection due to administrator command" }).kind,
    ).toBe("unavailable");
    expect(classify({ code: "SQLITE_BUSY", message: "database is locked" }).kind).toBe("unavailable");
    expect(
      classify(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" })).kind,
    ).toBe("unavailable");
    expect(classify(new Error("Connection terminated unexpectedly")).kind).toBe("unavailable");
    expect(classify({ code: "42P01", message: 'relation "x" does not exist' }).kind).toBe("other");
    expect(classify(new TypeError("x is undefined")).kind).toBe("other");
  });
});
