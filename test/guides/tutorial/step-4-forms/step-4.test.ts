// docs/tutorial/4-forms.md: form classes that validate and re-render, and CSRF on every post.
import type { Flagon } from "@flagon/core";
import type { TestClient } from "@flagon/core/testing";
import { migrate } from "@flagon/database/testing";
import { afterEach, expect, test } from "vitest";
import { csrfOf, form, SECRET_KEY } from "../helpers.js";
import { createApp } from "./app.js";

const apps: Flagon[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

async function client(): Promise<TestClient> {
  const app = createApp({ secretKey: SECRET_KEY, database: { url: "sqlite::memory:" } });
  apps.push(app);
  await app.ready();
  await migrate(app);
  return app.testClient();
}

const ada = { username: "ada", password: "correct horse", confirm: "correct horse" };

test("the form renders itself with a CSRF token; a valid post registers and flashes a welcome", async () => {
  const browser = await client();
  const page = await browser.get("/register");
  expect(page.body).toContain('<label for="username">Username</label>');
  const registered = await browser.post("/register", form({ ...ada, csrf_token: csrfOf(page.body) }));
  expect(registered.statusCode).toBe(303);
  const home = (await browser.get("/")).body;
  expect(home).toContain("Welcome, ada!");
  expect(home).toContain("Logged in as ada");
});

test("a post with errors re-renders the form with the input and each field's message", async () => {
  const browser = await client();
  const token = csrfOf((await browser.get("/register")).body);
  const res = await browser.post(
    "/register",
    form({ username: "a!", password: "short", confirm: "other", csrf_token: token }),
  );
  expect(res.statusCode).toBe(422);
  expect(res.body).toContain('value="a!"');
  expect(res.body).toContain("Use letters, digits, - and _ only.");
  expect(res.body).toContain('aria-invalid="true"');
  expect(res.body).not.toContain('value="short"'); // a password is never sent back
});

test("a post without its CSRF token is not acted on: the form comes back, saying it expired", async () => {
  const browser = await client();
  await browser.get("/register");
  const res = await browser.post("/register", form(ada));
  expect(res.statusCode).toBe(422);
  expect(res.body).toContain("The form has expired. Please submit it again.");
  // A route without a form gets the 403.
  expect((await browser.post("/logout")).statusCode).toBe(403);
});

test("wrong credentials re-render the login form with a form error", async () => {
  const browser = await client();
  const token = csrfOf((await browser.get("/login")).body);
  const res = await browser.post(
    "/login",
    form({ username: "ghost", password: "nobody's", csrf_token: token }),
  );
  expect(res.statusCode).toBe(422);
  expect(res.body).toContain("Wrong username or password.");
});
