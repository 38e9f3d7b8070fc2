import "reflect-metadata";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Flagon, render } from "@flagon/core";
import { inject } from "@flagon/core/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import database, { Database, databaseOf, type Page } from "../src/index.js";
import { freshDatabase, migrate, type FreshDatabase } from "../src/testing.js";
import { SERVERS } from "./servers.js";

interface DB {
  posts: { id: number; title: string; author: string };
}

let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "flagon-paginate-"));
  await mkdir(path.join(root, "templates"));
  await mkdir(path.join(root, "migrations"));
  await writeFile(
    path.join(root, "templates", "list.html"),
    `{% from "database/pagination.html" import pagination %}{% for p in page.items %}[{{ p.title }}]{% endfor %}\n{{ pagination(page, "/html", perPage=5) }}`,
  );
  await writeFile(
    path.join(root, "migrations", "001_posts.ts"),
    `import type { Kysely } from "kysely";
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable("posts")
    .addColumn("id", "integer", (c) => c.primaryKey())
    .addColumn("title", "varchar(50)", (c) => c.notNull())
    .addColumn("author", "varchar(50)", (c) => c.notNull())
    .execute();
}
`,
  );
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe.each(SERVERS)("paginate on $name", ({ url, up }) => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function start(rows: number): Promise<Flagon> {
    const fresh: FreshDatabase = await freshDatabase(url);
    cleanup.push(() => fresh.drop());
    const app = new Flagon({
      logger: false,
      configFile: false,
      root,
      config: { env: "production", database: { url: fresh.url } },
    });
    app.register(database);
    const posts = (app: Flagon) =>
      (databaseOf(app) as Database<DB>).selectFrom("posts").selectAll().orderBy("id");
    app.get("/posts", (ctx) => databaseOf(ctx.app).paginate(posts(ctx.app), ctx, { perPage: 10 }));
    app.get("/by-author", (ctx) =>
      databaseOf(ctx.app).paginate(
        (databaseOf(ctx.app) as Database<DB>)
          .selectFrom("posts")
          .select((eb) => ["author", eb.fn.countAll<number>().as("n")])
          .groupBy("author")
          .orderBy("author"),
        ctx,
        { perPage: 2 },
      ),
    );
    app.get("/html", async (ctx) =>
      render("list.html", { page: await databaseOf(ctx.app).paginate(posts(ctx.app), ctx, { perPage: 5 }) }),
    );
    await app.ready();
    cleanup.push(() => app.close());
    expect(await migrate(app)).toEqual(["001_posts"]);
    const db = databaseOf(app) as Database<DB>;
    for (let i = 1; i <= rows; i++) {
      await db
        .insertInto("posts")
        .values({ id: i, title: `post ${i}`, author: `author ${i % 3}` })
        .execute();
    }
    return app;
  }

  const page = async (app: Flagon, query: string) => {
    const res = await inject(app, { url: `/posts${query}`, headers: { accept: "application/json" } });
    return { status: res.statusCode, body: res.json<Page<DB["posts"]> & { detail?: string }>() };
  };

  it.skipIf(!up)("reads ?page= and ?per_page=, and says where it is", async () => {
    const app = await start(23);
    const first = await page(app, "");
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ total: 23, page: 1, perPage: 10, pages: 3, prev: null, next: 2 });
    expect(first.body.items.map((p) => p.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const last = await page(app, "?page=3");
    expect(last.body).toMatchObject({ page: 3, prev: 2, next: null });
    expect(last.body.items.map((p) => p.id)).toEqual([21, 22, 23]);
    const sized = await page(app, "?page=2&per_page=7");
    expect(sized.body).toMatchObject({ page: 2, perPage: 7, pages: 4 });
    expect(sized.body.items.map((p) => p.id)).toEqual([8, 9, 10, 11, 12, 13, 14]);
  });

  it.skipIf(!up)(
    "refuses nonsense with a 400 naming the parameter, caps per_page, and 404s past the end",
    async () => {
      const app = await start(5);
      for (const query of [
        "?page=abc",
        "?page=0",
        "?page=-1",
        "?page=1.5",
        "?per_page=0",
        "?page=99999999999999999999",
      ]) {
        const res = await page(app, query);
        expect(res.status, query).toBe(400);
        expect(res.body.detail, query).toMatch(/^invalid query parameter "(page|per_page)"/);
      }
      const capped = await page(app, "?per_page=1000000");
      expect(capped.status).toBe(200);
      expect(capped.body.perPage).toBe(100);
      expect((await page(app, "?page=2")).status).toBe(404);
    },
  );

  it.skipIf(!up)("counts a grouped query by its groups, and an empty table is one empty page", async () => {
    const app = await start(7);
    const res = await inject(app, "/by-author?page=2");
    expect(res.json()).toMatchObject({ total: 3, pages: 2, page: 2, items: [{ author: "author 2" }] });
    const empty = await start(0);
    expect((await page(empty, "")).body).toMatchObject({
      items: [],
      total: 0,
      pages: 1,
      page: 1,
      prev: null,
      next: null,
    });
  });

  it.skipIf(!up)("the pagination macro links the pages", async () => {
    const app = await start(23);
    const res = await inject(app, "/html?page=3");
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain("[post 11]");
    expect(res.body).toContain('<a href="/html?page=2" rel="prev">Previous</a>');
    expect(res.body).toContain('<span aria-current="page">3</span>');
    expect(res.body).toContain('<a href="/html?page=4" rel="next">Next</a>');
    expect(res.body).toContain('<a href="/html?page=1">1</a>');
    const other = await inject(app, "/html?per_page=4");
    expect(other.body).toContain('<a href="/html?page=2&amp;per_page=4" rel="next">Next</a>');
  });
});
