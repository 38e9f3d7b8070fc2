// docs/tutorial/3-auth.md: register, log in and out with @flagon/auth.
import type { Flagon } from "@flagon/core";
import type { TestClient } from "@flagon/core/testing";
import { migrate } from "@flagon/database/testing";
import { afterEach, expect, test } from "vitest";
import { form, SECRET_KEY } from "../helpers.js";
import { createApp } from "./app.js";

const apps: Flagon[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

async function client(): Promise<TestClient> {
  const app = createApp({ secretKey: SECRET_KEY, database: { url: "sqlite::memory:" } });
  apps.push(app);
  await app.ready();
  expect(await migrate(app)).toEqual(["001_create_posts", "002_create_users"]);
  return app.testClient();
}

test("registering logs the new user in; logging out ends it; logging in again works", async () => {
  const browser = await client();
  const registered = await browser.post("/register", form({ username: "ada", password: "correct horse" }));
  expect(registered.statusCode).toBe(303);
  expect(registered.headers["location"]).toBe("/");
  expect((await browser.get("/")).body).toContain("Logged in as ada");

  expect((await browser.post("/logout")).statusCode).toBe(303);
  expect((await browser.get("/")).body).not.toContain("Logged in as");

  const wrong = await browser.post("/login", form({ username: "ada", password: "wrong password" }));
  expect(wrong.statusCode).toBe(422);
  expect(wrong.body).toContain("Wrong username or password.");

  expect(
    (await browser.post("/login", form({ username: "ada", password: "correct horse" }))).statusCode,
  ).toBe(303);
  expect((await browser.get("/")).body).toContain("Logged in as ada");
});

test("a taken username is refused", async () => {
  const browser = await client();
  await browser.post("/register", form({ username: "ada", password: "correct horse" }));
  const again = await browser.post("/register", form({ username: "ada", password: "another one" }));
  expect(again.statusCode).toBe(422);
  expect(again.body).toContain("That username is taken.");
});
