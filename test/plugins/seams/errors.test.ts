// Seam 7 through the public API: errors from plugins (an onError hook answering with an
// HttpError, `problem(error, ctx)` for the negotiated error response) and the conditional-GET
// helpers (`isFresh`, `checkPreconditions`) that static files use.
import "reflect-metadata";
import { describe, expect, it } from "vitest";
import {
  checkPreconditions,
  definePlugin,
  Flagon,
  FlagonResponse,
  HttpError,
  isFresh,
  problem,
  type Context,
} from "@flagon/core";

const json = { accept: "application/json" };

describe("problem(error, ctx)", () => {
  function app(env: "test" | "development" = "test"): Flagon {
    const a = new Flagon({ configFile: false, config: { env } });
    a.get("/teapot", (ctx) =>
      problem(new HttpError(418, "Short and stout", { details: { pot: "tea" } }), ctx),
    );
    a.get("/crash", (ctx) => problem(new Error("secret internals"), ctx));
    return a;
  }

  it("answers problem+json to a JSON client, with status, detail and exposed details", async () => {
    const res = await app().inject({ url: "/teapot", headers: json });
    expect(res.statusCode).toBe(418);
    expect(res.headers["content-type"]).toBe("application/problem+json");
    expect(res.json()).toEqual({
      type: "about:blank",
      pot: "tea",
      title: "I'm a Teapot",
      status: 418,
      detail: "Short and stout",
    });
  });

  it("answers an HTML page to a browser", async () => {
    const res = await app().inject({ url: "/teapot", headers: { accept: "text/html,*/*;q=0.8" } });
    expect(res.statusCode).toBe(418);
    expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(res.body).toContain("Short and stout");
  });

  it("hides an unexpected error's message outside development, shows it in development", async () => {
    const hidden = await app("test").inject({ url: "/crash", headers: json });
    expect(hidden.statusCode).toBe(500);
    expect(hidden.body).not.toContain("secret internals");
    const shown = await app("development").inject({ url: "/crash", headers: json });
    expect(shown.json()).toMatchObject({ status: 500, detail: "secret internals" });
  });
});

describe("a plugin turns its own errors into HTTP errors", () => {
  class RateLimited extends Error {
    constructor(readonly retryAfter: number) {
      super("rate limited");
    }
  }
  const limits = definePlugin({
    name: "limits",
    register(app) {
      app.addHook("onError", (_ctx, error) =>
        error instanceof RateLimited
          ? new HttpError(429, "Too many requests from you", {
              headers: { "retry-after": String(error.retryAfter) },
            })
          : undefined,
      );
    },
  });

  it("returning an HttpError from onError gives its status and the normal rendering", async () => {
    const app = new Flagon({ configFile: false, config: { env: "test" } }).register(limits);
    app.get("/", () => {
      throw new RateLimited(12);
    });
    const res = await app.inject({ url: "/", headers: json });
    expect(res.statusCode).toBe(429);
    expect(res.headers["retry-after"]).toBe("12");
    expect(res.json()).toMatchObject({ status: 429, detail: "Too many requests from you" });
    const page = await app.inject({ url: "/", headers: { accept: "text/html" } });
    expect(page.statusCode).toBe(429);
    expect(page.body).toContain("<h1>Too Many Requests</h1>");
  });
});

describe("isFresh and checkPreconditions", () => {
  const etag = '"v7"';
  const changed = new Date("2026-11-30T10:00:00.250Z");

  function app(): Flagon {
    const a = new Flagon({ configFile: false, config: { env: "test" } });
    a.get("/note", (ctx: Context) => {
      const headers = { etag, "last-modified": changed.toUTCString() };
      if (isFresh(ctx, { etag, lastModified: changed }))
        return new FlagonResponse(null, { status: 304, headers });
      return new FlagonResponse("the note", { headers });
    });
    a.put("/note", (ctx: Context) => {
      const verdict = checkPreconditions(ctx, { etag, lastModified: changed });
      if (verdict !== 200) return new FlagonResponse(null, { status: verdict });
      return "saved";
    });
    return a;
  }
  const get = (headers: Record<string, string>) => app().inject({ url: "/note", headers });

  it("If-None-Match: the same tag, the weak form, a list holding it, or * → 304; another tag → 200", async () => {
    expect((await get({ "if-none-match": '"v7"' })).statusCode).toBe(304);
    expect((await get({ "if-none-match": 'W/"v7"' })).statusCode).toBe(304);
    expect((await get({ "if-none-match": '"v5", "v6", "v7"' })).statusCode).toBe(304);
    expect((await get({ "if-none-match": "*" })).statusCode).toBe(304);
    const stale = await get({ "if-none-match": '"v6"' });
    expect(stale.statusCode).toBe(200);
    expect(stale.body).toBe("the note");
  });

  it("If-Modified-Since: not older than the change (to the second) → 304; older → 200", async () => {
    expect((await get({ "if-modified-since": changed.toUTCString() })).statusCode).toBe(304);
    expect(
      (await get({ "if-modified-since": new Date("2026-12-01T00:00:00Z").toUTCString() })).statusCode,
    ).toBe(304);
    expect(
      (await get({ "if-modified-since": new Date("2026-11-29T00:00:00Z").toUTCString() })).statusCode,
    ).toBe(200);
    expect((await get({ "if-modified-since": "not a date" })).statusCode).toBe(200);
  });

  it("If-None-Match wins over If-Modified-Since", async () => {
    const res = await get({ "if-none-match": '"v6"', "if-modified-since": changed.toUTCString() });
    expect(res.statusCode).toBe(200);
  });

  it("a PUT with a failing If-Match → 412, a matching one goes on; If-None-Match: * on a PUT → 412", async () => {
    const put = (headers: Record<string, string>) =>
      app().inject({ method: "PUT", url: "/note", headers, body: "x" });
    expect((await put({ "if-match": '"v6"' })).statusCode).toBe(412);
    expect((await put({ "if-match": 'W/"v7"' })).statusCode).toBe(412); // If-Match compares strongly
    expect((await put({ "if-match": '"v7"' })).body).toBe("saved");
    expect((await put({ "if-none-match": "*" })).statusCode).toBe(412);
  });

  it("refuses an unquoted etag with a TypeError that names it", async () => {
    const a = new Flagon({ configFile: false, config: { env: "test" } });
    a.get("/", (ctx) => String(isFresh(ctx, { etag: "v7" })));
    const res = await a.inject("/");
    expect(res.statusCode).toBe(500);
    const direct = new Flagon({ configFile: false, config: { env: "development" } });
    direct.get("/", (ctx) => String(isFresh(ctx, { etag: "v7" })));
    expect((await direct.inject({ url: "/", headers: json })).json()).toMatchObject({
      detail: expect.stringContaining('"v7"'),
    });
  });
});
