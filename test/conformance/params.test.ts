import "reflect-metadata";
import { afterEach, beforeAll, describe, expect, test } from "vitest";
import { z } from "zod";
import {
  Flagon,
  Controller,
  Get,
  Post,
  Param,
  Query,
  Body,
  Header,
  Cookie,
  Ctx,
  Context,
} from "@flagon/core";
import { expectProblem, header, problemNames, prototypeKeys } from "./helpers.js";

// Parameter binding through decorators: coercion, Standard Schema validation (zod 4),
// strict JSON bodies and prototype-pollution defences.

const Page = z.coerce.number().int().min(1);

const NewThing = z.object({
  name: z.string().min(1),
  qty: z.number().int(),
  tags: z.array(z.string()).optional(),
});
type NewThing = z.infer<typeof NewThing>;

const FormThing = z.object({ name: z.string().min(1), qty: z.coerce.number().int() });
type FormThing = z.infer<typeof FormThing>;

@Controller("/p")
class Params {
  @Get("/num/<n>")
  num(@Param("n") n: number) {
    return { n, type: typeof n };
  }

  @Get("/q")
  q(@Query("n") n: number) {
    return { n, type: typeof n };
  }

  @Get("/flag")
  flag(@Query("v") v: boolean) {
    return { v, type: typeof v };
  }

  @Get("/str")
  str(@Query("s") s: string) {
    return { s, type: typeof s };
  }

  @Get("/all")
  all(@Query() q: Record<string, unknown>) {
    return { q, keys: Object.keys(q) };
  }

  @Get("/one")
  one(@Query("a") a: string, @Ctx() ctx: Context) {
    return { a, viaCtx: ctx.request.query.get("a") };
  }

  @Get("/page")
  page(@Query("page", Page) page: number) {
    return { page, type: typeof page };
  }

  @Get("/hdr")
  hdr(@Header("x-token") token: string) {
    return { token };
  }

  @Get("/hdr-count")
  hdrCount(@Header("x-count", z.coerce.number().int()) count: number) {
    return { count };
  }

  @Get("/cookie")
  cookie(@Cookie("sid") sid: string) {
    return { sid };
  }

  @Get("/cookie-schema")
  cookieSchema(@Cookie("sid", z.string().length(4)) sid: string) {
    return { sid };
  }

  @Post("/body")
  body(@Body(NewThing) body: NewThing) {
    return { got: body };
  }

  @Post("/raw")
  raw(@Body() body: unknown) {
    return { got: body };
  }

  @Post("/form-or-json")
  formOrJson(@Body(FormThing, { accept: ["json", "form"] }) body: FormThing) {
    return { got: body };
  }
}

function buildApp(): Flagon {
  const app = new Flagon({ controllers: [Params], logger: false });
  app.post("/fn/json", async (ctx: Context) => ({ got: await ctx.request.json() }));
  return app;
}

const JSON_ACCEPT = { accept: "application/json" };

describe("parameter binding", () => {
  let app: Flagon;
  beforeAll(async () => {
    app = buildApp();
    await app.ready();
  });

  const get = (url: string, headers: Record<string, string> = {}) =>
    app.inject({ method: "GET", url, headers: { ...JSON_ACCEPT, ...headers } });
  const postRaw = (url: string, body: string, contentType: string) =>
    app.inject({ method: "POST", url, body, headers: { ...JSON_ACCEPT, "content-type": contentType } });

  describe("coercion of number / boolean typed parameters", () => {
    test("@Param typed number coerces", async () => {
      const res = await get("/p/num/12");
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ n: 12, type: "number" });
    });

    test("@Param typed number that is not a number → 400 naming it", async () => {
      const body = expectProblem(await get("/p/num/abc"), 400);
      expect(problemNames(body, "n")).toBe(true);
    });

    test.each([
      ["12", 12],
      ["-3", -3],
      ["1.5", 1.5],
    ])("@Query typed number: ?n=%s → %s", async (raw, value) => {
      const res = await get(`/p/q?n=${raw}`);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ n: value, type: "number" });
    });

    test.each(["abc", "12abc", ""])("@Query typed number: ?n=%s → 400 problem naming n", async (raw) => {
      const res = await get(`/p/q?n=${raw}`);
      const body = expectProblem(res, 400);
      expect(problemNames(body, "n")).toBe(true);
    });

    test.each([
      ["true", true],
      ["1", true],
      ["yes", true],
      ["on", true],
      ["false", false],
      ["0", false],
      ["no", false],
      ["off", false],
    ])("@Query typed boolean: ?v=%s → %s", async (raw, value) => {
      const res = await get(`/p/flag?v=${raw}`);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ v: value, type: "boolean" });
    });

    test.each(["maybe", "2", "truthy"])("@Query typed boolean: ?v=%s → 400 naming v", async (raw) => {
      const body = expectProblem(await get(`/p/flag?v=${raw}`), 400);
      expect(problemNames(body, "v")).toBe(true);
    });

    test("@Query typed string is not coerced", async () => {
      const res = await get("/p/str?s=12");
      expect(res.json()).toEqual({ s: "12", type: "string" });
    });

    test("the 400 is an HTML page for clients that do not ask for JSON", async () => {
      const res = await app.inject({ url: "/p/q?n=abc", headers: { accept: "text/html" } });
      expect(res.statusCode).toBe(400);
      expect(header(res, "content-type")).toMatch(/^text\/html/);
    });
  });

  describe("query, header, cookie sources", () => {
    test("@Query() without a name gives all args, repeated keys as arrays", async () => {
      const res = await get("/p/all?a=1&b=2&b=3&c=");
      expect(res.statusCode).toBe(200);
      expect(res.json<{ q: unknown }>().q).toEqual({ a: "1", b: ["2", "3"], c: "" });
    });

    test("@Query(name) reads one arg; ctx.request.query.get agrees", async () => {
      const res = await get("/p/one?a=x%20y&a=z");
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ a: "x y", viaCtx: "x y" });
    });

    test("@Header reads a header case-insensitively", async () => {
      const res = await get("/p/hdr", { "X-Token": "tok-1" });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ token: "tok-1" });
    });

    test("@Header with a schema: failure → 400 with location header", async () => {
      expect((await get("/p/hdr-count", { "x-count": "7" })).json()).toEqual({ count: 7 });
      const body = expectProblem(await get("/p/hdr-count", { "x-count": "seven" }), 400);
      expect(body.errors).toEqual(
        expect.arrayContaining([expect.objectContaining({ location: "header", name: "x-count" })]),
      );
    });

    test("@Cookie reads a cookie (inject cookies option and raw Cookie header)", async () => {
      const a = await app.inject({ url: "/p/cookie", cookies: { sid: "s1" } });
      expect(a.json()).toEqual({ sid: "s1" });
      const b = await get("/p/cookie", { cookie: "other=x; sid=s2" });
      expect(b.json()).toEqual({ sid: "s2" });
    });

    test("@Cookie with a schema: failure → 400 with location cookie", async () => {
      expect((await get("/p/cookie-schema", { cookie: "sid=abcd" })).json()).toEqual({ sid: "abcd" });
      const body = expectProblem(await get("/p/cookie-schema", { cookie: "sid=toolong" }), 400);
      expect(body.errors).toEqual(
        expect.arrayContaining([expect.objectContaining({ location: "cookie", name: "sid" })]),
      );
    });
  });

  describe("zod schemas", () => {
    test("query schema: z.coerce.number().int().min(1) converts valid values", async () => {
      const res = await get("/p/page?page=3");
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ page: 3, type: "number" });
    });

    test.each(["0", "abc", "1.5"])(
      "query schema failure (?page=%s) → 400 with location query",
      async (raw) => {
        const body = expectProblem(await get(`/p/page?page=${raw}`), 400);
        expect(body.errors?.[0]).toEqual(expect.objectContaining({ location: "query", name: "page" }));
        expect(typeof body.errors?.[0]?.message).toBe("string");
      },
    );

    test("a valid JSON body is parsed and validated", async () => {
      const res = await postRaw("/p/body", JSON.stringify({ name: "a", qty: 2 }), "application/json");
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ got: { name: "a", qty: 2 } });
    });

    test("inject's json option sends a JSON body", async () => {
      const res = await app.inject({ method: "POST", url: "/p/body", json: { name: "b", qty: 1 } });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ got: { name: "b", qty: 1 } });
    });

    test("a body failing its schema → 422 with body errors and paths", async () => {
      const res = await postRaw(
        "/p/body",
        JSON.stringify({ name: "", qty: 1.5, tags: ["ok", 7] }),
        "application/json",
      );
      const body = expectProblem(res, 422);
      const errors = body.errors ?? [];
      expect(errors.length).toBeGreaterThanOrEqual(3);
      for (const e of errors) {
        expect(e.location).toBe("body");
        expect(Array.isArray(e.path)).toBe(true);
        expect(typeof e.message).toBe("string");
      }
      const paths = errors.map((e) => e.path);
      expect(paths).toEqual(expect.arrayContaining([["name"], ["qty"], ["tags", 1]]));
    });

    test.each([
      ["an empty object", "{}"],
      ["a JSON string", '"hello"'],
      ["a JSON array", "[1,2]"],
      ["null", "null"],
    ])("a body that parses but is %s → 422", async (_what, raw) => {
      expectProblem(await postRaw("/p/body", raw, "application/json"), 422);
    });
  });

  describe("JSON body strictness", () => {
    test.each([
      ["malformed JSON", '{"name":'],
      ["trailing garbage", '{"name":"a","qty":1} x'],
      ["an empty body", ""],
    ])("%s → 400", async (_what, raw) => {
      expectProblem(await postRaw("/p/body", raw, "application/json"), 400);
    });

    test.each([
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=xyz",
      "application/jsonx",
      "text/json-ish",
    ])("content type %s on a JSON body route → 415", async (type) => {
      const res = await postRaw("/p/body", JSON.stringify({ name: "a", qty: 1 }), type);
      expectProblem(res, 415);
    });

    test("no content type on a JSON body route → 415", async () => {
      const res = await app.inject({
        method: "POST",
        url: "/p/body",
        body: JSON.stringify({ name: "a", qty: 1 }),
        headers: JSON_ACCEPT,
      });
      expect(res.statusCode).toBe(415);
    });

    test.each([
      "application/json",
      "application/json; charset=utf-8",
      "application/vnd.api+json",
      "APPLICATION/JSON",
    ])("content type %s is accepted", async (type) => {
      const res = await postRaw("/p/body", JSON.stringify({ name: "a", qty: 1 }), type);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ got: { name: "a", qty: 1 } });
    });

    test("ctx.request.json() applies the same rules in a function route", async () => {
      expect((await postRaw("/fn/json", '{"a":[1,2]}', "application/json")).json()).toEqual({
        got: { a: [1, 2] },
      });
      expect((await postRaw("/fn/json", "{", "application/json")).statusCode).toBe(400);
      expect((await postRaw("/fn/json", '{"a":1}', "text/plain")).statusCode).toBe(415);
    });
  });

  describe("@Body(schema, { accept: ['json', 'form'] })", () => {
    test("accepts urlencoded", async () => {
      const res = await postRaw("/p/form-or-json", "name=widget&qty=2", "application/x-www-form-urlencoded");
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ got: { name: "widget", qty: 2 } });
    });

    test("accepts urlencoded with + and percent escapes", async () => {
      const res = await postRaw(
        "/p/form-or-json",
        "name=big+red%21&qty=3",
        "application/x-www-form-urlencoded",
      );
      expect(res.json()).toEqual({ got: { name: "big red!", qty: 3 } });
    });

    test("still accepts JSON", async () => {
      const res = await postRaw(
        "/p/form-or-json",
        JSON.stringify({ name: "w", qty: "4" }),
        "application/json",
      );
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ got: { name: "w", qty: 4 } });
    });

    test("rejects text/plain with 415", async () => {
      expect((await postRaw("/p/form-or-json", "name=w&qty=1", "text/plain")).statusCode).toBe(415);
    });

    test("a form failing the schema → 422", async () => {
      const res = await postRaw("/p/form-or-json", "name=&qty=x", "application/x-www-form-urlencoded");
      const body = expectProblem(res, 422);
      expect(body.errors?.every((e) => e.location === "body")).toBe(true);
    });
  });

  describe("prototype pollution", () => {
    const before = prototypeKeys();
    afterEach(() => {
      expect(prototypeKeys()).toEqual(before);
      expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
      expect(({} as Record<string, unknown>)["x"]).toBeUndefined();
    });

    const attacks: Array<[string, string]> = [
      ["__proto__ key", '{"__proto__": {"polluted": "yes"}}'],
      ["constructor.prototype", '{"constructor": {"prototype": {"polluted": "yes"}}}'],
      ["escaped \\u005f\\u005fproto__ key", '{"\\u005f\\u005fproto__": {"polluted": "yes"}}'],
      ["__proto__ nested inside arrays", '[{"a": [{"ok": 1}, {"__proto__": {"polluted": "yes"}}]}]'],
      ["constructor.prototype nested", '{"a": {"b": [{"constructor": {"prototype": {"polluted": "yes"}}}]}}'],
    ];

    test.each(attacks)("JSON body with %s → 400 (@Body)", async (_what, raw) => {
      expectProblem(await postRaw("/p/raw", raw, "application/json"), 400);
    });

    test.each(attacks)("JSON body with %s → 400 (ctx.request.json())", async (_what, raw) => {
      expectProblem(await postRaw("/fn/json", raw, "application/json"), 400);
    });

    test("a harmless 'constructor' key is still fine", async () => {
      const res = await postRaw("/p/raw", '{"constructor": "x", "proto": 1}', "application/json");
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ got: { constructor: "x", proto: 1 } });
    });

    test("query ?__proto__[x]=1&__proto__=y&a=1 is ignored, a still readable (@Query())", async () => {
      const res = await get("/p/all?__proto__[x]=1&__proto__=y&a=1");
      expect(res.statusCode).toBe(200);
      const body = res.json<{ q: Record<string, unknown>; keys: string[] }>();
      expect(body.q["a"]).toBe("1");
      expect(body.keys).not.toContain("__proto__");
      expect(Object.prototype.hasOwnProperty.call(body.q, "__proto__")).toBe(false);
    });

    test("query ?__proto__[x]=1&__proto__=y&a=1 is ignored, a still readable (@Query('a'))", async () => {
      const res = await get("/p/one?__proto__[x]=1&__proto__=y&a=1");
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ a: "1", viaCtx: "1" });
    });

    test("urlencoded form with __proto__ does not pollute", async () => {
      const res = await postRaw(
        "/p/form-or-json",
        "__proto__[polluted]=yes&__proto__=y&constructor[prototype][polluted]=yes&name=w&qty=1",
        "application/x-www-form-urlencoded",
      );
      expect([200, 400]).toContain(res.statusCode);
    });
  });
});
