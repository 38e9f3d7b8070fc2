// The code of docs/templates.md, driven the way the guide says it behaves.
import "reflect-metadata";
import { describe, expect, test } from "vitest";
import { Flagon, render, TemplateError } from "@flagon/core";
import { createApp } from "./app.js";

const SECRET = { secretKey: "a test secret key of at least 32 characters" };

describe("docs/templates.md: rendering and layouts", () => {
  test("render() fills the layout's blocks; super() keeps the parent's block; globals are seen", async () => {
    const res = await createApp().inject("/");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(res.body).toContain("<title>Welcome · Notebook</title>");
    expect(res.body).toContain("<h1>Welcome</h1>");
  });

  test("@Render renders the returned object; loop.index and keyword urlFor work", async () => {
    const res = await createApp().inject("/notes/");
    expect(res.body).toContain('<li><a href="/notes/1">1. Shopping</a></li>');
    expect(res.body).toContain('<li><a href="/notes/2">2. Ideas</a></li>');
  });

  test("an include sees the page's variables; abort(404) inside a @Render method is a 404", async () => {
    const app = createApp();
    const res = await app.inject("/notes/1");
    expect(res.body).toContain("<title>Shopping</title>");
    expect(res.body).toContain("<h1>Shopping</h1>");
    expect((await app.inject("/notes/9")).statusCode).toBe(404);
  });

  test("ctx.render() gives the finished response, whose headers can be changed", async () => {
    const res = await createApp().inject("/notes/2/print");
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.body).toContain("<h1>Ideas</h1>");
  });

  test("app.templates.render() renders to a string outside a request", async () => {
    const app = createApp();
    expect(await app.templates.render("hello.txt", { name: "Ada" })).toBe("Hello, Ada!\n");
  });

  test("render(name, context, { status }) sets the status", async () => {
    const app = createApp();
    app.get("/gone", () => render("hello.txt", { name: "nobody" }, { status: 410 }));
    const res = await app.inject("/gone");
    expect(res.statusCode).toBe(410);
  });
});

describe("docs/templates.md: autoescape", () => {
  test(".html templates escape values; |safe and markSafe() do not", async () => {
    const { body } = await createApp().inject("/");
    expect(body).toContain("<p>&lt;b&gt;not bold&lt;/b&gt;</p>");
    expect(body).toContain("<p><i>trusted</i></p>");
    expect(body).toContain("<p><strong>&lt;b&gt;not bold&lt;/b&gt;</strong></p>");
  });

  test("an include in an .html page is escaped too", async () => {
    const { body } = await createApp().inject("/notes/1");
    expect(body).toContain("<p>Milk &amp; &lt;eggs&gt;</p>");
  });

  test(".txt templates are text/plain and not escaped", async () => {
    const res = await createApp().inject("/hello.txt");
    expect(res.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(res.body).toBe("Hello, <world>!\n");
  });
});

describe("docs/templates.md: urlFor, static files, flashes, config", () => {
  test("urlFor('static', { filename }) points at the static folder, which is served", async () => {
    const app = createApp();
    expect((await app.inject("/")).body).toContain('<link rel="stylesheet" href="/static/app.css" />');
    const css = await app.inject("/static/app.css");
    expect(css.statusCode).toBe(200);
    expect(css.headers["content-type"]).toBe("text/css; charset=utf-8");
  });

  test("a flashed message shows on the next page, once", async () => {
    const client = createApp({ config: SECRET }).testClient();
    const login = await client.post("/login");
    expect(login.statusCode).toBe(302);
    expect(login.headers.location).toBe("/");
    expect((await client.get("/")).body).toContain('<p class="flash flash-success">You were logged in</p>');
    expect((await client.get("/")).body).not.toContain("flash-success");
  });

  test("config is there without its secrets", async () => {
    const app = new Flagon({ root: createApp().root, config: { ...SECRET, serverName: "notes.example" } });
    app.get("/c", (ctx) => ctx.render("config.txt"));
    expect((await app.inject("/c")).body).toBe("notes.example []\n");
  });

  test("a missing template is a TemplateError naming it (a 500 page)", async () => {
    const app = createApp();
    await expect(app.templates.render("nope.html")).rejects.toBeInstanceOf(TemplateError);
    await expect(app.templates.render("nope.html")).rejects.toThrow(/nope\.html/);
    app.get("/broken", () => render("nope.html"));
    expect((await app.inject("/broken")).statusCode).toBe(500);
  });
});
