// docs/tutorial/5-posts.md: logged-in users write posts in Markdown, shown sanitised.
import type { Flagon } from "@flagon/core";
import type { TestClient } from "@flagon/core/testing";
import { migrate } from "@flagon/database/testing";
import { afterEach, expect, test } from "vitest";
import { csrfOf, form, SECRET_KEY } from "../helpers.js";
import { createApp } from "./app.js";
import { renderMarkdown } from "./markdown.js";

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

/** Registers and logs in through the form, as a browser does. */
async function signedIn(): Promise<TestClient> {
  const browser = await client();
  const token = csrfOf((await browser.get("/register")).body);
  const fields = { username: "ada", password: "correct horse", confirm: "correct horse", csrf_token: token };
  expect((await browser.post("/register", form(fields))).statusCode).toBe(303);
  return browser;
}

test("renderMarkdown keeps formatting and drops scripts, handlers and javascript: links", () => {
  expect(renderMarkdown("**bold** and _it_")).toBe("<p><strong>bold</strong> and <em>it</em></p>\n");
  const html = renderMarkdown(
    '<script>alert(1)</script>\n\n<b onclick="alert(1)">b</b> [x](javascript:alert(1))',
  );
  expect(html).not.toMatch(/<script|onclick|href="javascript/);
  expect(html).toContain("<a>x</a>");
});

test("an anonymous visitor is sent to the login page, and back after it", async () => {
  const browser = await client();
  const res = await browser.get("/posts/new", { headers: { accept: "text/html" } });
  expect(res.statusCode).toBe(303);
  expect(res.headers["location"]).toBe("/login?next=%2Fposts%2Fnew");
});

test("a logged-in user publishes a post; its page shows the Markdown as HTML", async () => {
  const browser = await signedIn();
  const page = await browser.get("/posts/new");
  const post = { title: "Hello", body: "Some **bold** text.\n\n<script>alert(1)</script>" };
  const published = await browser.post("/posts/new", form({ ...post, csrf_token: csrfOf(page.body) }));
  expect(published.statusCode).toBe(303);
  expect(published.headers["location"]).toBe("/posts/1");

  const show = (await browser.get("/posts/1")).body;
  expect(show).toContain("Your post is published.");
  expect(show).toContain("<p>Some <strong>bold</strong> text.</p>");
  expect(show).not.toContain("<script>alert(1)</script>");
});

test("a post without a title is re-rendered with the error and the body kept", async () => {
  const browser = await signedIn();
  const token = csrfOf((await browser.get("/posts/new")).body);
  const res = await browser.post("/posts/new", form({ title: "", body: "Draft", csrf_token: token }));
  expect(res.statusCode).toBe(422);
  expect(res.body).toContain(">Draft</textarea>");
});
