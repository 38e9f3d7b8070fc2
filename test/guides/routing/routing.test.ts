// The code of docs/routing.md, driven the way the guide says it behaves.
import "reflect-metadata";
import { readFile } from "node:fs/promises";
import { describe, expect, test } from "vitest";
import { FlagonError } from "@flagon/core";
import { createApp } from "./app.js";

const JSON_CLIENT = { accept: "application/json" };

describe("docs/routing.md: routes and converters", () => {
  test("a function route returns HTML", async () => {
    const res = await createApp().inject("/");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(res.body).toBe("Hello, World!");
  });

  test("<int:id> gives the handler a number; text that is not an int is a 404", async () => {
    const app = createApp();
    const res = await app.inject("/books/1");
    expect(res.json()).toEqual({ id: 1, title: "Dune", year: 1965, tags: ["sf"] });
    const miss = await app.inject("/books/abc");
    expect(miss.statusCode).toBe(404);
    expect(miss.json()).toEqual({
      error: "The requested URL was not found on the server.",
      path: "/books/abc",
    });
  });

  test("abort(404, message) goes to the same 404 handler, with its message", async () => {
    const res = await createApp().inject("/books/9");
    expect(res.statusCode).toBe(404);
    expect(res.headers["content-type"]).toBe("application/json");
    expect(res.json()).toEqual({ error: "there is no book 9", path: "/books/9" });
  });

  test("any(small,large) matches only its words", async () => {
    const app = createApp();
    expect((await app.inject("/books/2/cover/large")).json()).toEqual({
      id: 2,
      size: "large",
      theme: "light",
    });
    expect((await app.inject("/books/2/cover/huge")).statusCode).toBe(404);
  });

  test("path takes the rest of the URL, slashes included", async () => {
    const res = await createApp().inject("/files/2024/report.pdf");
    expect(res.json()).toEqual({ name: "2024/report.pdf" });
  });

  test("a custom converter from the converters option", async () => {
    const app = createApp();
    expect((await app.inject("/tags/science-fiction")).json()).toEqual({ tag: "science-fiction" });
    expect((await app.inject("/tags/Science_Fiction")).statusCode).toBe(404);
  });
});

describe("docs/routing.md: trailing slashes, methods, redirects", () => {
  test("a route declared with a slash: the URL without it is a 308 to it, query kept", async () => {
    const res = await createApp().inject("/books?page=2");
    expect(res.statusCode).toBe(308);
    expect(res.headers["location"]).toBe("http://localhost/books/?page=2");
  });

  test("a route declared without a slash: the URL with one is a 404", async () => {
    expect((await createApp().inject("/books/1/")).statusCode).toBe(404);
  });

  test("HEAD is answered for GET routes, without a body", async () => {
    const res = await createApp().inject({ method: "HEAD", url: "/books/1" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("application/json");
    expect(res.body).toBe("");
  });

  test("OPTIONS lists the methods in Allow; another method is a 405 with Allow", async () => {
    const app = createApp();
    const options = await app.inject({ method: "OPTIONS", url: "/books/1" });
    expect(options.statusCode).toBe(200);
    expect(options.headers["allow"]).toBe("GET, HEAD, DELETE, OPTIONS");
    const put = await app.inject({ method: "PUT", url: "/books/1", headers: JSON_CLIENT });
    expect(put.statusCode).toBe(405);
    expect(put.headers["allow"]).toBe("GET, HEAD, DELETE, OPTIONS");
    expect(put.headers["content-type"]).toBe("application/problem+json");
  });

  test("redirect(ctx.urlFor(…), 301) sends the endpoint's URL", async () => {
    const res = await createApp().inject("/library");
    expect(res.statusCode).toBe(301);
    expect(res.headers["location"]).toBe("/books/");
  });
});

describe("docs/routing.md: request input", () => {
  test("@Query with a schema: default, coercion, and a 400 naming the parameter", async () => {
    const app = createApp();
    expect((await app.inject("/books/")).json()).toMatchObject({ page: 1 });
    expect((await app.inject("/books/?page=3")).json()).toMatchObject({ page: 3 });
    const bad = await app.inject({ url: "/books/?page=zero", headers: JSON_CLIENT });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ status: 400, errors: [{ location: "query", name: "page" }] });
    expect(bad.json<{ detail: string }>().detail).toContain('invalid query parameter "page"');
  });

  test("@Query typed string[] gets every value of a repeated key", async () => {
    const res = await createApp().inject("/books/?tag=sf&tag=classic");
    expect(res.json()).toEqual({ page: 1, books: [expect.objectContaining({ title: "Solaris" })] });
  });

  test("ctx.request.query in a function route: get and getAll", async () => {
    const res = await createApp().inject("/search?q=dune&tag=a&tag=b");
    expect(res.json()).toEqual({ q: "dune", tags: ["a", "b"] });
  });

  test("@Body(schema): 201 with Location; the schema's output (defaults) reaches the handler", async () => {
    const res = await createApp().inject({
      method: "POST",
      url: "/books/",
      json: { title: "  Ubik ", year: 1969 },
    });
    expect(res.statusCode).toBe(201);
    expect(res.headers["location"]).toBe("/books/3");
    expect(res.json()).toEqual({ id: 3, title: "Ubik", year: 1969, tags: [] });
  });

  test("a body that fails the schema is a 422 naming each field", async () => {
    const res = await createApp().inject({
      method: "POST",
      url: "/books/",
      headers: JSON_CLIENT,
      json: { title: "", year: "1969" },
    });
    expect(res.statusCode).toBe(422);
    expect(res.headers["content-type"]).toBe("application/problem+json");
    // The problem the guide prints, whole.
    const shown = await readFile(new URL("./invalid-book.problem.json", import.meta.url), "utf8");
    expect(res.json()).toEqual(JSON.parse(shown));
  });

  test("a form body on a JSON route is a 415; malformed JSON is a 400", async () => {
    const app = createApp();
    const form = await app.inject({ method: "POST", url: "/books/", form: { title: "Ubik" } });
    expect(form.statusCode).toBe(415);
    const broken = await app.inject({
      method: "POST",
      url: "/books/",
      headers: { "content-type": "application/json" },
      body: "{ not json",
    });
    expect(broken.statusCode).toBe(400);
  });

  test("@Header reads a header by any case; a plain return of undefined is a 204", async () => {
    const app = createApp();
    const refused = await app.inject({ method: "DELETE", url: "/books/1" });
    expect(refused.statusCode).toBe(403);
    const deleted = await app.inject({
      method: "DELETE",
      url: "/books/1",
      headers: { "X-API-KEY": "let-me-in" },
    });
    expect(deleted.statusCode).toBe(204);
    expect((await app.inject("/books/1")).statusCode).toBe(404);
  });

  test("@Cookie reads a request cookie", async () => {
    const res = await createApp().inject({ url: "/books/1/cover/small", cookies: { theme: "dark" } });
    expect(res.json()).toEqual({ id: 1, size: "small", theme: "dark" });
  });
});

describe("docs/routing.md: endpoints and urlFor", () => {
  test("endpoints are Class.method and function names; extra values become the query", async () => {
    const app = createApp();
    await app.ready();
    expect(app.urlFor("BooksController.show", { id: 2 })).toBe("/books/2");
    expect(app.urlFor("BooksController.list", { page: 2, tag: ["sf", "classic"] })).toBe(
      "/books/?page=2&tag=sf&tag=classic",
    );
    expect(app.urlFor("file", { name: "a b/c.txt" })).toBe("/files/a%20b/c.txt");
    expect(app.routes()).toContainEqual({
      methods: ["GET"],
      path: "/books/<int:id>/cover/<any(small,large):size>",
      endpoint: "BooksController.cover",
      decorators: [],
    });
  });

  test("a value its converter refuses, or a missing one, is FLAGON_ERR_URL_BUILD", async () => {
    const app = createApp();
    await app.ready();
    expect(() => app.urlFor("BooksController.show", { id: "x" })).toThrow(FlagonError);
    expect(() => app.urlFor("BooksController.cover", { id: 1 })).toThrow(/needs "size"/);
  });
});
