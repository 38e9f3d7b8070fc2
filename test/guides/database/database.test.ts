// The code of docs/database.md, run on SQLite as the guide says it behaves.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Flagon } from "@flagon/core";
import { runCommand } from "@flagon/cli/testing";
import { inject } from "@flagon/core/testing";
import { Database } from "@flagon/database";
import { migrate } from "@flagon/database/testing";
import { afterEach, describe, expect, test } from "vitest";
import { createApp } from "./src/app.js";
import type { DB } from "./src/db.js";
import { Ledger } from "./src/ledger.js";
import { articleAndLatest } from "./src/lookups.js";
import { placeOrder } from "./src/orders.js";

const JSON_ACCEPT = { accept: "application/json" };

const apps: Flagon[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

/** The guide's app on its own SQLite database in memory, migrated by the plugin's migrate(). */
async function start(): Promise<{ app: Flagon; db: Database<DB> }> {
  const app = createApp({ database: { url: "sqlite::memory:" } });
  apps.push(app);
  await app.ready();
  expect(await migrate(app)).toEqual(["20261207120000_create_articles", "20261207120100_create_ledger"]);
  return { app, db: app.container.resolve(Database) as Database<DB> };
}

const post = (app: Flagon, json: unknown) =>
  inject(app, { method: "POST", url: "/articles/", json, headers: JSON_ACCEPT });

async function addArticles(db: Database<DB>, count: number): Promise<void> {
  const rows = Array.from({ length: count }, (_, i) => ({
    slug: `article-${i + 1}`,
    title: `Article ${i + 1}`,
    body: "…",
  }));
  await db.insertInto("articles").values(rows).execute();
}

describe("docs/database.md: from zero to a migrated table", () => {
  test("`flagon db migrate` and `flagon db status` print what the guide shows", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "flagon-guide-db-"));
    try {
      const url = `sqlite:${path.join(dir, "app.db")}`;
      const cli = createApp({ database: { url } });
      const migrated = await runCommand(cli, ["db", "migrate"]);
      expect(migrated).toEqual({
        code: 0,
        stdout: "applied 20261207120000_create_articles\napplied 20261207120100_create_ledger\n",
        stderr: "",
      });
      const status = await runCommand(cli, ["db", "status"]);
      await cli.close();
      expect(status.code).toBe(0);
      expect(status.stdout).toMatch(
        /^applied \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z {2}20261207120000_create_articles$/m,
      );
      expect(status.stdout).toContain("2 applied, 0 pending");

      // The app serves the tables the command made.
      const app = createApp({ database: { url } });
      apps.push(app);
      expect((await post(app, { slug: "hello", title: "Hello", body: "First" })).statusCode).toBe(200);
      expect((await inject(app, "/articles/hello")).json()).toEqual({
        id: 1,
        slug: "hello",
        title: "Hello",
        body: "First",
      });
      await app.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("POST /articles/ creates an article and answers it; GET /articles/<slug> shows it", async () => {
    const { app } = await start();
    const created = await post(app, { slug: "flask", title: "From Flask", body: "A port" });
    expect(created.statusCode).toBe(200);
    expect(created.json()).toEqual({ id: 1, slug: "flask", title: "From Flask", body: "A port" });
    const shown = await inject(app, "/articles/flask");
    expect(shown.statusCode).toBe(200);
    expect(shown.json()).toEqual({ id: 1, slug: "flask", title: "From Flask", body: "A port" });
  });

  test("an unknown slug is a 404", async () => {
    const { app } = await start();
    const res = await inject(app, { url: "/articles/nothing", headers: JSON_ACCEPT });
    expect(res.statusCode).toBe(404);
  });

  test("a duplicate slug is a 409 naming the column, and the transaction leaves no row", async () => {
    const { app, db } = await start();
    expect((await post(app, { slug: "twice", title: "One", body: "…" })).statusCode).toBe(200);
    const res = await post(app, { slug: "twice", title: "Two", body: "…" });
    expect(res.statusCode).toBe(409);
    expect(res.headers["content-type"]).toContain("application/problem+json");
    expect(res.json()).toMatchObject({
      status: 409,
      detail: "slug is already taken",
      errors: [{ field: "slug", constraint: "unique", message: "slug is already taken" }],
    });
    expect(res.body).not.toContain("articles");
    expect(await db.selectFrom("articles").select("title").execute()).toEqual([{ title: "One" }]);
  });

  test("a missing NOT NULL column is a 422 naming it", async () => {
    const { app } = await start();
    const res = await post(app, { slug: "untitled", body: "…" });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ detail: "title is required" });
  });
});

describe("docs/database.md: transactions", () => {
  async function accounts(db: Database<DB>): Promise<void> {
    await db
      .insertInto("accounts")
      .values([
        { id: 1, balance: 100 },
        { id: 2, balance: 50 },
      ])
      .execute();
  }
  const balances = (db: Database<DB>) =>
    db.selectFrom("accounts").select(["id", "balance"]).orderBy("id").execute();

  test("Ledger.transfer called outside a request commits in a transaction of its own", async () => {
    const { app, db } = await start();
    await accounts(db);
    const ledger = app.container.resolve(Ledger);
    expect(db.inTransaction).toBe(false);
    await ledger.transfer(1, 2, 30);
    expect(await balances(db)).toEqual([
      { id: 1, balance: 70 },
      { id: 2, balance: 80 },
    ]);
  });

  test("a transfer whose second statement fails is rolled back whole", async () => {
    const { app, db } = await start();
    await accounts(db);
    const ledger = app.container.resolve(Ledger);
    // The debit of account 1 runs; the credit would take account 2 below zero (its CHECK).
    await expect(ledger.transfer(1, 2, -60)).rejects.toThrow(/CHECK constraint/);
    expect(await balances(db)).toEqual([
      { id: 1, balance: 100 },
      { id: 2, balance: 50 },
    ]);
  });

  test("inside a transaction the transfer joins it: the outer rollback undoes it", async () => {
    const { app, db } = await start();
    await accounts(db);
    const ledger = app.container.resolve(Ledger);
    await expect(
      db.transaction(async () => {
        await ledger.transfer(1, 2, 30);
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    expect(await balances(db)).toEqual([
      { id: 1, balance: 100 },
      { id: 2, balance: 50 },
    ]);
  });

  test("no savepoint: a caller that catches the joined method's throw commits what ran before it", async () => {
    const { app, db } = await start();
    await accounts(db);
    const ledger = app.container.resolve(Ledger);
    await db.transaction(async () => {
      await ledger.transfer(1, 2, -60).catch(() => undefined);
    });
    // The debit ran, the failed credit did not, and the outer transaction committed the debit.
    expect(await balances(db)).toEqual([
      { id: 1, balance: 160 },
      { id: 2, balance: 50 },
    ]);
    // Wrapped in db.transaction(fn), the call is a savepoint: its throw undoes it alone.
    await db.transaction(async () => {
      await db.transaction(() => ledger.transfer(1, 2, -60)).catch(() => undefined);
    });
    expect(await balances(db)).toEqual([
      { id: 1, balance: 160 },
      { id: 2, balance: 50 },
    ]);
  });

  test("the savepoint example keeps the order without the coupon", async () => {
    const { db } = await start();
    await placeOrder(db, { id: 1, item: "teapot" }, { order_id: 1, code: "EXPIRED" });
    await placeOrder(db, { id: 2, item: "kettle" }, { order_id: 2, code: "WELCOME10" });
    expect(await db.selectFrom("orders").selectAll().orderBy("id").execute()).toEqual([
      { id: 1, item: "teapot" },
      { id: 2, item: "kettle" },
    ]);
    expect(await db.selectFrom("coupons_used").selectAll().execute()).toEqual([
      { order_id: 2, code: "WELCOME10" },
    ]);
  });
});

describe("docs/database.md: fetching one row, or a page", () => {
  test("getOr404 and firstOr404 give the row, or a 404", async () => {
    const { db } = await start();
    await expect(articleAndLatest(db, 1)).rejects.toMatchObject({ status: 404 });
    await addArticles(db, 3);
    const { article, latest } = await articleAndLatest(db, 2);
    expect(article.slug).toBe("article-2");
    expect(latest.slug).toBe("article-3");
  });

  test("db.paginate answers the page the guide shows", async () => {
    const { app, db } = await start();
    await addArticles(db, 57);
    const res = await inject(app, "/articles/?page=2");
    expect(res.statusCode).toBe(200);
    const page = res.json<{ items: Array<{ slug: string }> }>();
    expect(page).toEqual({
      items: expect.any(Array),
      total: 57,
      page: 2,
      perPage: 20,
      pages: 3,
      prev: 1,
      next: 3,
    });
    expect(page.items.map((a) => a.slug)).toEqual(Array.from({ length: 20 }, (_, i) => `article-${i + 21}`));
  });

  test("a bad page is a 400 naming the parameter; a page past the last a 404; per_page is capped", async () => {
    const { app, db } = await start();
    await addArticles(db, 3);
    const bad = await inject(app, { url: "/articles/?per_page=1.5", headers: JSON_ACCEPT });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ detail: string }>().detail).toContain('"per_page"');
    expect((await inject(app, { url: "/articles/?page=2", headers: JSON_ACCEPT })).statusCode).toBe(404);
    expect((await inject(app, "/articles/?per_page=500")).json()).toMatchObject({ perPage: 100, pages: 1 });
  });

  test("an empty table is one empty page", async () => {
    const { app } = await start();
    expect((await inject(app, "/articles/")).json()).toEqual({
      items: [],
      total: 0,
      page: 1,
      perPage: 20,
      pages: 1,
      prev: null,
      next: null,
    });
  });

  test("the pagination macro renders the page links", async () => {
    const { app, db } = await start();
    await addArticles(db, 57);
    const res = await inject(app, "/?page=2");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("text/html");
    expect(res.body).toContain('<li><a href="/articles/article-21">Article 21</a></li>');
    expect(res.body).not.toContain("Article 20<");
    expect(res.body).toContain('<nav class="pagination" aria-label="Pages">');
    expect(res.body).toContain('<a href="/?page=1" rel="prev">Previous</a>');
    expect(res.body).toContain('<span aria-current="page">2</span>');
    expect(res.body).toContain('<a href="/?page=3">3</a>');
    expect(res.body).toContain('<a href="/?page=3" rel="next">Next</a>');
  });

  test("with one page the macro renders no links", async () => {
    const { app, db } = await start();
    await addArticles(db, 2);
    const res = await inject(app, "/");
    expect(res.body).toContain("Article 2");
    expect(res.body).not.toContain("<nav");
  });
});
