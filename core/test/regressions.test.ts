// Bugs found by review, each pinned by the test named after it.
import "reflect-metadata";
import { describe, expect, test } from "vitest";
import { Flagon, HttpError } from "../src/index.js";
import { type CoreConfig, parseConfig } from "../src/config/schema.js";
import { renderError, prefersJson } from "../src/errors/render.js";

const resolveConfig = (config: CoreConfig) => parseConfig(config).config;

describe("regressions", () => {
  test("a slash-less URL redirects (308) to a slashed twin at the same node that takes the method", async () => {
    const app = new Flagon();
    app.post("/a", () => "post");
    app.get("/a/", () => "get");
    const res = await app.inject({ url: "/a" });
    expect(res.statusCode).toBe(308);
    expect(res.headers["location"]).toBe("http://localhost/a/");
    // The twin lacks PUT, so PUT /a stays a 405 listing what /a takes.
    const put = await app.inject({ method: "PUT", url: "/a" });
    expect(put.statusCode).toBe(405);
    expect(put.headers["allow"]).toBe("POST, OPTIONS");
  });

  test("urlFor builds whole-number and tiny floats with their decimal point", async () => {
    const app = new Flagon();
    app.get("/price/<float:x>", (ctx) => ctx.request.params, { endpoint: "price" });
    await app.ready();
    expect(app.urlFor("price", { x: 1 })).toBe("/price/1.0");
    expect(app.urlFor("price", { x: 2.5 })).toBe("/price/2.5");
    expect(app.urlFor("price", { x: 1e-7 })).toBe("/price/0.0000001");
    const res = await app.inject({ url: app.urlFor("price", { x: 1 }) });
    expect(res.json()).toEqual({ x: 1 });
  });

  test("problem-details extensions cannot change the status or title of the body", () => {
    const error = new HttpError(404, "gone fishing", {
      details: { status: 200, title: "OK", type: "urn:x" },
    });
    const res = renderError(error, "application/json", { exposeInternals: false });
    const body = JSON.parse(res.body as string) as Record<string, unknown>;
    expect(res.status).toBe(404);
    expect(body).toMatchObject({ status: 404, title: "Not Found", type: "urn:x", detail: "gone fishing" });
  });

  test("config errors show NaN and Infinity as such, not as null", () => {
    expect(() => resolveConfig({ bodyLimit: Number.NaN })).toThrow(/got NaN/);
    expect(() => resolveConfig({ bodyLimit: Number.POSITIVE_INFINITY })).toThrow(/got Infinity/);
  });

  test("quoted converter arguments keep their spaces, so two any() lists are two branches", async () => {
    const app = new Flagon();
    app.get("/<any('a b', c):k>", (ctx) => ctx.request.params);
    app.post("/<any('ab', c):k>", (ctx) => ctx.request.params);
    expect((await app.inject({ method: "POST", url: "/ab" })).json()).toEqual({ k: "ab" });
    expect((await app.inject({ url: "/a%20b" })).json()).toEqual({ k: "a b" });
  });

  test("the path converter refuses an empty first segment, as Werkzeug's [^/].*? does", async () => {
    const app = new Flagon();
    app.get("/a/<path:p>", (ctx) => ctx.request.params);
    expect((await app.inject({ url: "/a//b" })).statusCode).toBe(404);
    expect((await app.inject({ url: "/a/b/c" })).json()).toEqual({ p: "b/c" });
  });

  test("an Accept header that ranks HTML and JSON equally gets HTML (browsers list both)", () => {
    expect(prefersJson("text/html, application/json")).toBe(false);
    expect(prefersJson("text/html;q=0.9, application/json")).toBe(true);
  });
});

describe("error pages rendered by an error handler", () => {
  test("render() from setErrorHandler(404) keeps the 404 status", async () => {
    const { mkdtemp, mkdir, writeFile } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { render } = await import("../src/index.js");
    const root = await mkdtemp(join(tmpdir(), "flagon-404-"));
    await mkdir(join(root, "templates"));
    await writeFile(join(root, "templates", "404.html"), "<h1>Nothing at {{ request.path }}</h1>");
    const app = new Flagon({ root, configFile: false });
    app.setErrorHandler(404, () => render("404.html"));
    const res = await app.inject("/missing");
    expect(res.statusCode).toBe(404);
    expect(res.body).toBe("<h1>Nothing at /missing</h1>");
  });
});
