import "reflect-metadata";
import { beforeAll, describe, expect, test } from "vitest";
import { Flagon, Controller, Get, Post, Put, Route, Param, Ctx, Context, FlagonError } from "@flagon/core";
import { allowOf, header, startupError } from "./helpers.js";

// Werkzeug routing semantics (FLASK-REFERENCE §1.1 and §1.3), checked on the wire.

const UUID = "2f1c9f3e-8a4b-4c2d-9e6f-0123456789ab";

@Controller("/ctl")
class Shop {
  // Converter rule registered before the static one: the static rule must still win.
  @Get("/<name>")
  byName(@Param("name") name: string) {
    return { route: "ctl.name", name };
  }

  @Get("/special")
  special() {
    return { route: "ctl.special" };
  }

  // int rule registered after the string rule: int still wins for digits.
  @Get("/<int:id>")
  byId(@Param("id") id: number) {
    return { route: "ctl.int", id, type: typeof id };
  }

  // @Get() joins to the bare prefix "/ctl".
  @Get()
  root() {
    return { route: "ctl.root" };
  }

  // Several route decorators on one method; declared with a trailing slash.
  @Post("/orders/")
  @Put("/orders/")
  order(@Ctx() ctx: Context) {
    return { route: "ctl.orders", method: ctx.request.method };
  }

  @Route("/multi", { methods: ["GET", "PATCH"] })
  multi(@Ctx() ctx: Context) {
    return { route: "ctl.multi", method: ctx.request.method };
  }
}

@Controller("/ctl2")
class Slashy {
  // @Get("/") joins to "/ctl2/".
  @Get("/")
  index() {
    return { route: "ctl2.index" };
  }
}

/** A handler echoing which rule ran, the converted params and their JS types. */
function echo(route: string) {
  return (ctx: Context) => {
    const params = ctx.request.params;
    const types = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, typeof v]));
    return { route, params, types };
  };
}

function buildApp(): Flagon {
  const app = new Flagon({ controllers: [Shop, Slashy], logger: false });
  const get = (path: string, route: string) => app.get(path, echo(route), { endpoint: route });

  get("/s/<x>", "s");
  get("/i/<int:x>", "i");
  get("/is/<int(signed=True):x>", "is");
  get("/im/<int(min=1,max=5):x>", "im");
  get("/f/<float:x>", "f");
  get("/p/<path:p>", "p");
  get("/pm/<path:p>/edit", "pm");
  get("/u/<uuid:id>", "u");
  get("/a/<any(red,blue):color>", "a");
  get("/colon/:name", "colon");
  get("/colon2/:a/and/:b", "colon2");
  get("/sl/<string(length=2):c>", "sl");
  get("/uni/<name>", "uni");
  // Fall-through on converter mismatch.
  get("/v/<int:x>", "v.int");
  get("/v/<name>", "v.name");
  // Static beats converter regardless of registration order (converter first here).
  get("/user/<name>", "user.name");
  get("/user/me", "user.me");
  // Trailing-slash canonicalisation.
  app.route("/slash/", ["GET", "POST"], echo("slash"), { endpoint: "slash" });
  get("/noslash", "noslash");
  get("/dir/<name>/", "dir");
  // Methods.
  app.get("/getonly", () => "g", { endpoint: "getonly" });
  app.post("/postonly", () => "p", { endpoint: "postonly" });
  app.get("/split", () => "split.get", { endpoint: "split.get" });
  app.post("/split", () => "split.post", { endpoint: "split.post" });
  app.get(
    "/hdr",
    (ctx: Context) => {
      ctx.response.headers.set("x-custom", "yes");
      return { some: "json", n: 1 };
    },
    { endpoint: "hdr" },
  );
  return app;
}

interface Row {
  method: string;
  url: string;
  status: number;
  headers?: Record<string, string>;
  /** Exact JSON body. */
  json?: unknown;
  /** Exact text body. */
  text?: string;
  /** Expected Allow header, as a set. */
  allow?: string[];
  /** Expected `Location` header. */
  location?: string;
  emptyBody?: boolean;
}

const p = (route: string, params: Record<string, unknown>, types?: Record<string, string>) => ({
  route,
  params,
  types: types ?? Object.fromEntries(Object.keys(params).map((k) => [k, typeof params[k]])),
});

const rows: Row[] = [
  // --- string (default) converter
  { method: "GET", url: "/s/hello", status: 200, json: p("s", { x: "hello" }) },
  { method: "GET", url: "/s/", status: 404 },
  { method: "GET", url: "/s/a/b", status: 404 },
  // --- int
  { method: "GET", url: "/i/42", status: 200, json: p("i", { x: 42 }, { x: "number" }) },
  { method: "GET", url: "/i/007", status: 200, json: p("i", { x: 7 }, { x: "number" }) },
  { method: "GET", url: "/i/-1", status: 404 },
  { method: "GET", url: "/i/abc", status: 404 },
  { method: "GET", url: "/i/1.5", status: 404 },
  { method: "GET", url: "/i/", status: 404 },
  { method: "GET", url: "/is/-5", status: 200, json: p("is", { x: -5 }, { x: "number" }) },
  { method: "GET", url: "/is/5", status: 200, json: p("is", { x: 5 }, { x: "number" }) },
  // --- int(min=1,max=5)
  { method: "GET", url: "/im/0", status: 404 },
  { method: "GET", url: "/im/1", status: 200, json: p("im", { x: 1 }, { x: "number" }) },
  { method: "GET", url: "/im/5", status: 200, json: p("im", { x: 5 }, { x: "number" }) },
  { method: "GET", url: "/im/6", status: 404 },
  // --- float (needs a dot, no exponent)
  { method: "GET", url: "/f/1.5", status: 200, json: p("f", { x: 1.5 }, { x: "number" }) },
  { method: "GET", url: "/f/0.25", status: 200, json: p("f", { x: 0.25 }, { x: "number" }) },
  { method: "GET", url: "/f/1", status: 404 },
  { method: "GET", url: "/f/1e5", status: 404 },
  { method: "GET", url: "/f/abc", status: 404 },
  // --- path (slashes allowed, trailing slash kept, needs >= 1 char)
  { method: "GET", url: "/p/a/b/c", status: 200, json: p("p", { p: "a/b/c" }) },
  { method: "GET", url: "/p/a/", status: 200, json: p("p", { p: "a/" }) },
  { method: "GET", url: "/p/x.txt", status: 200, json: p("p", { p: "x.txt" }) },
  { method: "GET", url: "/p/", status: 404 },
  { method: "GET", url: "/pm/a/b/edit", status: 200, json: p("pm", { p: "a/b" }) },
  // --- uuid (stays a string)
  { method: "GET", url: `/u/${UUID}`, status: 200, json: p("u", { id: UUID }, { id: "string" }) },
  { method: "GET", url: "/u/nope", status: 404 },
  { method: "GET", url: `/u/${UUID.replace(/-/g, "")}`, status: 404 },
  // --- any(red,blue)
  { method: "GET", url: "/a/red", status: 200, json: p("a", { color: "red" }) },
  { method: "GET", url: "/a/blue", status: 200, json: p("a", { color: "blue" }) },
  { method: "GET", url: "/a/green", status: 404 },
  { method: "GET", url: "/a/re", status: 404 },
  { method: "GET", url: "/a/redx", status: 404 },
  // --- ":name" alias
  { method: "GET", url: "/colon/bob", status: 200, json: p("colon", { name: "bob" }) },
  { method: "GET", url: "/colon2/x/and/y", status: 200, json: p("colon2", { a: "x", b: "y" }) },
  // --- string(length=2)
  { method: "GET", url: "/sl/ab", status: 200, json: p("sl", { c: "ab" }) },
  { method: "GET", url: "/sl/abc", status: 404 },
  { method: "GET", url: "/sl/a", status: 404 },
  // --- unicode, percent-decoded as UTF-8
  { method: "GET", url: "/uni/%C3%A9t%C3%A9", status: 200, json: p("uni", { name: "été" }) },
  { method: "GET", url: "/uni/a%20b", status: 200, json: p("uni", { name: "a b" }) },
  { method: "GET", url: "/uni/%E0%A4%A", status: 400 },
  { method: "GET", url: "/uni/%ZZ", status: 400 },
  // --- converter mismatch falls through to the next rule
  { method: "GET", url: "/v/12", status: 200, json: p("v.int", { x: 12 }, { x: "number" }) },
  { method: "GET", url: "/v/ab", status: 200, json: p("v.name", { name: "ab" }) },
  { method: "GET", url: "/v/1.5", status: 200, json: p("v.name", { name: "1.5" }) },
  // --- static beats converter
  { method: "GET", url: "/user/me", status: 200, json: p("user.me", {}) },
  { method: "GET", url: "/user/bob", status: 200, json: p("user.name", { name: "bob" }) },
  // --- controller rules
  { method: "GET", url: "/ctl", status: 200, json: { route: "ctl.root" } },
  { method: "GET", url: "/ctl/", status: 404 },
  { method: "GET", url: "/ctl/special", status: 200, json: { route: "ctl.special" } },
  { method: "GET", url: "/ctl/bob", status: 200, json: { route: "ctl.name", name: "bob" } },
  { method: "GET", url: "/ctl/12", status: 200, json: { route: "ctl.int", id: 12, type: "number" } },
  { method: "POST", url: "/ctl/orders/", status: 200, json: { route: "ctl.orders", method: "POST" } },
  { method: "PUT", url: "/ctl/orders/", status: 200, json: { route: "ctl.orders", method: "PUT" } },
  { method: "GET", url: "/ctl/orders/", status: 405, allow: ["OPTIONS", "POST", "PUT"] },
  { method: "POST", url: "/ctl/orders", status: 308, location: "http://localhost/ctl/orders/" },
  { method: "PATCH", url: "/ctl/multi", status: 200, json: { route: "ctl.multi", method: "PATCH" } },
  { method: "GET", url: "/ctl/multi", status: 200, json: { route: "ctl.multi", method: "GET" } },
  { method: "DELETE", url: "/ctl/multi", status: 405, allow: ["GET", "HEAD", "OPTIONS", "PATCH"] },
  { method: "DELETE", url: "/ctl/bob", status: 405, allow: ["GET", "HEAD", "OPTIONS"] },
  { method: "GET", url: "/ctl2/", status: 200, json: { route: "ctl2.index" } },
  { method: "GET", url: "/ctl2", status: 308, location: "http://localhost/ctl2/" },
  // --- methods, 405 + Allow, 404 wins
  { method: "GET", url: "/getonly", status: 200, text: "g" },
  { method: "POST", url: "/getonly", status: 405, allow: ["GET", "HEAD", "OPTIONS"] },
  { method: "DELETE", url: "/getonly", status: 405, allow: ["GET", "HEAD", "OPTIONS"] },
  { method: "POST", url: "/postonly", status: 200, text: "p" },
  { method: "GET", url: "/postonly", status: 405, allow: ["OPTIONS", "POST"] },
  { method: "HEAD", url: "/postonly", status: 405, allow: ["OPTIONS", "POST"] },
  { method: "GET", url: "/split", status: 200, text: "split.get" },
  { method: "POST", url: "/split", status: 200, text: "split.post" },
  { method: "PUT", url: "/split", status: 405, allow: ["GET", "HEAD", "OPTIONS", "POST"] },
  { method: "DELETE", url: "/split", status: 405, allow: ["GET", "HEAD", "OPTIONS", "POST"] },
  { method: "POST", url: "/i/5", status: 405, allow: ["GET", "HEAD", "OPTIONS"] },
  { method: "POST", url: "/i/abc", status: 404 },
  { method: "GET", url: "/nowhere", status: 404 },
  { method: "POST", url: "/nowhere", status: 404 },
  { method: "OPTIONS", url: "/nowhere", status: 404 },
  // --- automatic OPTIONS
  { method: "OPTIONS", url: "/getonly", status: 200, allow: ["GET", "HEAD", "OPTIONS"], emptyBody: true },
  { method: "OPTIONS", url: "/postonly", status: 200, allow: ["OPTIONS", "POST"], emptyBody: true },
  {
    method: "OPTIONS",
    url: "/split",
    status: 200,
    allow: ["GET", "HEAD", "OPTIONS", "POST"],
    emptyBody: true,
  },
  { method: "OPTIONS", url: "/ctl/orders/", status: 200, allow: ["OPTIONS", "POST", "PUT"], emptyBody: true },
  { method: "OPTIONS", url: "/i/3", status: 200, allow: ["GET", "HEAD", "OPTIONS"], emptyBody: true },
  // --- automatic HEAD (content-length equality with GET is checked separately below)
  { method: "HEAD", url: "/getonly", status: 200, emptyBody: true },
  { method: "HEAD", url: "/i/42", status: 200, emptyBody: true },
  { method: "HEAD", url: "/nowhere", status: 404, emptyBody: true },
  // --- trailing slash: rule "/slash/" requested as "/slash" → 308 with absolute Location
  { method: "GET", url: "/slash/", status: 200, json: p("slash", {}) },
  { method: "GET", url: "/slash", status: 308, location: "http://localhost/slash/" },
  {
    method: "GET",
    url: "/slash?x=1&y=a%20b",
    status: 308,
    location: "http://localhost/slash/?x=1&y=a%20b",
  },
  { method: "POST", url: "/slash", status: 308, location: "http://localhost/slash/" },
  {
    method: "GET",
    url: "/slash",
    headers: { host: "example.test:8080" },
    status: 308,
    location: "http://example.test:8080/slash/",
  },
  { method: "GET", url: "/dir/bob", status: 308, location: "http://localhost/dir/bob/" },
  { method: "GET", url: "/dir/%C3%A9", status: 308, location: "http://localhost/dir/%C3%A9/" },
  { method: "GET", url: "/dir/bob/", status: 200, json: p("dir", { name: "bob" }) },
  // rule "/noslash" requested as "/noslash/" → 404
  { method: "GET", url: "/noslash", status: 200, json: p("noslash", {}) },
  { method: "GET", url: "/noslash/", status: 404 },
  { method: "GET", url: "/getonly/", status: 404 },
];

describe("routing table (Werkzeug semantics)", () => {
  let app: Flagon;
  beforeAll(async () => {
    app = buildApp();
    await app.ready();
  });

  test.each(rows)("$method $url → $status", async (row) => {
    const res = await app.inject({ method: row.method, url: row.url, headers: row.headers ?? {} });
    expect(res.statusCode).toBe(row.status);
    if (row.json !== undefined) {
      expect(header(res, "content-type")).toMatch(/^application\/json/);
      expect(res.json()).toEqual(row.json);
    }
    if (row.text !== undefined) expect(res.body).toBe(row.text);
    if (row.allow) expect(allowOf(res)).toEqual([...row.allow].sort());
    if (row.location !== undefined) expect(header(res, "location")).toBe(row.location);
    if (row.emptyBody) expect(res.body).toBe("");
  });

  test.each(["/getonly", "/i/42", "/ctl/bob", "/hdr", "/u/" + UUID])(
    "HEAD %s has the same status and headers as GET, and an empty body",
    async (url) => {
      const got = await app.inject({ method: "GET", url });
      const head = await app.inject({ method: "HEAD", url });
      expect(got.statusCode).toBe(200);
      expect(got.body.length).toBeGreaterThan(0);
      expect(head.statusCode).toBe(got.statusCode);
      expect(header(got, "content-length")).toBe(String(Buffer.byteLength(got.body)));
      expect(header(head, "content-length")).toBe(header(got, "content-length"));
      expect(header(head, "content-type")).toBe(header(got, "content-type"));
      expect(head.body).toBe("");
      expect(head.rawBody.length).toBe(0);
    },
  );

  test("HEAD keeps headers the handler set", async () => {
    const head = await app.inject({ method: "HEAD", url: "/hdr" });
    expect(head.statusCode).toBe(200);
    expect(header(head, "x-custom")).toBe("yes");
    expect(head.body).toBe("");
  });

  test("the 405 response for a wrong method is an error page with a body", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/getonly",
      headers: { accept: "application/json" },
    });
    expect(res.statusCode).toBe(405);
    expect(res.json<{ status: number }>().status).toBe(405);
  });

  test("app.routes() lists controller rules with their endpoint names", async () => {
    const routes = app.routes();
    expect(routes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          path: "/ctl/<int:id>",
          endpoint: "Shop.byId",
          methods: expect.arrayContaining(["GET"]),
        }),
        expect.objectContaining({ path: "/ctl", endpoint: "Shop.root" }),
        expect.objectContaining({ path: "/ctl2/", endpoint: "Slashy.index" }),
        expect.objectContaining({
          path: "/split",
          endpoint: "split.post",
          methods: expect.arrayContaining(["POST"]),
        }),
      ]),
    );
  });
});

describe("route registration errors", () => {
  test("the same method + path twice (function routes) → FLAGON_ERR_DUPLICATE_ROUTE", async () => {
    const err = await startupError(() => {
      const app = new Flagon({ logger: false });
      app.get("/d", () => "a", { endpoint: "a" });
      app.get("/d", () => "b", { endpoint: "b" });
      return app;
    });
    expect(err.code).toBe("FLAGON_ERR_DUPLICATE_ROUTE");
  });

  test("a method listed twice across route() and post() → FLAGON_ERR_DUPLICATE_ROUTE", async () => {
    const err = await startupError(() => {
      const app = new Flagon({ logger: false });
      app.route("/d", ["GET", "POST"], () => "a", { endpoint: "a" });
      app.post("/d", () => "b", { endpoint: "b" });
      return app;
    });
    expect(err.code).toBe("FLAGON_ERR_DUPLICATE_ROUTE");
  });

  test("a controller rule clashing with a function rule → FLAGON_ERR_DUPLICATE_ROUTE", async () => {
    @Controller("/dup")
    class Dup {
      @Get("/x")
      x() {
        return "controller";
      }
    }
    const err = await startupError(() => {
      const app = new Flagon({ controllers: [Dup], logger: false });
      app.get("/dup/x", () => "function", { endpoint: "fn" });
      return app;
    });
    expect(err.code).toBe("FLAGON_ERR_DUPLICATE_ROUTE");
  });

  test("the same path with different methods on different handlers merges", async () => {
    @Controller("/merge")
    class Merge {
      @Get("/")
      read() {
        return "read";
      }
    }
    const app = new Flagon({ controllers: [Merge], logger: false });
    app.post("/merge/", () => "write", { endpoint: "write" });
    app.delete("/merge/", () => "remove", { endpoint: "remove" });
    await app.ready(); // must not reject
    expect((await app.inject({ method: "GET", url: "/merge/" })).body).toBe("read");
    expect((await app.inject({ method: "POST", url: "/merge/" })).body).toBe("write");
    expect((await app.inject({ method: "DELETE", url: "/merge/" })).body).toBe("remove");
    const put = await app.inject({ method: "PUT", url: "/merge/" });
    expect(put.statusCode).toBe(405);
    expect(allowOf(put)).toEqual(["DELETE", "GET", "HEAD", "OPTIONS", "POST"]);
  });

  test.each([
    ["unknown converter", "/a/<nope:x>"],
    ["unclosed <", "/a/<x"],
    ["unclosed < with converter", "/a/<int:x"],
    ["empty variable name", "/a/<int:>"],
  ])("bad path syntax (%s: %s) → FLAGON_ERR_BAD_PATH", async (_what, path) => {
    const err = await startupError(() => {
      const app = new Flagon({ logger: false });
      app.get(path, () => "x", { endpoint: "bad" });
      return app;
    });
    expect(err).toBeInstanceOf(FlagonError);
    expect(err.code).toBe("FLAGON_ERR_BAD_PATH");
  });

  test("bad path syntax in a controller decorator → FLAGON_ERR_BAD_PATH", async () => {
    @Controller("/bad")
    class Bad {
      @Get("/<nope:x>")
      x() {
        return "x";
      }
    }
    const err = await startupError(() => new Flagon({ controllers: [Bad], logger: false }));
    expect(err.code).toBe("FLAGON_ERR_BAD_PATH");
  });
});
