import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Flagon } from "@flagon/core";
import type { TestClient } from "@flagon/core/testing";
import { Posts } from "../src/posts.js";
import { Users, type User } from "../src/users.js";
import { csrfOf, loggedInClient, testApp } from "./helpers.js";

const HTML = { accept: "text/html" };

let app: Flagon;
let ada: User;
let bob: User;

beforeEach(async () => {
  app = await testApp();
  const users = app.container.resolve(Users);
  ada = await users.create("ada", "correct horse battery");
  bob = await users.create("bob", "correct horse battery");
});
afterEach(async () => {
  await app.close();
});

const loggedIn = (user: User): Promise<TestClient> =>
  loggedInClient(app, user.username, "correct horse battery");

/** Makes a token on the account page, as a user would, and reads it off the page. */
async function tokenFor(user: User, name = "laptop"): Promise<string> {
  const client = await loggedIn(user);
  const page = await client.get("/account/tokens", { headers: HTML });
  const res = await client.post("/account/tokens", {
    headers: HTML,
    form: { csrf_token: csrfOf(page.body), name },
  });
  expect(res.statusCode).toBe(200);
  const token = /<code class="token" id="new-token">(flg_[^<]+)<\/code>/.exec(res.body)?.[1];
  if (token === undefined) throw new Error("no token on the page");
  expect(res.body).toContain(name);
  return token;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}`, accept: "application/json" });

describe("personal API tokens", () => {
  it("authenticate API requests as their owner, and stop working when revoked", async () => {
    const token = await tokenFor(ada);
    const me = await app.testClient().get("/api/me", { headers: bearer(token) });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toEqual({ id: ada.id, username: "ada" });
    expect(me.headers["set-cookie"]).toBeUndefined();

    const client = await loggedIn(ada);
    const page = await client.get("/account/tokens", { headers: HTML });
    expect(page.body).toContain("last used");
    expect(page.body).not.toContain(token);
    const id = /action="\/account\/tokens\/(\d+)\/delete"/.exec(page.body)?.[1];
    await client.post(`/account/tokens/${id}/delete`, {
      headers: HTML,
      form: { csrf_token: csrfOf(page.body) },
    });
    expect((await app.testClient().get("/api/me", { headers: bearer(token) })).statusCode).toBe(401);
  });

  it("answers 401 without a token or with an unknown one", async () => {
    const none = await app.testClient().get("/api/me", { headers: { accept: "application/json" } });
    expect(none.statusCode).toBe(401);
    expect(none.headers["www-authenticate"]).toMatch(/^Bearer/);
    const unknown = await app.testClient().get("/api/me", { headers: bearer(`flg_${"x".repeat(43)}`) });
    expect(unknown.statusCode).toBe(401);
    const post = await app
      .testClient()
      .post("/api/posts", { headers: { accept: "application/json" }, json: { title: "t", body: "b" } });
    expect(post.statusCode).toBe(401);
  });
});

describe("the JSON API", () => {
  it("creates, reads, updates and deletes a post with a token, without a CSRF token", async () => {
    const token = await tokenFor(ada);
    const created = await app.testClient().post("/api/posts", {
      headers: bearer(token),
      json: { title: "From the API", body: "Hello <script>x()</script>**world**", tags: ["API", "json"] },
    });
    expect(created.statusCode).toBe(201);
    const post = created.json<{ id: number; html: string; tags: string[]; author: string; url: string }>();
    expect(created.headers["location"]).toBe(`/api/posts/${post.id}`);
    expect(post).toMatchObject({ author: "ada", tags: ["api", "json"], url: `/posts/${post.id}` });
    expect(post.html).toContain("<strong>world</strong>");
    expect(post.html).not.toContain("<script");

    const list = await app.testClient().get("/api/posts");
    expect(list.json()).toMatchObject({ total: 1, page: 1, items: [{ id: post.id, title: "From the API" }] });

    const updated = await app.testClient().put(`/api/posts/${post.id}`, {
      headers: bearer(token),
      json: { title: "Renamed", body: "b" },
    });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toMatchObject({ title: "Renamed", tags: [] });

    const deleted = await app.testClient().delete(`/api/posts/${post.id}`, { headers: bearer(token) });
    expect(deleted.statusCode).toBe(204);
    expect((await app.testClient().get(`/api/posts/${post.id}`)).statusCode).toBe(404);
  });

  it("lets only the author change a post (403 for another token)", async () => {
    const id = await app.container.resolve(Posts).create(ada.id, { title: "Ada's", body: "b", tags: [] });
    const token = await tokenFor(bob);
    const put = await app
      .testClient()
      .put(`/api/posts/${id}`, { headers: bearer(token), json: { title: "x", body: "y" } });
    expect(put.statusCode).toBe(403);
    const del = await app.testClient().delete(`/api/posts/${id}`, { headers: bearer(token) });
    expect(del.statusCode).toBe(403);
    expect((await app.container.resolve(Posts).find(id))?.title).toBe("Ada's");
  });

  it("answers 422 naming the field for invalid input", async () => {
    const token = await tokenFor(ada);
    const res = await app
      .testClient()
      .post("/api/posts", { headers: bearer(token), json: { title: "", body: "b" } });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain("title is required");
  });

  it("refuses a JSON write authenticated by the session cookie alone without a CSRF token", async () => {
    const client = await loggedIn(ada);
    const res = await client.post("/api/posts", {
      headers: { accept: "application/json" },
      json: { title: "t", body: "b" },
    });
    expect(res.statusCode).toBe(403);
  });

  it("pages and filters by tag", async () => {
    const posts = app.container.resolve(Posts);
    for (let n = 1; n <= 3; n++)
      await posts.create(ada.id, { title: `P${n}`, body: "b", tags: n === 2 ? ["two"] : [] });
    const page = await app.testClient().get("/api/posts?per_page=2&page=2");
    expect(page.json()).toMatchObject({ total: 3, page: 2, perPage: 2, pages: 2, items: [{ title: "P1" }] });
    const tagged = await app.testClient().get("/api/posts?tag=two");
    expect(tagged.json()).toMatchObject({ total: 1, items: [{ title: "P2", tags: ["two"] }] });
    expect((await app.testClient().get("/api/posts?page=0")).statusCode).toBe(400);
  });
});
