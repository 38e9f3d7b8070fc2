import "reflect-metadata";
// Seam 2 of issue 10: body parsers from plugins (app.addBodyParser), ctx.body() and reading a
// body twice, through the public API only. A real text/csv parser and a stand-in multipart
// parser are written on the seam (body-parser-plugins.ts). The parser is chosen by the one strict
// media-type parser and that same type is checked against the route's accept list (RELIABILITY
// rows 6 and 7); limits are the route's, else the parser's, else config.bodyLimit; a route that
// accepts a type nobody parses fails at ready(). Socket-level limits and aborts:
// test/socket/body-parsers.test.ts.
import type { StandardSchemaV1 } from "@standard-schema/spec";
import { describe, expect, test } from "vitest";
import {
  Body,
  type Context,
  Controller,
  Ctx,
  Flagon,
  FlagonError,
  type FlagonOptions,
  Post,
  UseHooks,
} from "@flagon/core";
import type { InjectOptions } from "@flagon/core/testing";
import { z } from "zod";
import { csvPlugin, multipartBody, multipartPlugin, type Recorder, recorder } from "./body-parser-plugins.js";

const JSON_CLIENT = { accept: "application/json" };
const CSV = "text/csv";

/** Every value the recorded schema validated. */
const validated: unknown[] = [];
const Rows = z.array(z.array(z.string()));
const RecordedRows: StandardSchemaV1<unknown, string[][]> = {
  "~standard": {
    version: 1,
    vendor: "flagon-test",
    validate(value) {
      validated.push(value);
      return Rows["~standard"].validate(value);
    },
  },
};
const Upload = z.object({ title: z.string().min(1) });

/** What a preHandler got from ctx.body(), to compare with the handler's @Body. */
const shared = new WeakMap<Context, unknown>();

@Controller("/b")
class Bodies {
  @Post("/csv")
  csv(@Body(undefined, { accept: ["csv"] }) rows: string[][]) {
    return { rows };
  }

  @Post("/csv-validated")
  validated(@Body(RecordedRows, { accept: [CSV] }) rows: string[][]) {
    return { rows };
  }

  @Post("/csv-small", { bodyLimit: 10 })
  small(@Body(undefined, { accept: ["csv"] }) rows: string[][]) {
    return { rows };
  }

  @Post("/csv-large", { bodyLimit: 200 })
  large(@Body(undefined, { accept: ["csv"] }) rows: string[][]) {
    return { count: rows.length };
  }

  @Post("/upload")
  upload(@Body(Upload, { accept: ["multipart"] }) fields: z.infer<typeof Upload>) {
    return { fields };
  }

  @Post("/json")
  json(@Body(z.object({ name: z.string() })) body: { name: string }) {
    return { body };
  }

  @Post("/either")
  either(@Body(undefined, { accept: ["json", "form", "multipart", "csv"] }) body: unknown) {
    return { body };
  }
}

/** The shared-parse route, whose handler reports whether the hook's value is the @Body value. */
@Controller("/s")
class Shared {
  @UseHooks({
    preHandler: async (ctx: Context) => {
      shared.set(ctx, await ctx.body());
    },
  })
  @Post("/")
  index(@Body(undefined, { accept: ["csv", "form"] }) body: unknown, @Ctx() ctx: Context) {
    return { body, same: shared.get(ctx) === body };
  }
}

interface Apps {
  app: Flagon;
  csv: Recorder;
  multipart: Recorder;
}

async function makeApp(options: { csvLimit?: number; config?: FlagonOptions["config"] } = {}): Promise<Apps> {
  const csv = recorder();
  const multipart = recorder();
  const app = new Flagon({
    controllers: [Bodies, Shared],
    plugins: [csvPlugin(csv, { limit: options.csvLimit ?? 64 }), multipartPlugin(multipart)],
    logger: false,
    configFile: false,
    config: options.config,
  });
  await app.ready();
  return { app, csv, multipart };
}

function post(
  url: string,
  body: string,
  contentType?: string,
  extra: Record<string, string> = {},
): InjectOptions {
  const headers: Record<string, string> = { ...JSON_CLIENT, ...extra };
  if (contentType !== undefined) headers["content-type"] = contentType;
  return { method: "POST", url, body, headers };
}

describe("a parser from a plugin", () => {
  test("text/csv: @Body(accept: ['csv']) gets the parsed rows; its name and media type both work", async () => {
    const { app, csv } = await makeApp();
    const body = 'name,note\r\nada,"likes ""engines"", a lot"\n';
    const res = await app.inject(post("/b/csv", body, CSV));
    expect(res.json()).toEqual({
      rows: [
        ["name", "note"],
        ["ada", 'likes "engines", a lot'],
      ],
    });
    const typed = await app.inject(post("/b/csv-validated", "a,b", "text/csv; charset=utf-8"));
    expect(typed.json()).toEqual({ rows: [["a", "b"]] });
    expect(csv.calls.map((c) => c.mediaType)).toEqual([
      { type: "text/csv", parameters: {} },
      { type: "text/csv", parameters: { charset: "utf-8" } },
    ]);
  });

  test("the declared charset reaches the parser (latin1 CSV)", async () => {
    const { app } = await makeApp();
    const res = await app.inject({
      method: "POST",
      url: "/b/csv",
      body: Buffer.from("caf\xe9,1", "latin1"),
      headers: { "content-type": "text/csv; charset=iso-8859-1" },
    });
    expect(res.json()).toEqual({ rows: [["café", "1"]] });
  });

  test("multipart: accept ['multipart'] means multipart/form-data; the schema still validates (422)", async () => {
    const { app, multipart } = await makeApp();
    const ok = await app.inject(
      post("/b/upload", multipartBody({ title: "hello" }), "multipart/form-data; boundary=XyZ"),
    );
    expect(ok.json()).toEqual({ fields: { title: "hello" } });
    const bad = await app.inject(
      post("/b/upload", multipartBody({ title: "" }), "multipart/form-data; boundary=XyZ"),
    );
    expect(bad.statusCode).toBe(422);
    expect(multipart.calls).toHaveLength(2);
  });

  test("a parser's HttpError is its response, as problem details", async () => {
    const { app } = await makeApp();
    const res = await app.inject(post("/b/upload", "x", "multipart/form-data"));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ status: 400, detail: "multipart body without a boundary" });
    const csv = await app.inject(post("/b/csv", '"open', CSV));
    expect(csv.json()).toMatchObject({ status: 400, detail: "invalid CSV: a quoted field is not closed" });
  });

  test("the parser gets ctx.signal and the limit in force", async () => {
    const csv = recorder();
    const app = new Flagon({ logger: false, configFile: false, plugins: [csvPlugin(csv, { limit: 64 })] });
    app.post("/sig", async (ctx) => {
      await ctx.body(["csv"]);
      return { same: csv.calls[0]?.signal === ctx.signal, aborted: ctx.signal.aborted };
    });
    expect((await app.inject(post("/sig", "a", CSV))).json()).toEqual({ same: true, aborted: false });
    expect(csv.calls[0]?.limit).toBe(64);
  });

  test("one route accepts several types; each goes to its own parser", async () => {
    const { app } = await makeApp();
    const cases: Array<[string, string, unknown]> = [
      ['{"a":1}', "application/json", { a: 1 }],
      ["a=1&a=2", "application/x-www-form-urlencoded", { a: ["1", "2"] }],
      [multipartBody({ a: "1" }), "multipart/form-data; boundary=XyZ", { a: "1" }],
      ["a,1", CSV, [["a", "1"]]],
    ];
    for (const [body, type, expected] of cases) {
      expect((await app.inject(post("/b/either", body, type))).json()).toEqual({ body: expected });
    }
  });
});

describe("the media type that chose the parser is the one validated (RELIABILITY rows 6, 7)", () => {
  // Either a 415 before the parser runs, or the parser saw text/csv and the schema validated it.
  const variants: Array<[string | undefined, "415" | "ok" | "either"]> = [
    ["text/csv", "ok"],
    ["TEXT/CSV", "ok"],
    ["Text/Csv; Charset=UTF-8", "ok"],
    ['text/csv; charset="utf-8"', "ok"],
    ["text/csv; header=present", "ok"],
    ["text/csv;", "either"],
    ["text/csv ;charset=utf-8", "either"],
    ["text/csv\t", "either"],
    [" text/csv", "either"],
    ["text/csvx", "415"],
    ["text/csv+json", "415"],
    ["text/ csv", "415"],
    ["text /csv", "415"],
    ["text/csv garbage", "415"],
    ["text/csv, text/plain", "415"],
    ['text/csv; charset="utf-8', "415"],
    ["text/plain", "415"],
    ["application/json", "415"],
    ["application/x-www-form-urlencoded", "415"],
    ["multipart/form-data; boundary=XyZ", "415"],
    ["", "415"],
    [undefined, "415"],
  ];

  test.each(variants)("Content-Type %j → %s", async (type, expected) => {
    const { app, csv } = await makeApp();
    validated.length = 0;
    const res = await app.inject(post("/b/csv-validated", "a,b", type));
    if (expected === "415" || (expected === "either" && res.statusCode === 415)) {
      expect(res.statusCode).toBe(415);
      expect(csv.calls).toEqual([]);
      expect(validated).toEqual([]);
      return;
    }
    expect(res.statusCode).toBe(200);
    expect(csv.calls.map((c) => c.mediaType.type)).toEqual(["text/csv"]);
    expect(validated).toEqual([[["a", "b"]]]);
  });

  test("a JSON-only route refuses CSV, text/plain, form and multipart with 415, even with parsers registered", async () => {
    const { app, csv, multipart } = await makeApp();
    const plain = recorder();
    const withPlain = new Flagon({
      controllers: [Bodies, Shared],
      plugins: [csvPlugin(csv), multipartPlugin(multipart)],
      logger: false,
      configFile: false,
    });
    withPlain.addBodyParser("text/plain", () => {
      plain.calls.push({
        mediaType: { type: "text/plain", parameters: {} },
        limit: 0,
        signal: new AbortController().signal,
      });
      return "parsed";
    });
    for (const target of [app, withPlain]) {
      for (const [body, type] of [
        ["a,b", CSV],
        ['{"name":"x"}', "text/plain"],
        ["name=x", "application/x-www-form-urlencoded"],
        [multipartBody({ name: "x" }), "multipart/form-data; boundary=XyZ"],
      ] as const) {
        const res = await target.inject(post("/b/json", body, type));
        expect(res.statusCode, type).toBe(415);
        expect(res.json()).toMatchObject({ detail: `expected application/json, got ${type.split(";")[0]}` });
      }
    }
    expect([csv.calls, multipart.calls, plain.calls]).toEqual([[], [], []]);
  });

  test("a compressed body is a 415 before the parser runs", async () => {
    const { app, csv } = await makeApp();
    const res = await app.inject(post("/b/csv", "a", CSV, { "content-encoding": "gzip" }));
    expect(res.statusCode).toBe(415);
    expect(csv.calls).toEqual([]);
  });
});

describe("limits: the route's bodyLimit, else the parser's limit, else config.bodyLimit", () => {
  const row = (n: number): string => "x".repeat(n);

  test("the parser's limit: limit bytes pass, one more is a 413 before the parser is called", async () => {
    const { app, csv } = await makeApp({ csvLimit: 64 });
    expect((await app.inject(post("/b/csv", row(64), CSV))).statusCode).toBe(200);
    const over = await app.inject(post("/b/csv", row(65), CSV));
    expect(over.statusCode).toBe(413);
    expect(over.json()).toMatchObject({ detail: "request body is larger than the limit of 64 bytes" });
    expect(csv.calls).toHaveLength(1); // the declared length refused the second before a byte was read
  });

  test("a body longer than its declared length is cut by the stream at the limit (413 seen by the parser)", async () => {
    const { app, csv } = await makeApp({ csvLimit: 64 });
    const res = await app.inject(post("/b/csv", row(100), CSV, { "content-length": "10" }));
    expect(res.statusCode).toBe(413);
    expect(csv.calls.map((c) => c.outcome)).toEqual(["413"]);
  });

  test("the route's own bodyLimit wins, smaller or larger than the parser's", async () => {
    const { app, csv } = await makeApp({ csvLimit: 64 });
    expect((await app.inject(post("/b/csv-small", row(11), CSV))).statusCode).toBe(413);
    expect((await app.inject(post("/b/csv-small", row(10), CSV))).statusCode).toBe(200);
    expect((await app.inject(post("/b/csv-large", row(200), CSV))).statusCode).toBe(200);
    expect((await app.inject(post("/b/csv-large", row(201), CSV))).statusCode).toBe(413);
    expect(csv.calls.map((c) => c.limit)).toEqual([10, 200]);
  });

  test("without either, config.bodyLimit", async () => {
    const seen: number[] = [];
    const app = new Flagon({ logger: false, configFile: false, config: { bodyLimit: 20 } });
    app.addBodyParser("text/plain", ({ limit }) => seen.push(limit));
    app.post("/t", (ctx) => ctx.body(["text/plain"]).then(() => "ok"));
    expect((await app.inject(post("/t", row(20), "text/plain"))).statusCode).toBe(200);
    expect((await app.inject(post("/t", row(21), "text/plain"))).statusCode).toBe(413);
    expect(seen).toEqual([20]);
  });
});

describe("ctx.body()", () => {
  test("a preHandler and the handler's @Body share one parse (the parser runs once)", async () => {
    const { app, csv } = await makeApp();
    const res = await app.inject(post("/s/", "a,b", CSV));
    expect(res.json()).toEqual({ body: [["a", "b"]], same: true });
    expect(csv.calls).toHaveLength(1);
  });

  test("its default accept list is the route's @Body list; elsewhere JSON only", async () => {
    const { app } = await makeApp();
    // /s/ accepts csv and form: the hook's ctx.body() parses a form there, and refuses JSON.
    expect((await app.inject(post("/s/", "a=1", "application/x-www-form-urlencoded"))).json()).toEqual({
      body: { a: "1" },
      same: true,
    });
    expect((await app.inject(post("/s/", "{}", "application/json"))).statusCode).toBe(415);
    const fn = new Flagon({ logger: false, configFile: false, plugins: [csvPlugin(recorder())] });
    fn.post("/fn", async (ctx) => ({ body: await ctx.body() }));
    fn.post("/fn-csv", async (ctx) => ({ body: await ctx.body(["csv"]) }));
    expect((await fn.inject(post("/fn", '{"a":1}', "application/json"))).json()).toEqual({ body: { a: 1 } });
    expect((await fn.inject(post("/fn", "a", CSV))).statusCode).toBe(415);
    expect((await fn.inject(post("/fn", "a=1", "application/x-www-form-urlencoded"))).statusCode).toBe(415);
    expect((await fn.inject(post("/fn-csv", "a", CSV))).json()).toEqual({ body: [["a"]] });
  });

  test("a hook that reads the body of a type the route refuses gets the 415 the handler would", async () => {
    const { app, csv } = await makeApp();
    const res = await app.inject(post("/s/", multipartBody({ a: "1" }), "multipart/form-data; boundary=XyZ"));
    expect(res.statusCode).toBe(415);
    expect(csv.calls).toEqual([]);
  });

  test("an accept entry nobody parses rejects with FLAGON_ERR_BODY_PARSER", async () => {
    const app = new Flagon({ logger: false, configFile: false });
    app.post("/x", async (ctx) => {
      try {
        return await ctx.body(["multipart"]);
      } catch (error) {
        return { code: (error as FlagonError).code, message: (error as Error).message };
      }
    });
    const res = (await app.inject(post("/x", "a", CSV))).json<{ code: string; message: string }>();
    expect(res.code).toBe("FLAGON_ERR_BODY_PARSER");
    expect(res.message).toMatch(
      /ctx\.body\(\) accepts multipart\/form-data, but no body parser is registered/,
    );
  });

  test("bytes() first, then a plugin's parser: it gets the same bytes", async () => {
    const other = new Flagon({ logger: false, configFile: false, plugins: [csvPlugin(recorder())] });
    other.post("/x", async (ctx) => {
      const raw = (await ctx.request.bytes()).toString();
      return { raw, rows: await ctx.body(["csv"]) };
    });
    expect((await other.inject(post("/x", "a,b", CSV))).json()).toEqual({ raw: "a,b", rows: [["a", "b"]] });
  });
});

describe("reading a body twice: every pair of readers", () => {
  type Reader = "bytes" | "text" | "json" | "form" | "stream" | "body";
  const LABEL: Record<Reader, string> = {
    bytes: "bytes()",
    text: "text()",
    json: "json()",
    form: "form()",
    stream: "stream()",
    body: "ctx.body()",
  };

  async function read(ctx: Context, reader: Reader): Promise<unknown> {
    switch (reader) {
      case "bytes":
        return (await ctx.request.bytes()).toString();
      case "text":
        return ctx.request.text();
      case "json":
        return ctx.request.json();
      case "form":
        return { ...(await ctx.request.form()).toObject() };
      case "stream": {
        let text = "";
        for await (const chunk of ctx.request.stream()) text += chunk.toString();
        return text;
      }
      case "body": {
        const value = await ctx.body(["json", "form", "csv"]);
        return Array.isArray(value) ? value : { ...(value as object) };
      }
    }
  }

  const kinds = {
    json: {
      type: "application/json",
      body: '{"a":"1"}',
      readers: ["bytes", "text", "json", "stream", "body"],
    },
    form: {
      type: "application/x-www-form-urlencoded",
      body: "a=1",
      readers: ["bytes", "text", "form", "stream", "body"],
    },
    csv: { type: CSV, body: "a,1", readers: ["bytes", "text", "stream", "body"] },
  } as const;

  const pairs: Array<[keyof typeof kinds, Reader, Reader]> = [];
  for (const [kind, { readers }] of Object.entries(kinds) as Array<
    [keyof typeof kinds, (typeof kinds)[keyof typeof kinds]]
  >) {
    for (const first of readers) for (const second of readers) pairs.push([kind, first, second]);
  }

  async function mixApp(): Promise<Flagon> {
    const app = new Flagon({ logger: false, configFile: false, plugins: [csvPlugin(recorder())] });
    app.post("/mix/<first>/<second>", async (ctx) => {
      const { first, second } = ctx.request.params as { first: Reader; second: Reader };
      const a = await read(ctx, first);
      try {
        const b = await read(ctx, second);
        return { a, b };
      } catch (error) {
        return { a, code: (error as FlagonError).code, message: (error as Error).message };
      }
    });
    await app.ready();
    return app;
  }

  function valueOf(kind: keyof typeof kinds, reader: Reader): unknown {
    const { body } = kinds[kind];
    if (reader === "bytes" || reader === "text" || reader === "stream") return body;
    return kind === "csv" ? [["a", "1"]] : { a: "1" };
  }

  test.each(pairs)("%s body: %s() then %s()", async (kind, first, second) => {
    const app = await mixApp();
    const { type, body } = kinds[kind];
    const res = (await app.inject(post(`/mix/${first}/${second}`, body, type))).json<
      Record<string, unknown>
    >();
    expect(res["a"]).toEqual(valueOf(kind, first));
    const consumer =
      first === "stream"
        ? "stream()"
        : first === "body" && kind === "csv"
          ? "ctx.body() (the text/csv parser)"
          : undefined;
    const sameParse = first === "body" && second === "body";
    if (consumer === undefined || sameParse) {
      expect(res).toEqual({ a: valueOf(kind, first), b: valueOf(kind, second) });
      return;
    }
    expect(res["code"]).toBe("FLAGON_ERR_BODY_CONSUMED");
    const label = second === "body" && kind === "csv" ? "ctx.body() (the text/csv parser)" : LABEL[second];
    expect(res["message"]).toContain(
      `cannot read the request body with ${label}: ${consumer} already consumed it`,
    );
    expect(res["message"]).toMatch(
      consumer === "stream()" ? /call bytes\(\) before any other reader/ : /call ctx\.body\(\) again/,
    );
  });

  test("ctx.body() twice with a plugin's parser returns the very same value", async () => {
    const app = new Flagon({ logger: false, configFile: false, plugins: [csvPlugin(recorder())] });
    app.post("/twice", async (ctx) => ({ same: (await ctx.body(["csv"])) === (await ctx.body(["csv"])) }));
    expect((await app.inject(post("/twice", "a", CSV))).json()).toEqual({ same: true });
  });

  test("left uncaught, the error is a 500 whose log line names the code (no opaque Error)", async () => {
    const lines: string[] = [];
    const { Writable } = await import("node:stream");
    const stream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString());
        callback();
      },
    });
    const app = new Flagon({
      logger: { level: "error", stream },
      configFile: false,
      config: { env: "production" },
    });
    app.post("/x", async (ctx) => {
      for await (const _ of ctx.request.stream()) void _;
      return ctx.request.json();
    });
    const res = await app.inject(post("/x", "{}", "application/json"));
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain("consumed");
    expect(lines.join("")).toContain(
      "FLAGON_ERR_BODY_CONSUMED: cannot read the request body with json(): stream() already consumed it",
    );
  });
});

describe("start-up", () => {
  test("a route accepting a type nobody registered fails at ready(), naming the route and the type", async () => {
    @Controller("/u")
    class Uploads {
      @Post("/")
      up(@Body(undefined, { accept: ["multipart"] }) _body: unknown) {
        return "never";
      }
    }
    const app = new Flagon({ controllers: [Uploads], logger: false, configFile: false });
    const error = await app.ready().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FlagonError);
    expect(error).toMatchObject({ code: "FLAGON_ERR_BODY_PARSER" });
    expect((error as Error).message).toMatch(
      /POST \/u\/ \(Uploads\.up\) @Body accepts multipart\/form-data, but no body parser/,
    );
  });

  test("an unknown short name or a media type nobody parses, too", async () => {
    for (const accept of [["xml"], ["application/xml"], []]) {
      @Controller("/v")
      class V {
        @Post("/")
        up(@Body(undefined, { accept }) _body: unknown) {
          return "never";
        }
      }
      const app = new Flagon({ controllers: [V], logger: false, configFile: false });
      await expect(app.ready(), JSON.stringify(accept)).rejects.toMatchObject({
        code: "FLAGON_ERR_BODY_PARSER",
      });
    }
  });

  test("the same route works once a plugin registers the parser, whatever the order of plugins and controllers", async () => {
    @Controller("/w")
    class W {
      @Post("/")
      up(@Body(undefined, { accept: ["multipart"] }) body: unknown) {
        return { body };
      }
    }
    const app = new Flagon({ controllers: [W], logger: false, configFile: false });
    app.register(multipartPlugin(recorder()));
    const res = await app.inject(post("/w/", multipartBody({ k: "v" }), "multipart/form-data; boundary=XyZ"));
    expect(res.json()).toEqual({ body: { k: "v" } });
  });

  test("addBodyParser: bad media types and built-in types are FLAGON_ERR_BODY_PARSER; after ready, FLAGON_ERR_APP_STATE", async () => {
    const app = new Flagon({ logger: false, configFile: false });
    for (const type of [
      "csv",
      "text/*",
      "text/csv; charset=utf-8",
      "application/json",
      "application/x-www-form-urlencoded",
    ]) {
      expect(() => app.addBodyParser(type, () => null), type).toThrow(
        expect.objectContaining({ code: "FLAGON_ERR_BODY_PARSER" }),
      );
    }
    app.addBodyParser("text/csv", () => null);
    expect(() => app.addBodyParser("text/csv", () => null)).toThrow(/already registered/);
    expect(() => app.addBodyParser("text/x-a", () => null, { limit: -1 })).toThrow(
      expect.objectContaining({ code: "FLAGON_ERR_INVALID_CONFIG" }),
    );
    await app.ready();
    expect(() => app.addBodyParser("text/x-b", () => null)).toThrow(
      expect.objectContaining({ code: "FLAGON_ERR_APP_STATE" }),
    );
  });
});
