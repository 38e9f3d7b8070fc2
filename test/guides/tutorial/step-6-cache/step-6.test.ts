// docs/tutorial/6-cache.md: visitors' pages come from the cache; publishing a post empties it.
import type { Flagon } from "@flagon/core";
import { inject } from "@flagon/core/testing";
import { Database } from "@flagon/database";
import { migrate } from "@flagon/database/testing";
import { afterEach, expect, test } from "vitest";
import type { DB } from "../step-2-database/db.js";
import { Posts } from "../step-2-database/posts.js";
import { csrfOf, form, SECRET_KEY } from "../helpers.js";
import { createApp } from "./app.js";

const apps: Flagon[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

async function start(): Promise<Flagon> {
  // In development, X-Cache says whether a response came from the cache.
  const app = createApp({ env: "development", secretKey: SECRET_KEY, database: { url: "sqlite::memory:" } });
  apps.push(app);
  await app.ready();
  await migrate(app);
  return app;
}

test("the index is computed once, then served from the cache", async () => {
  const app = await start();
  const first = await inject(app, "/");
  expect(first.headers["x-cache"]).toBe("miss");
  const second = await inject(app, "/");
  expect(second.headers["x-cache"]).toBe("hit");
  expect(second.body).toBe(first.body);
});

test("a post published through Posts empties the cached pages; a write behind its back does not", async () => {
  const app = await start();
  expect((await inject(app, "/")).body).toContain("No posts yet.");

  // Straight into the table: the cache does not know, and still serves the old page.
  const db = app.container.resolve(Database) as Database<DB>;
  await db
    .insertInto("posts")
    .values({ title: "Sneaky", body: "…", created_at: new Date().toISOString() })
    .execute();
  expect((await inject(app, "/")).body).toContain("No posts yet.");

  // Through the service, which is CachedPosts: the tag is invalidated, the next request recomputes.
  const posts = app.container.resolve(Posts);
  expect(posts.constructor.name).toBe("CachedPosts");
  await posts.create("Hello", "World");
  const index = await inject(app, "/");
  expect(index.headers["x-cache"]).toBe("miss");
  expect(index.body).toContain("Sneaky");
  expect(index.body).toContain("Hello");
});

test("a logged-in user's page is never stored, nor served another's", async () => {
  const app = await start();
  await inject(app, "/"); // a visitor's copy is in the cache
  const browser = app.testClient();
  const token = csrfOf((await browser.get("/register")).body);
  const fields = { username: "ada", password: "correct horse", confirm: "correct horse", csrf_token: token };
  expect((await browser.post("/register", form(fields))).statusCode).toBe(303);
  for (let i = 0; i < 2; i++) {
    const res = await browser.get("/");
    expect(res.headers["x-cache"]).not.toBe("hit");
    expect(res.body).toContain("Logged in as ada");
  }
  expect((await inject(app, "/")).body).not.toContain("Logged in as ada");
});
