// The testing example of docs/database.md, as an app's own test file (test/articles.test.ts).
import { inject } from "@flagon/core/testing";
import { freshDatabase, migrate, type FreshDatabase } from "@flagon/database/testing";
import { afterEach, beforeEach, expect, it } from "vitest";
import { createApp } from "../src/app.js";

let fresh: FreshDatabase;
beforeEach(async () => {
  fresh = await freshDatabase(process.env["TEST_DATABASE_URL"]); // default: sqlite::memory:
});
afterEach(() => fresh.drop());

it("creates an article", async () => {
  const app = createApp({ database: { url: fresh.url } });
  await app.ready();
  await migrate(app); // the app's migrations folder
  const res = await inject(app, {
    method: "POST",
    url: "/articles/",
    json: { slug: "a", title: "A", body: "…" },
  });
  expect(res.statusCode).toBe(200);
  expect(res.json()).toMatchObject({ slug: "a", title: "A" });
  await app.close();
});
