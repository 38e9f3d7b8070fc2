import "reflect-metadata";
import { beforeAll, describe, expect, test } from "vitest";
import { Flagon, Controller, Get, Post, Param, Context, FlagonError } from "@flagon/core";
import { thrown } from "./helpers.js";

// URL building as Flask's url_for does it (FLASK-REFERENCE §1.2), with one deliberate
// improvement: a plain string parameter containing "/" is escaped (%2F) so the URL matches back.

@Controller("/items")
class Items {
  @Get("/")
  list() {
    return [];
  }

  @Get("/<int:id>")
  show(@Param("id") id: number) {
    return { id };
  }

  @Get("/by-method")
  @Post("/by-method/create")
  both() {
    return "both";
  }
}

function convInt() {
  return "i";
}
function fileView() {
  return "f";
}
function uniView() {
  return "u";
}
function colorView() {
  return "c";
}
function notTheEndpoint() {
  return "plain";
}

function buildApp(config: Record<string, unknown> = {}): Flagon {
  const app = new Flagon({ controllers: [Items], config, logger: false });
  app.get("/i/<int:x>", convInt);
  app.get("/files/<path:p>", fileView);
  app.get("/uni/<name>", uniView);
  app.get("/color/<any(red,blue):c>", colorView);
  app.get("/noslash", notTheEndpoint, { endpoint: "plain" });
  app.get("/anon", () => "anonymous");
  app.get("/where", (ctx: Context) => ({
    external: ctx.urlFor("plain", {}, { external: true }),
    relative: ctx.urlFor("Items.show", { id: 9 }),
  }));
  return app;
}

describe("app.urlFor", () => {
  let app: Flagon;
  beforeAll(async () => {
    app = buildApp();
    await app.ready();
  });

  test.each<[string, string, Record<string, unknown>, string]>([
    ["controller endpoint ClassName.method", "Items.show", { id: 3 }, "/items/3"],
    ["controller endpoint with trailing slash", "Items.list", {}, "/items/"],
    ["function endpoint by function name", "convInt", { x: 3 }, "/i/3"],
    ["explicit endpoint option", "plain", {}, "/noslash"],
    ["anonymous function → endpoint is the path", "/anon", {}, "/anon"],
    [
      "unknown params → query string, space as +, arrays repeat the key",
      "convInt",
      { x: 3, q: "a b", z: [1, 2] },
      "/i/3?q=a+b&z=1&z=2",
    ],
    ["query values are percent-encoded", "plain", { q: "a&b=c/é" }, "/noslash?q=a%26b%3Dc%2F%C3%A9"],
    ["path params keep their slashes", "fileView", { p: "a/b/c.txt" }, "/files/a/b/c.txt"],
    ["string params escape /", "uniView", { name: "a/b" }, "/uni/a%2Fb"],
    ["unicode is encoded as UTF-8", "uniView", { name: "été" }, "/uni/%C3%A9t%C3%A9"],
    ["spaces in a path segment are %20", "uniView", { name: "é t" }, "/uni/%C3%A9%20t"],
    ["reserved characters are escaped", "uniView", { name: "a?b#c" }, "/uni/a%3Fb%23c"],
    ["any() converter", "colorView", { c: "red" }, "/color/red"],
  ])("%s", (_what, endpoint, params, expected) => {
    expect(app.urlFor(endpoint, params)).toBe(expected);
  });

  test("a function with an explicit endpoint is not reachable by its own name", () => {
    const err = thrown(() => app.urlFor("notTheEndpoint"));
    expect(err).toBeInstanceOf(FlagonError);
    expect((err as FlagonError).code).toBe("FLAGON_ERR_URL_BUILD");
  });

  test("the built URL routes back to the same handler and values", async () => {
    const url = app.urlFor("Items.show", { id: 41 });
    const res = await app.inject({ url });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ id: 41 });
    const uni = await app.inject({ url: app.urlFor("uniView", { name: "a/b" }) });
    expect(uni.statusCode).toBe(200);
  });

  test("anchor is percent-encoded", () => {
    expect(app.urlFor("plain", {}, { anchor: "sec 1" })).toBe("/noslash#sec%201");
    expect(app.urlFor("convInt", { x: 1, q: "v" }, { anchor: "top" })).toBe("/i/1?q=v#top");
  });

  test("method option picks the rule of an endpoint with several rules", () => {
    expect(app.urlFor("Items.both", {}, { method: "GET" })).toBe("/items/by-method");
    expect(app.urlFor("Items.both", {}, { method: "POST" })).toBe("/items/by-method/create");
  });

  test("a missing required param throws FLAGON_ERR_URL_BUILD", () => {
    const err = thrown(() => app.urlFor("Items.show", {}));
    expect(err).toBeInstanceOf(FlagonError);
    expect((err as FlagonError).code).toBe("FLAGON_ERR_URL_BUILD");
  });

  test.each<[string, Record<string, unknown>]>([
    ["Items.show", { id: "abc" }],
    ["Items.show", { id: 1.5 }],
    ["colorView", { c: "green" }],
  ])("a value its converter refuses (%s %o) throws FLAGON_ERR_URL_BUILD", (endpoint, params) => {
    const err = thrown(() => app.urlFor(endpoint, params));
    expect(err).toBeInstanceOf(FlagonError);
    expect((err as FlagonError).code).toBe("FLAGON_ERR_URL_BUILD");
  });

  test("an external URL outside a request without config.serverName throws FLAGON_ERR_URL_BUILD", () => {
    const err = thrown(() => app.urlFor("plain", {}, { external: true }));
    expect(err).toBeInstanceOf(FlagonError);
    expect((err as FlagonError).code).toBe("FLAGON_ERR_URL_BUILD");
  });

  test("an unknown endpoint throws FLAGON_ERR_URL_BUILD", () => {
    const err = thrown(() => app.urlFor("Nope.nothing"));
    expect(err).toBeInstanceOf(FlagonError);
    expect((err as FlagonError).code).toBe("FLAGON_ERR_URL_BUILD");
  });
});

describe("external URLs", () => {
  test("outside a request, external uses config.serverName", async () => {
    const app = buildApp({ serverName: "srv.test" });
    await app.ready();
    expect(app.urlFor("plain", {}, { external: true })).toBe("http://srv.test/noslash");
    expect(app.urlFor("Items.show", { id: 2 }, { external: true, anchor: "a b" })).toBe(
      "http://srv.test/items/2#a%20b",
    );
    expect(app.urlFor("plain", {}, { external: false })).toBe("/noslash");
  });

  test("preferredScheme is used for external URLs outside a request", async () => {
    const app = buildApp({ serverName: "srv.test", preferredScheme: "https" });
    await app.ready();
    expect(app.urlFor("plain", {}, { external: true })).toBe("https://srv.test/noslash");
  });

  test("ctx.urlFor inside a request uses the request Host for external URLs", async () => {
    const app = buildApp();
    const dflt = await app.inject({ url: "/where" });
    expect(dflt.statusCode).toBe(200);
    expect(dflt.json()).toEqual({ external: "http://localhost/noslash", relative: "/items/9" });
    const other = await app.inject({ url: "/where", headers: { host: "example.org:8080" } });
    expect(other.json()).toEqual({ external: "http://example.org:8080/noslash", relative: "/items/9" });
  });

  test("inside a request the request Host wins over config.serverName (Flask 3.1)", async () => {
    const app = buildApp({ serverName: "srv.test" });
    const dflt = await app.inject({ url: "/where" });
    expect(dflt.statusCode).toBe(200);
    expect(dflt.json()).toEqual({ external: "http://localhost/noslash", relative: "/items/9" });
    const other = await app.inject({ url: "/where", headers: { host: "example.org:8080" } });
    expect(other.json()).toEqual({ external: "http://example.org:8080/noslash", relative: "/items/9" });
  });
});
