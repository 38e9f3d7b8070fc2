import "reflect-metadata";
// RELIABILITY rows 4–5 through the whole app: JSON prototype poisoning (a corpus and a
// fast-check property over 10,000 generated trees, sent to a route with @Body(schema), one with
// @Body() and one calling ctx.request.json()), and query/urlencoded pollution PoCs (qs-style
// brackets, dot notation, 100 kB of `&`, 10,000 parameters) with the parse time of a 100 kB
// worst case. Also proven elsewhere: core/src/http/body.test.ts (parseJson corpus and two
// 1,000-run properties), core/src/http/query-args.test.ts, core/src/http/cookies.test.ts.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Body, Controller, Ctx, Context, Flagon, Post, Get, Query, QueryArgs } from "@flagon/core";
import { z } from "zod";
import { figure, ms, timeIt, timeItAsync } from "./helpers.js";

const prototypeNames = Object.getOwnPropertyNames(Object.prototype).sort();

/** Object.prototype has exactly the properties it had when the suite started, and no more. */
function expectPrototypeClean(): void {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeNames);
  expect(Object.keys(Object.prototype)).toEqual([]);
  const probe = {} as Record<string, unknown>;
  for (const name of ["polluted", "x", "b", "admin", "isAdmin", "length"])
    expect(probe[name]).toBeUndefined();
}

const Loose = z.looseObject({});

@Controller("/c")
class Bodies {
  @Post("/schema")
  schema(@Body(Loose) body: Record<string, unknown>) {
    return { keys: Object.keys(body), proto: Object.getPrototypeOf(body) === Object.prototype };
  }

  @Post("/raw")
  raw(@Body() body: unknown) {
    return { body };
  }

  @Post("/form")
  form(
    @Body(z.record(z.string(), z.union([z.string(), z.array(z.string())])), { accept: ["form"] })
    body: unknown,
  ) {
    // zod builds its own output object; what matters is that no key reached a prototype.
    const proto: unknown = Object.getPrototypeOf(body);
    return { keys: Object.keys(body as object), plain: proto === null || proto === Object.prototype };
  }

  @Get("/query")
  query(@Query() all: Record<string, unknown>, @Ctx() ctx: Context) {
    return { keys: Object.keys(all), proto: Object.getPrototypeOf(all), size: ctx.request.query.size };
  }
}

let app: Flagon;
beforeAll(async () => {
  app = new Flagon({ controllers: [Bodies], logger: false, configFile: false, config: { env: "test" } });
  app.post("/json", async (ctx: Context) => ({ got: await ctx.request.json() }));
  app.post("/urlencoded", async (ctx: Context) => {
    const form = await ctx.request.form();
    const merged = Object.assign({}, form.toObject()) as Record<string, unknown>;
    return { keys: [...form.keys()], mergedProto: Object.getPrototypeOf(merged) === Object.prototype };
  });
  await app.ready();
});
afterAll(() => expectPrototypeClean());

const postJson = (url: string, text: string) =>
  app.inject({
    method: "POST",
    url,
    body: text,
    headers: { "content-type": "application/json", accept: "application/json" },
  });

describe("row 4 — JSON prototype poisoning", () => {
  const corpus: Array<[string, string]> = [
    ["plain __proto__", '{"__proto__":{"polluted":true}}'],
    ["nested __proto__", '{"a":{"b":{"c":{"__proto__":{"polluted":true}}}}}'],
    ["escaped \\u005f\\u005fproto__", '{"\\u005f\\u005fproto__":{"polluted":true}}'],
    ["escaped, upper-case hex", '{"\\u005F\\u005Fproto\\u005F\\u005F":{"polluted":true}}'],
    ["every letter escaped", '{"\\u005f\\u005f\\u0070\\u0072\\u006f\\u0074\\u006f\\u005f\\u005f":{"x":1}}'],
    ["inside an array", '[{"__proto__":{"polluted":true}}]'],
    ["deep inside arrays", '{"a":[1,[2,[{"__proto__":{"polluted":true}}]]]}'],
    ["BOM-prefixed", '\ufeff{"__proto__":{"polluted":true}}'],
    ["whitespace around the key", '{ \n\t"__proto__" \r\n: {"polluted":true} }'],
    ["after a legitimate key", '{"a":1,"__proto__":{"isAdmin":true}}'],
    ["__proto__ with a primitive value", '{"__proto__":null}'],
    ["constructor.prototype", '{"constructor":{"prototype":{"polluted":true}}}'],
    ["nested constructor.prototype", '{"user":{"constructor":{"prototype":{"isAdmin":true}}}}'],
    ["escaped constructor", '{"\\u0063onstructor":{"prototype":{"polluted":true}}}'],
    ["escaped prototype", '{"constructor":{"\\u0070rototype":{"polluted":true}}}'],
    ["constructor.prototype in an array", '[{"x":{"constructor":{"prototype":{"polluted":true}}}}]'],
  ];

  it.each(corpus)("%s → 400 on every JSON route", async (_name, text) => {
    for (const url of ["/json", "/c/schema", "/c/raw"]) {
      const res = await postJson(url, text);
      expect(res.statusCode, `${url} ${text}`).toBe(400);
      expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    }
    expectPrototypeClean();
  });

  it("a BOM-prefixed body without forbidden keys is read (the BOM is skipped)", async () => {
    const res = await postJson("/json", '\ufeff{"a":1}');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ got: { a: 1 } });
  });

  it("constructor without prototype, and prototype alone, are ordinary keys", async () => {
    const res = await postJson("/json", '{"constructor":{"name":"x"},"prototype":1,"__proto":2,"proto__":3}');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ got: { constructor: { name: "x" }, prototype: 1, __proto: 2, proto__: 3 } });
  });

  it("property: 10,000 generated trees through the app — forbidden keys → 400, others round-trip", async () => {
    // Trees are written as JSON text directly, so that keys like __proto__ reach the wire as
    // data (an object literal would treat them as its prototype).
    type Tree = null | boolean | number | string | { arr: Tree[] } | { obj: Array<[string, Tree]> };
    const keyText = fc.oneof(
      { weight: 6, arbitrary: fc.string({ maxLength: 6 }).map((k) => ({ raw: JSON.stringify(k), key: k })) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          { raw: '"__proto__"', key: "__proto__" },
          { raw: '"\\u005f\\u005fproto__"', key: "__proto__" },
          { raw: '"__pr\\u006fto__"', key: "__proto__" },
          { raw: '"constructor"', key: "constructor" },
          { raw: '"\\u0063onstructor"', key: "constructor" },
          { raw: '"prototype"', key: "prototype" },
          { raw: '"pr\\u006ftotype"', key: "prototype" },
        ),
      },
    );
    const { tree } = fc.letrec<{ tree: { text: string; value: Tree } }>((tie) => ({
      tree: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        fc.oneof(fc.constant(null), fc.boolean(), fc.integer(), fc.string({ maxLength: 8 })).map((v) => ({
          text: JSON.stringify(v),
          value: v,
        })),
        fc.array(tie("tree"), { maxLength: 4 }).map((items) => ({
          text: `[${items.map((i) => i.text).join(",")}]`,
          value: { arr: items.map((i) => i.value) },
        })),
        fc.array(fc.tuple(keyText, tie("tree")), { maxLength: 4 }).map((entries) => ({
          text: `{${entries.map(([k, v]) => `${k.raw}:${v.text}`).join(",")}}`,
          value: { obj: entries.map(([k, v]) => [k.key, v.value] as [string, Tree]) },
        })),
      ),
    }));
    /**
     * Mirrors the rule on the parsed value: a __proto__ key, or a constructor object with a
     * prototype key. With duplicate keys the last one wins, as in JSON.parse.
     */
    const members = (entries: Array<[string, Tree]>): Map<string, Tree> => new Map(entries);
    const forbidden = (t: Tree): boolean => {
      if (t === null || typeof t !== "object") return false;
      if ("arr" in t) return t.arr.some(forbidden);
      const own = members(t.obj);
      if (own.has("__proto__")) return true;
      const ctor = own.get("constructor");
      if (ctor !== null && typeof ctor === "object" && ctor !== undefined && "obj" in ctor) {
        if (members(ctor.obj).has("prototype")) return true;
      }
      return [...own.values()].some(forbidden);
    };
    let runs = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(tree, fc.constantFrom("/json", "/c/raw"), async ({ text, value }, url) => {
        const res = await postJson(url, text);
        runs += 1;
        if (forbidden(value)) {
          refused += 1;
          expect(res.statusCode).toBe(400);
        } else {
          expect(res.statusCode).toBe(200);
          const key = url === "/json" ? "got" : "body";
          expect(JSON.stringify(res.json<Record<string, unknown>>()[key])).toBe(
            JSON.stringify(JSON.parse(text)),
          );
        }
        expect(Object.keys(Object.prototype)).toEqual([]);
      }),
      { numRuns: 10_000 },
    );
    figure(
      "row 4",
      "fast-check trees through the app",
      `${runs} trees, ${refused} poisoned → 400, 0 pollution`,
    );
    expect(runs).toBeGreaterThanOrEqual(10_000);
    expect(refused).toBeGreaterThan(100);
    expectPrototypeClean();
  }, 120_000);
});

describe("row 5 — query and urlencoded pollution PoCs", () => {
  const pocs: Array<[string, string]> = [
    ["qs brackets __proto__[x]=1", "__proto__[x]=1&__proto__[polluted]=true"],
    ["a[__proto__][b]=1", "a[__proto__][b]=1"],
    ["constructor[prototype][x]=1", "constructor[prototype][x]=1&a[constructor][prototype][isAdmin]=1"],
    ["bare __proto__=x", "__proto__=x&__proto__=y"],
    ["dot notation __proto__.x (Hono)", "__proto__.x=1&a.__proto__.polluted=true&constructor.prototype.x=1"],
    ["CVE-2022-24999 (qs array length)", "a[__proto__]=b&a[__proto__]&a[length]=100000000"],
    ["CVE-2024-45590 (deep nesting)", `a${"[a]".repeat(2000)}=1`],
    ["CVE-2025-15284 (arrayLimit bypass)", Array.from({ length: 2000 }, (_, i) => `a[${i}]=x`).join("&")],
    ["CVE-2026-2391 (comma and bracket mix)", `a=${"x,".repeat(5000)}&a[]=1&a[0][__proto__][x]=1`],
    ["encoded brackets", "%5F%5Fproto%5F%5F%5Bx%5D=1&__proto__%5Bpolluted%5D=1"],
  ];

  it.each(pocs)("%s → flat keys, null-prototype objects, no pollution", async (_name, pairs) => {
    const query = await app.inject({ url: `/c/query?${pairs}` });
    expect(query.statusCode).toBe(200);
    expect(query.json<{ proto: unknown }>().proto).toBeNull();
    const form = await app.inject({
      method: "POST",
      url: "/c/form",
      body: pairs,
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(form.statusCode).toBe(200);
    expect(form.json<{ plain: boolean }>().plain).toBe(true);
    const merged = await app.inject({
      method: "POST",
      url: "/urlencoded",
      body: pairs,
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(merged.statusCode).toBe(200);
    expect(merged.json<{ mergedProto: boolean }>().mergedProto).toBe(true);
    // Keys are literal text: nothing was expanded into nested objects.
    for (const res of [query, form]) {
      for (const key of res.json<{ keys: string[] }>().keys) expect(typeof key).toBe("string");
    }
    expectPrototypeClean();
  });

  it("toObject() drops a __proto__ key, keeps bracketed ones as literal keys", () => {
    const obj = new QueryArgs("__proto__=1&__proto__[x]=2&a.__proto__.b=3").toObject();
    expect(Object.getPrototypeOf(obj)).toBeNull();
    expect(Object.keys(obj)).toEqual(["__proto__[x]", "a.__proto__.b"]);
    expectPrototypeClean();
  });

  it(
    "100 kB of `&`, 10,000 parameters, and other 100 kB worst cases: parse p99 < 25 ms",
    { timeout: 60_000 },
    async () => {
      const size = 100 * 1024;
      const cases: Record<string, string> = {
        "100 kB of &": "&".repeat(size),
        "10,000 parameters": Array.from({ length: 10_000 }, (_, i) => `p${i}=${i}`)
          .join("&")
          .slice(0, size),
        "100 kB of one repeated key": "a=1&".repeat(size / 4),
        "100 kB of __proto__[x]=1": "__proto__[x]=1&".repeat(Math.floor(size / 15)),
        "100 kB of percent escapes": `a=${"%41".repeat(Math.floor(size / 3))}`,
        "100 kB of broken escapes": `a=${"%%".repeat(size / 2)}`,
        "100 kB of =": "=".repeat(size),
        "100 kB nested brackets": `a${"[a]".repeat(Math.floor(size / 3))}=1`,
      };
      // Quiet runs measure 3–8 ms for the worst case (10,000 distinct keys: building the map and
      // the object dominates). The bound catches what this row is about — work that grows faster
      // than the input, which costs seconds on 100 kB — and not a CI machine busy with other suites.
      let worst = 0;
      for (const [name, text] of Object.entries(cases)) {
        const timing = timeIt(() => new QueryArgs(text).toObject(), { samples: 40, boundMs: 25, rounds: 10 });
        worst = Math.max(worst, timing.p99);
        figure(
          "row 5",
          `QueryArgs parse + toObject, ${name}`,
          `p50 ${ms(timing.p50)}, p99 ${ms(timing.p99)}`,
        );
        expect(timing.p99, name).toBeLessThan(25);
      }
      // The same through a whole request: a 100 kB urlencoded body of 10,000 parameters.
      const body = Array.from({ length: 10_000 }, (_, i) => `p${i}=${i}`).join("&");
      const request = await timeItAsync(
        () =>
          app.inject({
            method: "POST",
            url: "/c/form",
            body,
            headers: { "content-type": "application/x-www-form-urlencoded" },
          }),
        { samples: 30, boundMs: 50 },
      );
      const res = await app.inject({
        method: "POST",
        url: "/c/form",
        body,
        headers: { "content-type": "application/x-www-form-urlencoded" },
      });
      expect(res.json<{ keys: string[] }>().keys).toHaveLength(10_000);
      figure("row 5", "parse p99, worst 100 kB case", ms(worst));
      figure(
        "row 5",
        `whole request, ${(body.length / 1024).toFixed(0)} kB form of 10,000 parameters → @Body(schema)`,
        `p50 ${ms(request.p50)}, p99 ${ms(request.p99)}`,
      );
      expectPrototypeClean();
    },
  );
});
