import path from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { createApp } from "../src/app.js";
import { DEMO_USER } from "../src/seed.js";
import { loggedInClient, SECRET_KEY, tempFolder } from "./helpers.js";

let folder: Awaited<ReturnType<typeof tempFolder>>;
beforeEach(async () => {
  folder = await tempFolder();
});
afterEach(() => folder.remove());

it("migrates and seeds a new database on first start, and only once", async () => {
  const url = `sqlite:${path.join(folder.dir, "blog.db")}`;
  const config = { env: "test" as const, secretKey: SECRET_KEY, database: { url } };

  const first = createApp({ logger: false, config });
  await first.ready();
  const home = await first.testClient().get("/", { headers: { accept: "text/html" } });
  expect(home.statusCode).toBe(200);
  expect(home.body).toContain("Welcome to the Flagon blog");
  const api = (await first.testClient().get("/api/posts")).json<{ total: number }>();
  expect(api.total).toBe(6);
  // The demo account logs in with the password the README gives.
  const client = await loggedInClient(first, DEMO_USER.username, DEMO_USER.password);
  expect((await client.get("/posts/new", { headers: { accept: "text/html" } })).statusCode).toBe(200);
  await first.close();

  const second = createApp({ logger: false, config });
  await second.ready();
  expect((await second.testClient().get("/api/posts")).json<{ total: number }>().total).toBe(6);
  await second.close();
});
