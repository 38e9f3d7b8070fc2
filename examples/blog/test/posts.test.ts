import { readdir } from "node:fs/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Flagon } from "@flagon/core";
import type { TestClient } from "@flagon/core/testing";
import { Posts } from "../src/posts.js";
import { Users, type User } from "../src/users.js";
import {
  csrfOf,
  loggedInClient,
  makePng,
  MULTIPART_TYPE,
  multipartBody,
  tempFolder,
  testApp,
  type Part,
} from "./helpers.js";

const HTML = { accept: "text/html" };

let app: Flagon;
let uploads: Awaited<ReturnType<typeof tempFolder>>;
let ada: User;
let bob: User;

beforeEach(async () => {
  uploads = await tempFolder();
  app = await testApp({ uploadsDir: uploads.dir });
  const users = app.container.resolve(Users);
  ada = await users.create("ada", "correct horse battery");
  bob = await users.create("bob", "correct horse battery");
});
afterEach(async () => {
  await app.close();
  await uploads.remove();
});

/** A client logged in as the user. */
const as = (user: User): Promise<TestClient> => loggedInClient(app, user.username, "correct horse battery");

/** Posts the new-post form (multipart, as the browser does) with the page's CSRF token. */
async function writePost(
  client: TestClient,
  fields: Record<string, string>,
  file?: Part,
  url = "/posts/new",
) {
  const page = await client.get(url, { headers: HTML });
  const parts: Part[] = [{ name: "csrf_token", value: csrfOf(page.body) }];
  for (const [name, value] of Object.entries(fields)) parts.push({ name, value });
  if (file) parts.push(file);
  return client.post(url, {
    headers: { ...HTML, "content-type": MULTIPART_TYPE },
    body: multipartBody(parts),
  });
}

function postId(location: unknown): number {
  const match = /^\/posts\/(\d+)$/.exec(String(location));
  if (!match) throw new Error(`not a post URL: ${String(location)}`);
  return Number(match[1]);
}

describe("writing posts", () => {
  it("publishes a post with tags and shows its Markdown as HTML", async () => {
    const client = await as(ada);
    const res = await writePost(client, {
      title: "Hello",
      body: "Some **bold** text",
      tags: "Travel, food ,travel",
    });
    expect(res.statusCode).toBe(303);
    const page = await client.get(String(res.headers["location"]), { headers: HTML });
    expect(page.body).toContain("<strong>bold</strong>");
    expect(page.body).toContain("Your post is published.");
    expect(page.body).toContain('href="/tags/food">#food</a>');
    expect(page.body).toContain('href="/tags/travel">#travel</a>');
    const tagged = await app.testClient().get("/tags/food", { headers: HTML });
    expect(tagged.body).toContain(">Hello</a>");
  });

  it("strips scripts, event handlers and javascript: links from the Markdown", async () => {
    const client = await as(ada);
    const body = [
      "<script>alert('owned')</script>",
      '<img src="x" onerror="alert(1)">',
      "[click](javascript:alert(2))",
      '<a href="https://example.com" onclick="steal()">ok</a>',
      "![tracker](https://tracker.example/pixel.png)",
      "Plain *text* stays.",
    ].join("\n\n");
    const res = await writePost(client, { title: "XSS", body, tags: "" });
    const page = await app.testClient().get(String(res.headers["location"]), { headers: HTML });
    const prose = /<div class="prose">([\s\S]*?)<\/div>/.exec(page.body)?.[1] ?? "";
    expect(prose).toContain("<em>text</em>");
    expect(prose).toContain('href="https://example.com" rel="nofollow noopener"');
    expect(prose).not.toContain("tracker.example");
    expect(prose).not.toMatch(/<script/i);
    expect(prose).not.toMatch(/onerror|onclick/i);
    expect(prose).not.toMatch(/javascript:/i);
    expect(page.body).not.toContain("alert('owned')");
  });

  it("shows the form again with its errors and the input kept", async () => {
    const client = await as(ada);
    const res = await writePost(client, { title: "", body: "kept body", tags: "a" });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain("Write a post");
    expect(res.body).toContain(">kept body</textarea>");
    expect(res.body).toMatch(/field-title field-invalid|field-string field-invalid/);
  });

  it("stores an image checked by its bytes, under a generated name, and serves it", async () => {
    const client = await as(ada);
    const png = makePng(4, 3, [200, 80, 20]);
    const res = await writePost(
      client,
      { title: "With a picture", body: "Look", tags: "" },
      { name: "image", value: png, filename: "../../evil name.png", type: "text/html" },
    );
    expect(res.statusCode).toBe(303);
    const stored = await readdir(uploads.dir);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatch(/^[0-9a-f]{32}\.png$/);
    const page = await client.get(String(res.headers["location"]), { headers: HTML });
    expect(page.body).toContain(`src="/uploads/${stored[0]}"`);
    const image = await app.testClient().get(`/uploads/${stored[0]}`);
    expect(image.statusCode).toBe(200);
    expect(image.headers["content-type"]).toBe("image/png");
    expect(image.rawBody.equals(png)).toBe(true);
    expect((await app.testClient().get("/uploads/..%2Fblog.db")).statusCode).toBe(404);
  });

  it("refuses a file that only claims to be an image, and keeps the rest of the input", async () => {
    const client = await as(ada);
    const res = await writePost(
      client,
      { title: "Fake", body: "A body to keep", tags: "" },
      {
        name: "image",
        value: "<html><script>alert(1)</script></html>",
        filename: "cat.png",
        type: "image/png",
      },
    );
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain("That file is not a PNG, JPEG, GIF or WebP image.");
    expect(res.body).toContain('value="Fake"');
    expect(await readdir(uploads.dir)).toEqual([]);
    expect(await app.container.resolve(Posts).find(1)).toBeUndefined();
  });

  it("refuses a file whose name is not an image's", async () => {
    const client = await as(ada);
    const res = await writePost(
      client,
      { title: "Doc", body: "b", tags: "" },
      { name: "image", value: makePng(1, 1, [0, 0, 0]), filename: "notes.txt", type: "image/png" },
    );
    expect(res.statusCode).toBe(422);
    expect(await readdir(uploads.dir)).toEqual([]);
  });
});

describe("the author-only guard", () => {
  async function adasPost(): Promise<number> {
    return app.container.resolve(Posts).create(ada.id, { title: "Ada's", body: "mine", tags: [] });
  }

  it("lets the author edit, and keeps the edit", async () => {
    const id = await adasPost();
    const client = await as(ada);
    const form = await client.get(`/posts/${id}/edit`, { headers: HTML });
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('value="Ada&#39;s"');
    const res = await writePost(
      client,
      { title: "Ada's, edited", body: "changed", tags: "x" },
      undefined,
      `/posts/${id}/edit`,
    );
    expect(res.statusCode).toBe(303);
    expect(postId(res.headers["location"])).toBe(id);
    const post = await app.container.resolve(Posts).find(id);
    expect(post).toMatchObject({ title: "Ada's, edited", body: "changed", tags: ["x"] });
  });

  it("answers 403 to anyone else, for the form, the edit and the delete", async () => {
    const id = await adasPost();
    const client = await as(bob);
    expect((await client.get(`/posts/${id}/edit`, { headers: HTML })).statusCode).toBe(403);
    const page = await client.get(`/posts/${id}`, { headers: HTML });
    expect(page.body).not.toContain(`/posts/${id}/edit`);
    const token = csrfOf(page.body);
    const edit = await client.post(`/posts/${id}/edit`, {
      headers: HTML,
      form: { csrf_token: token, title: "mine now", body: "x" },
    });
    expect(edit.statusCode).toBe(403);
    const del = await client.post(`/posts/${id}/delete`, { headers: HTML, form: { csrf_token: token } });
    expect(del.statusCode).toBe(403);
    expect((await app.container.resolve(Posts).find(id))?.title).toBe("Ada's");
  });

  it("sends an anonymous visitor to the login page", async () => {
    const id = await adasPost();
    const res = await app.testClient().get(`/posts/${id}/edit`, { headers: HTML });
    expect(res.statusCode).toBe(303);
    expect(res.headers["location"]).toBe(`/login?next=%2Fposts%2F${id}%2Fedit`);
  });

  it("lets the author delete", async () => {
    const id = await adasPost();
    const client = await as(ada);
    const page = await client.get(`/posts/${id}`, { headers: HTML });
    const res = await client.post(`/posts/${id}/delete`, {
      headers: HTML,
      form: { csrf_token: csrfOf(page.body) },
    });
    expect(res.statusCode).toBe(303);
    expect((await app.testClient().get(`/posts/${id}`, { headers: HTML })).statusCode).toBe(404);
  });
});

describe("comments", () => {
  it("adds a comment, shown as text, and re-renders an empty one with its error", async () => {
    const id = await app.container.resolve(Posts).create(ada.id, { title: "T", body: "b", tags: [] });
    const client = await as(bob);
    const page = await client.get(`/posts/${id}`, { headers: HTML });
    const empty = await client.post(`/posts/${id}/comments`, {
      headers: HTML,
      form: { csrf_token: csrfOf(page.body), body: " " },
    });
    expect(empty.statusCode).toBe(422);
    expect(empty.body).toContain('class="field-errors"');
    const res = await client.post(`/posts/${id}/comments`, {
      headers: HTML,
      form: { csrf_token: csrfOf(page.body), body: "Nice <b>post</b>" },
    });
    expect(res.statusCode).toBe(303);
    const after = await app.testClient().get(`/posts/${id}`, { headers: HTML });
    expect(after.body).toContain("Nice &lt;b&gt;post&lt;/b&gt;");
    expect(after.body).toContain("Comments (1)");
    expect(after.body).toContain("to comment.");
  });
});

describe("CSRF", () => {
  it("shows a form posted with a forged token again, with the message and the input kept", async () => {
    const client = await as(ada);
    const res = await client.post("/posts/new", {
      headers: HTML,
      form: { csrf_token: "forged", title: "Kept title", body: "Kept body", tags: "t" },
    });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain("The form has expired. Please submit it again.");
    expect(res.body).toContain('value="Kept title"');
    expect(res.body).toContain(">Kept body</textarea>");
    expect(await app.container.resolve(Posts).find(1)).toBeUndefined();
    // The page carries a fresh token: sending it again works.
    const again = await client.post("/posts/new", {
      headers: HTML,
      form: { csrf_token: csrfOf(res.body), title: "Kept title", body: "Kept body", tags: "t" },
    });
    expect(again.statusCode).toBe(303);
  });
});

describe("the index", () => {
  it("pages the posts five at a time with the pagination macro", async () => {
    const posts = app.container.resolve(Posts);
    for (let n = 1; n <= 7; n++)
      await posts.create(ada.id, { title: `Post number ${n}`, body: "b", tags: [] });
    const first = await app.testClient().get("/", { headers: HTML });
    expect(first.body.match(/<article class="card post-summary">/g)).toHaveLength(5);
    expect(first.body).toContain("Post number 7");
    expect(first.body).toContain('<nav class="pagination" aria-label="Pages of posts">');
    expect(first.body).toContain('href="/?page=2" rel="next"');
    const second = await app.testClient().get("/?page=2", { headers: HTML });
    expect(second.body.match(/<article class="card post-summary">/g)).toHaveLength(2);
    expect(second.body).toContain("Post number 1");
    expect((await app.testClient().get("/?page=abc", { headers: HTML })).statusCode).toBe(400);
    expect((await app.testClient().get("/?page=9", { headers: HTML })).statusCode).toBe(404);
  });

  it("is cached for anonymous readers until a post is written, and never for a signed-in one", async () => {
    const posts = app.container.resolve(Posts);
    await posts.create(ada.id, { title: "First", body: "b", tags: [] });
    const before = await app.testClient().get("/", { headers: HTML });
    expect(before.statusCode).toBe(200);
    expect(before.headers["set-cookie"]).toBeUndefined();
    // Written behind the app's back: a cached index does not show it.
    await posts.create(ada.id, { title: "Sneaked in", body: "b", tags: [] });
    const cached = await app.testClient().get("/", { headers: HTML });
    expect(cached.body).not.toContain("Sneaked in");
    const signedIn = await as(bob);
    expect((await signedIn.get("/", { headers: HTML })).body).toContain("Sneaked in");
    // A post written through the app clears the cached pages.
    await writePost(await as(ada), { title: "Through the form", body: "b", tags: "" });
    const fresh = await app.testClient().get("/", { headers: HTML });
    expect(fresh.body).toContain("Sneaked in");
    expect(fresh.body).toContain("Through the form");
  });
});
