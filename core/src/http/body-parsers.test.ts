import { Readable } from "node:stream";
import { describe, expect, test } from "vitest";
import { FlagonError } from "../errors/codes.js";
import { type BodyParserInput, BodyParsers, type BodyRules, JSON_ONLY } from "./body-parsers.js";
import type { Context } from "./context.js";
import { FlagonRequest } from "./request.js";

const noop = (): undefined => undefined;

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(FlagonError);
    return (error as FlagonError).code;
  }
  throw new Error("expected a FlagonError");
}

/** A context with just what the registry reads: the request, its signal and the route. */
function contextFor(body: string, contentType: string | undefined, limit = 1024): Context {
  const headers: Record<string, string> = { host: "localhost" };
  if (contentType !== undefined) headers["content-type"] = contentType;
  const request = new FlagonRequest(
    {
      method: "POST",
      url: "/",
      headers,
      body: Readable.from([Buffer.from(body)], { objectMode: false }),
      remoteAddress: "127.0.0.1",
      encrypted: false,
    },
    limit,
  );
  return { request, signal: request.signal, route: undefined } as unknown as Context;
}

async function text(input: BodyParserInput): Promise<string> {
  let out = "";
  for await (const chunk of input.stream) out += (chunk as Buffer).toString();
  return out;
}

describe("BodyParsers.add", () => {
  test.each([
    ["text", "no subtype"],
    ["text/*", "a wildcard"],
    ["text/csv; charset=utf-8", "parameters"],
    ["", "empty"],
    ["text/csv, text/plain", "a list"],
  ])("refuses %j (%s) with FLAGON_ERR_BODY_PARSER", (type) => {
    expect(codeOf(() => new BodyParsers().add(type, noop))).toBe("FLAGON_ERR_BODY_PARSER");
  });

  test.each(["application/json", "application/vnd.api+json", "application/x-www-form-urlencoded"])(
    "keeps %s for the core",
    (type) => {
      expect(() => new BodyParsers().add(type, noop)).toThrow(/is parsed by the core/);
    },
  );

  test("one parser per media type, compared case-insensitively", () => {
    const parsers = new BodyParsers();
    parsers.add("text/csv", noop);
    expect(() => parsers.add("Text/CSV", noop)).toThrow(/already registered/);
  });

  test("names: not json/form, not another type's, a token", () => {
    const parsers = new BodyParsers();
    parsers.add("text/csv", noop, { name: "csv" });
    expect(() => parsers.add("text/tab-separated-values", noop, { name: "csv" })).toThrow(
      /already means text\/csv/,
    );
    expect(() => parsers.add("text/x-a", noop, { name: "json" })).toThrow(/cannot name/);
    expect(() => parsers.add("text/x-b", noop, { name: "a b" })).toThrow(/cannot name/);
    expect(() => parsers.add("text/x-c", noop, { name: "multipart" })).toThrow(/multipart\/form-data/);
    parsers.add("multipart/form-data", noop, { name: "multipart" });
  });

  test("a bad limit is FLAGON_ERR_INVALID_CONFIG naming the parser", () => {
    for (const limit of [-1, Number.NaN, 1.5, "10" as unknown as number]) {
      expect(() => new BodyParsers().add("text/csv", noop, { limit })).toThrow(
        /limit of the text\/csv parser/,
      );
      expect(codeOf(() => new BodyParsers().add("text/csv", noop, { limit }))).toBe(
        "FLAGON_ERR_INVALID_CONFIG",
      );
    }
  });
});

describe("BodyParsers.compileAccept", () => {
  const parsers = new BodyParsers();
  parsers.add("text/csv", noop, { name: "csv" });
  parsers.add("multipart/form-data", noop);

  test("built-in names, registered names, media types, the multipart alias", () => {
    const list = parsers.compileAccept(["json", "form", "csv", "multipart", "TEXT/CSV"], "here");
    expect(list).toMatchObject({ json: true, form: true });
    expect([...list.types].sort()).toEqual(["multipart/form-data", "text/csv"]);
    expect(list.wanted).toBe(
      "application/json or application/x-www-form-urlencoded or text/csv or multipart/form-data",
    );
    expect(parsers.compileAccept(["application/json"], "here").json).toBe(true);
  });

  test("a type nobody parses names the place and the type", () => {
    const empty = new BodyParsers();
    expect(() => empty.compileAccept(["multipart"], "POST /up (A.b) @Body")).toThrow(
      /POST \/up \(A\.b\) @Body accepts multipart\/form-data, but no body parser is registered for it/,
    );
    expect(() => empty.compileAccept(["xml"], "here")).toThrow(/accepts "xml", which is not/);
    expect(() => empty.compileAccept([], "here")).toThrow(/accepts no body type/);
  });
});

describe("BodyParsers.read", () => {
  const csvRules = (parsers: BodyParsers): BodyRules => ({
    accept: parsers.compileAccept(["csv"], "t"),
    ownLimit: undefined,
  });

  test("the parser gets the parsed media type, the limit, the signal and the raw bytes", async () => {
    const parsers = new BodyParsers();
    const seen: Array<Omit<BodyParserInput, "stream" | "ctx"> & { body: string }> = [];
    parsers.add(
      "text/csv",
      async (input) => {
        const body = await text(input);
        seen.push({ mediaType: input.mediaType, limit: input.limit, signal: input.signal, body });
        return body.split(",");
      },
      { name: "csv", limit: 50 },
    );
    const ctx = contextFor("a,b", "Text/CSV; charset=UTF-8");
    expect(await parsers.read(ctx, csvRules(parsers))).toEqual(["a", "b"]);
    expect(seen).toEqual([
      {
        mediaType: { type: "text/csv", parameters: { charset: "UTF-8" } },
        limit: 50,
        signal: ctx.signal,
        body: "a,b",
      },
    ]);
  });

  test("the result is cached: a second read with another accept list shares it, after its own 415 check", async () => {
    const parsers = new BodyParsers();
    let calls = 0;
    parsers.add("text/csv", () => ({ call: ++calls }), { name: "csv" });
    const ctx = contextFor("a", "text/csv");
    const first = await parsers.read(ctx, csvRules(parsers));
    expect(await parsers.read(ctx, csvRules(parsers))).toBe(first);
    await expect(parsers.read(ctx, { accept: JSON_ONLY, ownLimit: undefined })).rejects.toMatchObject({
      status: 415,
    });
    expect(calls).toBe(1);
  });

  test("limits: the route's own limit, else the parser's, else the request's", async () => {
    const parsers = new BodyParsers();
    parsers.add("text/csv", ({ limit }) => limit, { name: "csv", limit: 50 });
    parsers.add("text/plain", ({ limit }) => limit);
    const accept = parsers.compileAccept(["csv", "text/plain"], "t");
    expect(await parsers.read(contextFor("a", "text/csv", 7), { accept, ownLimit: undefined })).toBe(50);
    expect(await parsers.read(contextFor("a", "text/csv", 7), { accept, ownLimit: 7 })).toBe(7);
    expect(await parsers.read(contextFor("a", "text/plain", 7), { accept, ownLimit: undefined })).toBe(7);
  });

  test("a parser's own error for a cut stream gives way to the 413 behind it", async () => {
    const parsers = new BodyParsers();
    parsers.add(
      "text/csv",
      async (input) => {
        try {
          await text(input);
        } catch {
          throw new Error("csv library: unexpected end of input");
        }
      },
      { name: "csv", limit: 2 },
    );
    await expect(parsers.read(contextFor("abcdef", "text/csv"), csvRules(parsers))).rejects.toMatchObject({
      status: 413,
    });
  });

  test("no Content-Type, a malformed one, or one not accepted: 415 naming what was expected", async () => {
    const parsers = new BodyParsers();
    const rules = { accept: JSON_ONLY, ownLimit: undefined };
    await expect(parsers.read(contextFor("x", undefined), rules)).rejects.toThrow(
      "expected application/json, got no Content-Type",
    );
    await expect(parsers.read(contextFor("x", "text/"), rules)).rejects.toThrow(
      "got a malformed Content-Type",
    );
    await expect(parsers.read(contextFor("x", "text/plain"), rules)).rejects.toThrow("got text/plain");
  });

  test("built-in parsers: JSON, and a form as an object of strings", async () => {
    const parsers = new BodyParsers();
    const both = { accept: parsers.compileAccept(["json", "form"], "t"), ownLimit: undefined };
    expect(await parsers.read(contextFor('{"a":[1]}', "application/vnd.x+json"), both)).toEqual({ a: [1] });
    expect({
      ...((await parsers.read(
        contextFor("a=1&b=2&b=3", "application/x-www-form-urlencoded"),
        both,
      )) as object),
    }).toEqual({
      a: "1",
      b: ["2", "3"],
    });
  });
});

describe("BodyParsers.files (ctx.request.files())", () => {
  const lines = (input: BodyParserInput) => text(input).then((body) => body.split("\n"));

  test("lists what the parser's files option finds in its parsed body, from the one cached parse", async () => {
    const parsers = new BodyParsers();
    let parses = 0;
    parsers.add(
      "text/x-files",
      (input) => {
        parses += 1;
        return lines(input);
      },
      { files: (body) => (body as string[]).filter((line) => line.startsWith("file:")) },
    );
    const ctx = contextFor("title\nfile:a\nfile:b", "text/x-files");
    expect(await parsers.files(ctx)).toEqual(["file:a", "file:b"]);
    const accept = parsers.compileAccept(["text/x-files"], "test");
    expect(await parsers.read(ctx, { accept, ownLimit: undefined })).toEqual(["title", "file:a", "file:b"]);
    expect(parses).toBe(1);
  });

  test("is empty for a parser without the option, for JSON, and for no Content-Type", async () => {
    const parsers = new BodyParsers();
    parsers.add("text/csv", lines);
    expect(await parsers.files(contextFor("a\nb", "text/csv"))).toEqual([]);
    expect(await parsers.files(contextFor('{"a":1}', "application/json"))).toEqual([]);
    expect(await parsers.files(contextFor("", undefined))).toEqual([]);
  });

  test("refuses a files option that is not a function", () => {
    const bad = { files: "yes" } as unknown as { files: () => unknown[] };
    expect(codeOf(() => new BodyParsers().add("text/x-files", noop, bad))).toBe("FLAGON_ERR_BODY_PARSER");
  });
});
