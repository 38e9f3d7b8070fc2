import "reflect-metadata";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Controller, Delete, Flagon, FlagonError, Get, Post, Put, abort, json } from "@flagon/core";
import { definePlugin } from "@flagon/core/plugin";
import cors, { Cors, NoCors, type CorsOptions } from "../src/index.js";
import { preflight } from "../src/testing.js";

const APP = "https://app.test";
const OTHER = "https://evil.test";
const PARTNER = "https://partner.test";
const PREFLIGHT_VARY = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";

/** An app with a few function routes and the plugin registered with `options`. */
function makeApp(options?: Partial<CorsOptions>, config?: Record<string, unknown>): Flagon {
  const app = new Flagon({ logger: false, configFile: false, ...(config ? { config } : {}) });
  app.register(cors, options ?? { origins: [APP] });
  app.get("/items", () => [{ id: 1 }]);
  app.post("/items", () => json({ id: 2 }, { status: 201, headers: { "x-total": "2" } }));
  app.delete("/items/<int:id>", () => undefined);
  app.get("/varied", (ctx) => {
    ctx.response.headers.set("vary", "Accept-Encoding");
    return "ok";
  });
  app.get("/boom", () => {
    throw new Error("kaput");
  });
  app.get("/teapot", () => abort(418));
  return app;
}

function corsHeaders(headers: Record<string, unknown>): string[] {
  return Object.keys(headers).filter((name) => name.startsWith("access-control-"));
}

describe("preflight requests", () => {
  it("answers an allowed preflight with 204 and the Access-Control-Allow-* headers", async () => {
    const app = makeApp({ origins: [APP], maxAge: 600 });
    const res = await preflight(app, "/items", {
      origin: APP,
      method: "DELETE",
      headers: ["Content-Type", "X-Requested-With"],
    });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe("");
    expect(res.headers["access-control-allow-origin"]).toBe(APP);
    expect(res.headers["access-control-allow-methods"]).toBe("GET, HEAD, POST, PUT, PATCH, DELETE");
    expect(res.headers["access-control-allow-headers"]).toBe("content-type, x-requested-with");
    expect(res.headers["access-control-max-age"]).toBe("600");
    expect(res.headers["access-control-allow-credentials"]).toBeUndefined();
    expect(res.headers["vary"]).toBe(PREFLIGHT_VARY);
    expect(res.headers["allow"]).toBeUndefined(); // answered by the plugin, not the core's OPTIONS
  });

  it("refuses a preflight from another origin: 204 without any Access-Control-Allow-* header", async () => {
    const app = makeApp();
    const res = await preflight(app, "/items", { origin: OTHER, method: "PUT", headers: ["x-token"] });
    expect(res.statusCode).toBe(204);
    expect(corsHeaders(res.headers)).toEqual([]);
    expect(res.headers["vary"]).toBe(PREFLIGHT_VARY);
  });

  it("answers preflights for paths without routes too (the request itself then gets a 404)", async () => {
    const res = await preflight(makeApp(), "/nowhere", { origin: APP, method: "PUT" });
    expect(res.statusCode).toBe(204);
    expect(res.headers["access-control-allow-origin"]).toBe(APP);
  });

  it("leaves a plain OPTIONS (no Access-Control-Request-Method) to the core: 200 and Allow", async () => {
    const app = makeApp();
    const plain = await app.inject({ method: "OPTIONS", url: "/items" });
    expect(plain.statusCode).toBe(200);
    expect(String(plain.headers["allow"]).split(", ")).toEqual(expect.arrayContaining(["GET", "POST"]));
    expect(plain.headers["access-control-allow-methods"]).toBeUndefined();

    const withOrigin = await app.inject({ method: "OPTIONS", url: "/items", headers: { origin: APP } });
    expect(withOrigin.statusCode).toBe(200);
    expect(withOrigin.headers["allow"]).toBeDefined();
    expect(withOrigin.headers["access-control-allow-origin"]).toBe(APP); // an actual OPTIONS request
    expect(withOrigin.headers["access-control-allow-methods"]).toBeUndefined();
  });

  it("sends configured allowedHeaders instead of reflecting, and drops junk when reflecting", async () => {
    const fixed = makeApp({ origins: [APP], allowedHeaders: ["Content-Type", "Authorization"] });
    const a = await preflight(fixed, "/items", { origin: APP, method: "POST", headers: ["x-anything"] });
    expect(a.headers["access-control-allow-headers"]).toBe("Content-Type, Authorization");

    const reflect = makeApp();
    const b = await preflight(reflect, "/items", {
      origin: APP,
      method: "POST",
      headers: ["x-a", "bad header", "X-A"],
    });
    expect(b.headers["access-control-allow-headers"]).toBe("x-a");
    const c = await preflight(reflect, "/items", { origin: APP, method: "POST" });
    expect(c.headers["access-control-allow-headers"]).toBeUndefined();
  });

  it("lists the configured methods, upper-cased", async () => {
    const app = makeApp({ origins: [APP], methods: ["get", "post"] });
    const res = await preflight(app, "/items", { origin: APP, method: "POST" });
    expect(res.headers["access-control-allow-methods"]).toBe("GET, POST");
  });

  it("skips the handler and the onRequest hooks of plugins registered after it", async () => {
    const seen: string[] = [];
    const later = definePlugin({
      name: "later",
      register(app) {
        app.addHook("onRequest", (ctx) => {
          seen.push(`onRequest ${ctx.request.method}`);
        });
      },
    });
    const app = makeApp();
    app.register(later);
    app.post("/spy", () => {
      seen.push("handler");
      return "ok";
    });
    await preflight(app, "/spy", { origin: APP, method: "POST" });
    expect(seen).toEqual([]);
    await app.inject({ method: "POST", url: "/spy", headers: { origin: APP } });
    expect(seen).toEqual(["onRequest POST", "handler"]);
  });
});

describe("actual requests", () => {
  it("echoes an allowed origin and adds Vary: Origin", async () => {
    const res = await makeApp().inject({ url: "/items", headers: { origin: APP } });
    expect(res.statusCode).toBe(200);
    expect(res.headers["access-control-allow-origin"]).toBe(APP);
    expect(res.headers["access-control-allow-credentials"]).toBeUndefined();
    expect(res.headers["access-control-expose-headers"]).toBeUndefined();
    expect(res.headers["vary"]).toBe("Origin");
  });

  it("sends no CORS headers to another origin or without Origin, but still Vary: Origin", async () => {
    const app = makeApp();
    const other = await app.inject({ url: "/items", headers: { origin: OTHER } });
    expect(other.statusCode).toBe(200);
    expect(corsHeaders(other.headers)).toEqual([]);
    expect(other.headers["vary"]).toBe("Origin");
    const none = await app.inject({ url: "/items" });
    expect(corsHeaders(none.headers)).toEqual([]);
    expect(none.headers["vary"]).toBe("Origin");
  });

  it('sends "*" for origins "*" without credentials', async () => {
    const app = makeApp({ origins: "*" });
    const res = await app.inject({ url: "/items", headers: { origin: OTHER } });
    expect(res.headers["access-control-allow-origin"]).toBe("*");
    const pre = await preflight(app, "/items", { origin: OTHER, method: "PUT" });
    expect(pre.headers["access-control-allow-origin"]).toBe("*");
  });

  it('never sends "*" with credentials: the origin is echoed, with Allow-Credentials', async () => {
    const app = makeApp({ origins: "*", credentials: true });
    const res = await app.inject({ url: "/items", headers: { origin: OTHER } });
    expect(res.headers["access-control-allow-origin"]).toBe(OTHER);
    expect(res.headers["access-control-allow-credentials"]).toBe("true");
    expect(res.headers["vary"]).toBe("Origin");
    const pre = await preflight(app, "/items", { origin: OTHER, method: "PUT" });
    expect(pre.headers["access-control-allow-origin"]).toBe(OTHER);
    expect(pre.headers["access-control-allow-credentials"]).toBe("true");
  });

  it("sends credentials with a list of origins as well", async () => {
    const app = makeApp({ origins: [APP], credentials: true });
    const res = await app.inject({ url: "/items", headers: { origin: APP, cookie: "sid=1" } });
    expect(res.headers["access-control-allow-origin"]).toBe(APP);
    expect(res.headers["access-control-allow-credentials"]).toBe("true");
  });

  it("exposes the configured response headers", async () => {
    const app = makeApp({ origins: [APP], exposedHeaders: ["X-Total", "ETag"] });
    const res = await app.inject({ method: "POST", url: "/items", headers: { origin: APP } });
    expect(res.statusCode).toBe(201);
    expect(res.headers["access-control-expose-headers"]).toBe("X-Total, ETag");
    const other = await app.inject({ method: "POST", url: "/items", headers: { origin: OTHER } });
    expect(other.headers["access-control-expose-headers"]).toBeUndefined();
  });

  it("keeps the Vary values a handler set, once each", async () => {
    const app = makeApp();
    const res = await app.inject({ url: "/varied", headers: { origin: APP } });
    expect(res.headers["vary"]).toBe("Accept-Encoding, Origin");

    const fresh = makeApp();
    fresh.get("/varied-origin", (ctx) => {
      ctx.response.headers.set("vary", "origin, Accept");
      return "ok";
    });
    fresh.get("/vary-star", (ctx) => {
      ctx.response.headers.set("vary", "*");
      return "ok";
    });
    expect((await fresh.inject({ url: "/varied-origin", headers: { origin: APP } })).headers["vary"]).toBe(
      "origin, Accept",
    );
    expect((await fresh.inject({ url: "/vary-star", headers: { origin: APP } })).headers["vary"]).toBe("*");
  });

  it("leaves an Access-Control-Allow-Origin that the handler set alone", async () => {
    const app = makeApp();
    app.get("/own", (ctx) => {
      ctx.response.headers.set("access-control-allow-origin", "https://own.test");
      return "ok";
    });
    const res = await app.inject({ url: "/own", headers: { origin: APP } });
    expect(res.headers["access-control-allow-origin"]).toBe("https://own.test");
  });

  it("puts CORS headers on error responses: 404, 405, 500 and an aborted 418", async () => {
    const app = makeApp({ origins: [APP], exposedHeaders: ["X-Request-Id"] });
    for (const [method, url, status] of [
      ["GET", "/nope", 404],
      ["PATCH", "/items", 405],
      ["GET", "/boom", 500],
      ["GET", "/teapot", 418],
    ] as const) {
      const res = await app.inject({ method, url, headers: { origin: APP, accept: "application/json" } });
      expect(res.statusCode, url).toBe(status);
      expect(res.headers["access-control-allow-origin"], url).toBe(APP);
      expect(res.headers["access-control-expose-headers"], url).toBe("X-Request-Id");
      expect(res.headers["vary"], url).toBe("Origin");
    }
  });

  it("puts CORS headers on an early answer from another plugin's preHandler", async () => {
    const app = makeApp();
    app.addHook("preHandler", () => json({ error: "login first" }, { status: 401 }));
    const res = await app.inject({ url: "/items", headers: { origin: APP } });
    expect(res.statusCode).toBe(401);
    expect(res.headers["access-control-allow-origin"]).toBe(APP);
  });
});

describe("origin matching", () => {
  it("compares scheme, host and port exactly, the host case-insensitively", async () => {
    const app = makeApp({ origins: ["https://App.Test", "http://localhost:5173", "https://b.test:443"] });
    const allowed = async (origin: string) =>
      (await app.inject({ url: "/items", headers: { origin } })).headers["access-control-allow-origin"];
    expect(await allowed("https://app.test")).toBe("https://app.test");
    expect(await allowed("https://APP.test")).toBe("https://APP.test");
    expect(await allowed("http://localhost:5173")).toBe("http://localhost:5173");
    expect(await allowed("https://b.test")).toBe("https://b.test"); // :443 is https's default port
    expect(await allowed("http://app.test")).toBeUndefined(); // scheme
    expect(await allowed("https://app.test:8443")).toBeUndefined(); // port
    expect(await allowed("http://localhost:5174")).toBeUndefined();
    expect(await allowed("https://sub.app.test")).toBeUndefined();
    expect(await allowed("https://app.test.evil.test")).toBeUndefined();
    expect(await allowed("https://app.test/path")).toBeUndefined(); // not an origin
    expect(await allowed("app.test")).toBeUndefined();
  });

  it('refuses the "null" origin unless it is listed, even with origins "*"', async () => {
    for (const options of [{ origins: [APP] }, { origins: "*" as const }, { origins: () => true }]) {
      const app = makeApp(options);
      const res = await app.inject({ url: "/items", headers: { origin: "null" } });
      expect(res.headers["access-control-allow-origin"]).toBeUndefined();
      const pre = await preflight(app, "/items", { origin: "null", method: "PUT" });
      expect(corsHeaders(pre.headers)).toEqual([]);
    }
    const listed = makeApp({ origins: [APP, "null"] });
    const res = await listed.inject({ url: "/items", headers: { origin: "null" } });
    expect(res.headers["access-control-allow-origin"]).toBe("null");
  });

  it("asks a function, given the normalised origin", async () => {
    const asked: string[] = [];
    const app = makeApp({
      origins: (origin) => {
        asked.push(origin);
        return origin.endsWith(".partner.test");
      },
    });
    const ok = await app.inject({ url: "/items", headers: { origin: "https://EU.partner.test" } });
    expect(ok.headers["access-control-allow-origin"]).toBe("https://EU.partner.test");
    const no = await app.inject({ url: "/items", headers: { origin: OTHER } });
    expect(no.headers["access-control-allow-origin"]).toBeUndefined();
    expect(asked).toEqual(["https://eu.partner.test", OTHER]);
  });
});

@Controller("/partner")
@Cors({ origins: [PARTNER], credentials: true, exposedHeaders: ["X-Partner"] })
class PartnerApi {
  @Get("/data")
  data() {
    return { partner: true };
  }

  @NoCors()
  @Delete("/data")
  remove() {
    return undefined;
  }

  @Cors({ maxAge: 60 })
  @Put("/data")
  replace() {
    return { replaced: true };
  }
}

@Controller("/internal")
@NoCors()
class InternalApi {
  @Get("/stats")
  stats() {
    return { up: true };
  }

  @Cors({ origins: [OTHER] })
  @Get("/public")
  open() {
    return { open: true };
  }
}

@Controller("/files")
class Files {
  @Cors({ origins: [PARTNER] })
  @Post("/<name>")
  upload() {
    return { uploaded: true };
  }

  @Post("/latest")
  latest() {
    return { latest: true };
  }

  @Cors({ origins: [PARTNER] })
  @Post("/<int:id>/copy")
  copyById() {
    return { copied: true };
  }

  @Post("/<slug>/copy")
  copyBySlug() {
    return { copied: true };
  }
}

describe("route decorators", () => {
  function decorated(): Flagon {
    const app = new Flagon({
      logger: false,
      configFile: false,
      controllers: [PartnerApi, InternalApi, Files],
    });
    app.register(cors, { origins: [APP] });
    return app;
  }

  it("@Cors on a controller replaces the app-wide options for its routes", async () => {
    const app = decorated();
    const partner = await app.inject({ url: "/partner/data", headers: { origin: PARTNER } });
    expect(partner.headers["access-control-allow-origin"]).toBe(PARTNER);
    expect(partner.headers["access-control-allow-credentials"]).toBe("true");
    expect(partner.headers["access-control-expose-headers"]).toBe("X-Partner");
    const mine = await app.inject({ url: "/partner/data", headers: { origin: APP } });
    expect(corsHeaders(mine.headers)).toEqual([]);
    expect(mine.headers["vary"]).toBe("Origin");
  });

  it("applies the route's options to its preflights too", async () => {
    const app = decorated();
    const partner = await preflight(app, "/partner/data", { origin: PARTNER, method: "GET" });
    expect(partner.headers["access-control-allow-origin"]).toBe(PARTNER);
    expect(partner.headers["access-control-allow-credentials"]).toBe("true");
    const mine = await preflight(app, "/partner/data", { origin: APP, method: "GET" });
    expect(corsHeaders(mine.headers)).toEqual([]);
  });

  it("merges a method's @Cors over its class's", async () => {
    const app = decorated();
    const res = await preflight(app, "/partner/data", { origin: PARTNER, method: "PUT" });
    expect(res.headers["access-control-allow-origin"]).toBe(PARTNER);
    expect(res.headers["access-control-allow-credentials"]).toBe("true");
    expect(res.headers["access-control-max-age"]).toBe("60");
    const get = await preflight(app, "/partner/data", { origin: PARTNER, method: "GET" });
    expect(get.headers["access-control-max-age"]).toBeUndefined();
  });

  it("@NoCors on a method sends no CORS headers and refuses its preflight", async () => {
    const app = decorated();
    const res = await app.inject({ method: "DELETE", url: "/partner/data", headers: { origin: PARTNER } });
    expect(res.statusCode).toBe(204);
    expect(corsHeaders(res.headers)).toEqual([]);
    expect(res.headers["vary"]).toBeUndefined();
    const pre = await preflight(app, "/partner/data", { origin: PARTNER, method: "DELETE" });
    expect(pre.statusCode).toBe(204);
    expect(corsHeaders(pre.headers)).toEqual([]);
  });

  it("@NoCors on a class, with @Cors on one method opening that route again", async () => {
    const app = decorated();
    const stats = await app.inject({ url: "/internal/stats", headers: { origin: APP } });
    expect(corsHeaders(stats.headers)).toEqual([]);
    expect(
      corsHeaders((await preflight(app, "/internal/stats", { origin: APP, method: "GET" })).headers),
    ).toEqual([]);
    const open = await app.inject({ url: "/internal/public", headers: { origin: OTHER } });
    expect(open.headers["access-control-allow-origin"]).toBe(OTHER);
  });

  it("finds a preflight's route like the router does: a static path beats a variable", async () => {
    const app = decorated();
    const byName = await preflight(app, "/files/report.pdf", { origin: PARTNER, method: "POST" });
    expect(byName.headers["access-control-allow-origin"]).toBe(PARTNER);
    const latest = await preflight(app, "/files/latest", { origin: PARTNER, method: "POST" });
    expect(corsHeaders(latest.headers)).toEqual([]);
    const latestApp = await preflight(app, "/files/latest", { origin: APP, method: "POST" });
    expect(latestApp.headers["access-control-allow-origin"]).toBe(APP);
  });

  it("answers a preflight with the options of the route the real request will reach", async () => {
    const app = decorated();
    // /files/<int:id>/copy (partner only) beats /files/<slug>/copy (app-wide) for /files/7/copy.
    const partner = await preflight(app, "/files/7/copy", { origin: PARTNER, method: "POST" });
    expect(partner.headers["access-control-allow-origin"]).toBe(PARTNER);
    const appOrigin = await preflight(app, "/files/7/copy", { origin: APP, method: "POST" });
    expect(corsHeaders(appOrigin.headers)).toEqual([]);
    // Only the <slug> route fits a non-number.
    const slug = await preflight(app, "/files/abc/copy", { origin: APP, method: "POST" });
    expect(slug.headers["access-control-allow-origin"]).toBe(APP);
    // The actual request agrees with its preflight.
    const actual = await app.inject({ method: "POST", url: "/files/7/copy", headers: { origin: PARTNER } });
    expect(actual.headers["access-control-allow-origin"]).toBe(PARTNER);
  });

  it("works on function routes through their decorators option", async () => {
    const app = makeApp();
    app.get("/fn/partner", () => "p", { decorators: [Cors({ origins: [PARTNER] })] });
    app.get("/fn/closed", () => "c", { decorators: [NoCors()] });
    const partner = await app.inject({ url: "/fn/partner", headers: { origin: PARTNER } });
    expect(partner.headers["access-control-allow-origin"]).toBe(PARTNER);
    const pre = await preflight(app, "/fn/partner", { origin: PARTNER, method: "GET" });
    expect(pre.headers["access-control-allow-origin"]).toBe(PARTNER);
    const closed = await app.inject({ url: "/fn/closed", headers: { origin: APP } });
    expect(corsHeaders(closed.headers)).toEqual([]);
    const closedPre = await preflight(app, "/fn/closed", { origin: APP, method: "GET" });
    expect(corsHeaders(closedPre.headers)).toEqual([]);
  });

  it("checks @Cors options when the decorator runs", () => {
    expect(() => Cors({ maxAge: -1 })).toThrow(/@Cors\(\): maxAge: /);
    expect(() => Cors({ origins: ["https://a.test/"] })).toThrow(/origins\.0: expected an origin/);
  });
});

describe("configuration", () => {
  it("reads the app config's cors section", async () => {
    const app = new Flagon({ logger: false, config: { cors: { origins: [PARTNER], maxAge: 120 } } });
    app.register(cors);
    app.get("/items", () => []);
    const res = await preflight(app, "/items", { origin: PARTNER, method: "PUT" });
    expect(res.headers["access-control-allow-origin"]).toBe(PARTNER);
    expect(res.headers["access-control-max-age"]).toBe("120");
  });

  it("registers from the plugins option with its options", async () => {
    const app = new Flagon({ logger: false, plugins: [[cors, { origins: [PARTNER] }]] });
    app.get("/items", () => []);
    const res = await app.inject({ url: "/items", headers: { origin: PARTNER } });
    expect(res.headers["access-control-allow-origin"]).toBe(PARTNER);
  });

  it("lets register options override the config section, key by key", async () => {
    const app = new Flagon({ logger: false, config: { cors: { origins: [PARTNER], maxAge: 120 } } });
    app.register(cors, { origins: [APP], credentials: true });
    app.get("/items", () => []);
    const res = await preflight(app, "/items", { origin: APP, method: "PUT" });
    expect(res.headers["access-control-allow-origin"]).toBe(APP);
    expect(res.headers["access-control-allow-credentials"]).toBe("true");
    expect(res.headers["access-control-max-age"]).toBe("120");
    const partner = await preflight(app, "/items", { origin: PARTNER, method: "PUT" });
    expect(corsHeaders(partner.headers)).toEqual([]);
  });

  it("reads comma-separated lists, as environment variables give them", async () => {
    const app = makeApp({
      origins: `${APP}, ${PARTNER}` as unknown as string[],
      exposedHeaders: "X-A, X-B" as never,
    });
    const res = await app.inject({ url: "/items", headers: { origin: PARTNER } });
    expect(res.headers["access-control-allow-origin"]).toBe(PARTNER);
    expect(res.headers["access-control-expose-headers"]).toBe("X-A, X-B");
  });

  async function startupError(app: Flagon): Promise<FlagonError> {
    const error: unknown = await app.ready().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FlagonError);
    return error as FlagonError;
  }

  it("stops start-up on invalid config, naming the key (cors.maxAge)", async () => {
    // @ts-expect-error -- the plugin types the cors section of the config: maxAge is a number
    const app = new Flagon({ logger: false, config: { cors: { origins: [APP], maxAge: "x" } } });
    app.register(cors);
    const error = await startupError(app);
    expect(error.code).toBe("FLAGON_ERR_INVALID_CONFIG");
    expect(error.message).toContain("cors.maxAge");
  });

  it("reads a config file, naming it when a value is wrong", async () => {
    const root = await mkdtemp(path.join(tmpdir(), "flagon-cors-"));
    try {
      const file = path.join(root, "flagon.config.json");
      await writeFile(file, JSON.stringify({ cors: { origins: [PARTNER], maxAge: 30 } }));
      const app = new Flagon({ logger: false, root });
      app.register(cors);
      app.get("/items", () => []);
      const res = await preflight(app, "/items", { origin: PARTNER, method: "PUT" });
      expect(res.headers["access-control-allow-origin"]).toBe(PARTNER);
      expect(res.headers["access-control-max-age"]).toBe("30");

      await writeFile(file, JSON.stringify({ cors: { origins: [PARTNER], maxAge: "x" } }));
      const bad = new Flagon({ logger: false, root });
      bad.register(cors);
      const error = await startupError(bad);
      expect(error.code).toBe("FLAGON_ERR_INVALID_CONFIG");
      expect(error.message).toContain("cors.maxAge");
      expect(error.message).toContain("flagon.config.json");
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it("reads FLAGON_CORS__* environment variables, lists comma-separated", async () => {
    process.env["FLAGON_CORS__ORIGINS"] = `${APP}, ${PARTNER}`;
    process.env["FLAGON_CORS__MAX_AGE"] = "600";
    try {
      const app = new Flagon({ logger: false, configFile: false });
      app.register(cors);
      app.get("/items", () => []);
      const res = await preflight(app, "/items", { origin: PARTNER, method: "PUT" });
      expect(res.headers["access-control-allow-origin"]).toBe(PARTNER);
      expect(res.headers["access-control-max-age"]).toBe("600");
    } finally {
      delete process.env["FLAGON_CORS__ORIGINS"];
      delete process.env["FLAGON_CORS__MAX_AGE"];
    }
  });

  it("names the bad origin, a missing origins and an unknown key", async () => {
    const badOrigin = new Flagon({ logger: false });
    badOrigin.register(cors, { origins: [APP, "https://b.test/app"] });
    const e1 = await startupError(badOrigin);
    expect(e1.code).toBe("FLAGON_ERR_INVALID_CONFIG");
    expect(e1.message).toContain("cors.origins.1");

    const missing = new Flagon({ logger: false });
    missing.register(cors);
    const e2 = await startupError(missing);
    expect(e2.code).toBe("FLAGON_ERR_INVALID_CONFIG");
    expect(e2.message).toContain("cors.origins");

    // @ts-expect-error -- "origin" is a typo the types catch, and the schema too
    const typo = new Flagon({ logger: false, config: { cors: { origins: [APP], origin: APP } } });
    typo.register(cors);
    const e3 = await startupError(typo);
    expect(e3.code).toBe("FLAGON_ERR_INVALID_CONFIG");
    expect(e3.message).toContain("origin");
  });

  it("is registered under its package name and version", async () => {
    const app = makeApp();
    await app.ready();
    expect(app.plugins.get("flagon-plugin-cors")).toBe("0.1.0");
  });
});
