// docs/tutorial/2-database.md: a migrated SQLite database, and pages that read it.
import type { Flagon } from "@flagon/core";
import { runCommand } from "@flagon/cli/testing";
import { inject } from "@flagon/core/testing";
import { freshDatabase, migrate } from "@flagon/database/testing";
import { afterEach, expect, test } from "vitest";
import { createApp } from "./app.js";
import { Posts } from "./posts.js";

const apps: Flagon[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

async function start(): Promise<Flagon> {
  const fresh = await freshDatabase();
  const app = createApp({ database: { url: fresh.url } });
  apps.push(app);
  await app.ready();
  expect(await migrate(app)).toEqual(["001_create_posts"]);
  return app;
}

test("`flagon db migrate` applies the migration", async () => {
  const app = createApp({ database: { url: "sqlite::memory:" } });
  apps.push(app);
  expect(await runCommand(app, ["db", "migrate"])).toMatchObject({
    code: 0,
    stdout: "applied 001_create_posts\n",
  });
});

test("the index lists the posts, newest first, and each has its page", async () => {
  const app = await start();
  const posts = app.container.resolve(Posts);
  await posts.create("First", "Hello.");
  await posts.create("Second", "<b>Escaped</b>");

  const index = (await inject(app, "/")).body;
  expect(index.indexOf("Second")).toBeLessThan(index.indexOf("First"));
  expect(index).toContain('<a href="/posts/1">First</a>');

  const show = await inject(app, "/posts/2");
  expect(show.body).toContain("<h1>Second</h1>");
  expect(show.body).toContain("&lt;b&gt;Escaped&lt;/b&gt;");
  expect((await inject(app, "/posts/3")).statusCode).toBe(404);
});
