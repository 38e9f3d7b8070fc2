import "reflect-metadata";
import { beforeAll, describe, expect, test } from "vitest";
import { Flagon, Controller, Post, Ctx, Context, FlagonError } from "@flagon/core";
import { expectProblem, thrown } from "./helpers.js";

// Request bodies: lazy readers that enforce a byte limit (413), text/bytes/form/stream, and
// config validation of bodyLimit (FLASK-REFERENCE §1.14 MAX_CONTENT_LENGTH, lazily enforced).

const MiB = 1024 * 1024;
const OCTETS = { "content-type": "application/octet-stream", accept: "application/json" };

@Controller("/ctl")
class Limited {
  @Post("/limited", { bodyLimit: 8 })
  async take(@Ctx() ctx: Context) {
    return { len: (await ctx.request.bytes()).length };
  }
}

function addRoutes(app: Flagon): Flagon {
  app.post("/len", async (ctx: Context) => {
    const b = await ctx.request.bytes();
    return { len: b.length, isBuffer: Buffer.isBuffer(b), first: b[0] ?? null };
  });
  app.post("/text", async (ctx: Context) => ({ text: await ctx.request.text() }));
  app.post("/json", async (ctx: Context) => ({ got: await ctx.request.json() }));
  app.post("/form", async (ctx: Context) => {
    const f = await ctx.request.form();
    return {
      a: f.get("a"),
      b: f.getAll("b"),
      c: f.get("c"),
      empty: f.get("e"),
      missing: f.get("zzz") ?? null,
    };
  });
  app.post("/stream", async (ctx: Context) => {
    let bytes = 0;
    let chunks = 0;
    let allBuffers = true;
    for await (const chunk of ctx.request.stream()) {
      chunks += 1;
      bytes += chunk.length;
      allBuffers &&= Buffer.isBuffer(chunk);
    }
    return { bytes, chunks, allBuffers };
  });
  app.post("/ignore", () => "ignored");
  app.post("/small", async (ctx: Context) => ({ len: (await ctx.request.bytes()).length }), { bodyLimit: 5 });
  app.post("/big", async (ctx: Context) => ({ len: (await ctx.request.bytes()).length }), { bodyLimit: 100 });
  return app;
}

describe("default body limit: 1 MiB", () => {
  let app: Flagon;
  beforeAll(async () => {
    app = addRoutes(new Flagon({ controllers: [Limited], logger: false }));
    await app.ready();
  });

  test("exactly 1,048,576 bytes → 200", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/len",
      body: Buffer.alloc(MiB, 0x61),
      headers: OCTETS,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ len: MiB, isBuffer: true, first: 0x61 });
  });

  test("1,048,577 bytes → 413 problem details", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/len",
      body: Buffer.alloc(MiB + 1, 0x61),
      headers: OCTETS,
    });
    expectProblem(res, 413);
  });

  test("text() enforces the limit too", async () => {
    const ok = await app.inject({
      method: "POST",
      url: "/text",
      body: "a".repeat(MiB),
      headers: { "content-type": "text/plain" },
    });
    expect(ok.statusCode).toBe(200);
    const tooBig = await app.inject({
      method: "POST",
      url: "/text",
      body: "a".repeat(MiB + 1),
      headers: { "content-type": "text/plain" },
    });
    expect(tooBig.statusCode).toBe(413);
  });

  test("bodies are lazy: a route that never reads the body answers normally", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/ignore",
      body: Buffer.alloc(2 * MiB, 0x61),
      headers: OCTETS,
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe("ignored");
  });

  test("a per-route bodyLimit lowers the limit for that route only", async () => {
    const at = await app.inject({ method: "POST", url: "/small", body: "12345", headers: OCTETS });
    expect(at.statusCode).toBe(200);
    expect(at.json()).toEqual({ len: 5 });
    expect(
      (await app.inject({ method: "POST", url: "/small", body: "123456", headers: OCTETS })).statusCode,
    ).toBe(413);
    expect(
      (await app.inject({ method: "POST", url: "/len", body: "123456", headers: OCTETS })).statusCode,
    ).toBe(200);
  });

  test("a per-route bodyLimit on a controller route", async () => {
    const ok = await app.inject({ method: "POST", url: "/ctl/limited", body: "12345678", headers: OCTETS });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ len: 8 });
    const tooBig = await app.inject({
      method: "POST",
      url: "/ctl/limited",
      body: "123456789",
      headers: OCTETS,
    });
    expect(tooBig.statusCode).toBe(413);
  });
});

describe("config.bodyLimit per app", () => {
  let app: Flagon;
  beforeAll(async () => {
    app = addRoutes(new Flagon({ controllers: [Limited], config: { bodyLimit: 10 }, logger: false }));
    await app.ready();
  });

  test("limit → 200, limit + 1 → 413", async () => {
    expect(
      (await app.inject({ method: "POST", url: "/len", body: "0123456789", headers: OCTETS })).statusCode,
    ).toBe(200);
    expectProblem(
      await app.inject({ method: "POST", url: "/len", body: "0123456789a", headers: OCTETS }),
      413,
    );
  });

  test("the limit counts bytes, not characters", async () => {
    const small = addRoutes(new Flagon({ config: { bodyLimit: 4 }, logger: false }));
    const ok = await small.inject({
      method: "POST",
      url: "/text",
      body: "éé",
      headers: { "content-type": "text/plain; charset=utf-8" },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ text: "éé" });
    const tooBig = await small.inject({
      method: "POST",
      url: "/text",
      body: "ééa",
      headers: { "content-type": "text/plain; charset=utf-8" },
    });
    expect(tooBig.statusCode).toBe(413);
  });

  test("json() over the limit → 413, not 400", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/json",
      body: JSON.stringify({ long: "x".repeat(50) }),
      headers: { "content-type": "application/json", accept: "application/json" },
    });
    expectProblem(res, 413);
  });

  test("form() over the limit → 413", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/form",
      body: "a=" + "x".repeat(50),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(res.statusCode).toBe(413);
  });

  test("stream() over the limit → 413", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/stream",
      body: Buffer.alloc(20, 1),
      headers: OCTETS,
    });
    expect(res.statusCode).toBe(413);
  });

  test("a route that never reads the body ignores the limit", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/ignore",
      body: Buffer.alloc(100, 1),
      headers: OCTETS,
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe("ignored");
  });

  test("a per-route bodyLimit can raise the app limit", async () => {
    const res = await app.inject({ method: "POST", url: "/big", body: Buffer.alloc(50, 1), headers: OCTETS });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ len: 50 });
    expect(
      (await app.inject({ method: "POST", url: "/big", body: Buffer.alloc(101, 1), headers: OCTETS }))
        .statusCode,
    ).toBe(413);
  });

  test("a per-route bodyLimit on a controller route overrides the app limit", async () => {
    expect(
      (await app.inject({ method: "POST", url: "/ctl/limited", body: "12345678", headers: OCTETS }))
        .statusCode,
    ).toBe(200);
    expect(
      (await app.inject({ method: "POST", url: "/ctl/limited", body: "123456789", headers: OCTETS }))
        .statusCode,
    ).toBe(413);
  });
});

describe("body readers", () => {
  let app: Flagon;
  beforeAll(async () => {
    app = addRoutes(new Flagon({ logger: false }));
    await app.ready();
  });

  test("text() decodes UTF-8", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/text",
      body: "héllo wörld ✓",
      headers: { "content-type": "text/plain; charset=utf-8" },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ text: "héllo wörld ✓" });
  });

  test("bytes() returns the exact bytes as a Buffer", async () => {
    const body = Buffer.from([0, 255, 1, 254, 0x61]);
    const res = await app.inject({ method: "POST", url: "/len", body, headers: OCTETS });
    expect(res.json()).toEqual({ len: 5, isBuffer: true, first: 0 });
  });

  test("bytes() of an empty body is an empty Buffer", async () => {
    const res = await app.inject({ method: "POST", url: "/len", headers: OCTETS });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ len: 0, isBuffer: true, first: null });
  });

  test("form() parses urlencoded bodies, repeated keys via getAll", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/form",
      body: "a=1&b=2&b=3&c=x+y%21&e=",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ a: "1", b: ["2", "3"], c: "x y!", empty: "", missing: null });
  });

  test("form() accepts a charset parameter on the content type", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/form",
      body: "a=%C3%A9",
      headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json<{ a: string }>().a).toBe("é");
  });

  test("stream() yields Buffers covering the whole body", async () => {
    const body = Buffer.alloc(200 * 1024, 7);
    const res = await app.inject({ method: "POST", url: "/stream", body, headers: OCTETS });
    expect(res.statusCode).toBe(200);
    const got = res.json<{ bytes: number; chunks: number; allBuffers: boolean }>();
    expect(got.bytes).toBe(body.length);
    expect(got.chunks).toBeGreaterThanOrEqual(1);
    expect(got.allBuffers).toBe(true);
  });
});

describe("config.bodyLimit validation", () => {
  test.each<[string, unknown]>([
    ["a string", "abc"],
    ["NaN", Number.NaN],
    ["a negative number", -1],
  ])("bodyLimit %s → the constructor throws FLAGON_ERR_INVALID_CONFIG", (_what, value) => {
    const err = thrown(() => new Flagon({ config: { bodyLimit: value as number }, logger: false }));
    expect(err).toBeInstanceOf(FlagonError);
    expect((err as FlagonError).code).toBe("FLAGON_ERR_INVALID_CONFIG");
    expect((err as FlagonError).message).toContain("bodyLimit");
  });

  test("a server timeout of 0 → FLAGON_ERR_INVALID_CONFIG", () => {
    const err = thrown(() => new Flagon({ config: { server: { requestTimeout: 0 } }, logger: false }));
    expect(err).toBeInstanceOf(FlagonError);
    expect((err as FlagonError).code).toBe("FLAGON_ERR_INVALID_CONFIG");
  });

  test("a valid bodyLimit is accepted and exposed on app.config", () => {
    const app = new Flagon({ config: { bodyLimit: 2048 }, logger: false });
    expect(app.config.bodyLimit).toBe(2048);
  });
});
