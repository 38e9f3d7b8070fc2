import { Readable } from "node:stream";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { HttpError } from "../errors/http-errors.js";
import {
  checkDeclaredLength,
  decodeText,
  DEFAULT_BODY_LIMIT,
  limitedChunks,
  parseJson,
  readAll,
  requireForm,
  requireJson,
} from "./body.js";
import { type MediaType, parseMediaType } from "./media-type.js";

/** A readable that yields the given chunks and, unless `end` is false, then ends. */
function source(chunks: readonly (string | Buffer)[], end = true): Readable {
  const stream = new Readable({ read() {} });
  for (const chunk of chunks) stream.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  if (end) stream.push(null);
  return stream;
}

function httpErrorOf(fn: () => unknown): HttpError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(HttpError);
    return error as HttpError;
  }
  throw new Error("expected an HttpError, nothing was thrown");
}

async function rejection(promise: Promise<unknown>): Promise<HttpError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(HttpError);
    return error as HttpError;
  }
  throw new Error("expected an HttpError rejection, it resolved");
}

const media = (header: string): MediaType => {
  const parsed = parseMediaType(header);
  if (!parsed) throw new Error(`test setup: ${header} does not parse`);
  return parsed;
};

describe("DEFAULT_BODY_LIMIT", () => {
  test("is 1 MiB", () => {
    expect(DEFAULT_BODY_LIMIT).toBe(1_048_576);
  });
});

describe("readAll / limitedChunks", () => {
  test("reads a body of exactly the limit", async () => {
    const body = await readAll(source(["abc", "de", "fghij"]), 10);
    expect(body.toString()).toBe("abcdefghij");
  });

  test("reads an empty body", async () => {
    const body = await readAll(source([]), 0);
    expect(body).toBeInstanceOf(Buffer);
    expect(body.length).toBe(0);
  });

  test("one byte over the limit is a 413 naming the limit", async () => {
    const error = await rejection(readAll(source(["abc", "de", "fghijk"]), 10));
    expect(error.status).toBe(413);
    expect(error.message).toMatch(/limit of 10 bytes/);
  });

  test("a limit of 0 refuses the first byte", async () => {
    expect((await rejection(readAll(source(["x"]), 0))).status).toBe(413);
  });

  test("the 413 does not destroy the source (the connection must carry the answer)", async () => {
    // Not ended: more data would follow on a real socket.
    const stream = source(["12345", "67890", "X"], false);
    const error = await rejection(readAll(stream, 10));
    expect(error.status).toBe(413);
    expect(stream.destroyed).toBe(false);
    expect(stream.isPaused()).toBe(true);
  });

  test("the 413 does not destroy an ended source either", async () => {
    const stream = source(["12345678901"]);
    await rejection(readAll(stream, 10));
    expect(stream.destroyed).toBe(false);
  });

  test("limitedChunks yields the chunks as buffers, in order, and stops at the first one over", async () => {
    const stream = Readable.from(["ab", "cd", "ef"]); // object mode: string chunks
    const seen: string[] = [];
    let caught: unknown;
    try {
      for await (const chunk of limitedChunks(stream, 5)) {
        expect(Buffer.isBuffer(chunk)).toBe(true);
        seen.push(chunk.toString());
      }
    } catch (error) {
      caught = error;
    }
    expect(seen).toEqual(["ab", "cd"]);
    expect((caught as HttpError).status).toBe(413);
  });

  test("counts bytes, not characters", async () => {
    // "é" is 2 bytes in UTF-8: 3 of them are 6 bytes
    expect((await rejection(readAll(source(["ééé"]), 5))).status).toBe(413);
    expect((await readAll(source(["ééé"]), 6)).toString()).toBe("ééé");
  });

  test("stopping early does not destroy the source", async () => {
    const stream = Readable.from(["a", "b", "c"]);
    const seen: string[] = [];
    for await (const chunk of limitedChunks(stream, 100)) {
      seen.push(chunk.toString());
      break;
    }
    expect(seen).toEqual(["a"]);
    expect(stream.destroyed).toBe(false);
  });
});

describe("checkDeclaredLength", () => {
  test("no header or a length up to the limit passes", () => {
    expect(() => checkDeclaredLength(undefined, 10)).not.toThrow();
    expect(() => checkDeclaredLength("0", 10)).not.toThrow();
    expect(() => checkDeclaredLength("10", 10)).not.toThrow();
  });

  test("a declared length over the limit is a 413 before a byte is read", () => {
    expect(httpErrorOf(() => checkDeclaredLength("11", 10)).status).toBe(413);
    expect(httpErrorOf(() => checkDeclaredLength("99999999999999999999", DEFAULT_BODY_LIMIT)).status).toBe(
      413,
    );
  });
});

describe("requireJson", () => {
  test.each([
    "application/json",
    "application/json; charset=utf-8",
    "application/json; charset=UTF-8",
    "application/json; charset=UTF8",
    "Application/JSON",
    "application/problem+json",
    "application/vnd.api+json; charset=utf-8",
  ])("accepts %s", (header) => {
    expect(() => requireJson(media(header))).not.toThrow();
  });

  test.each([
    ["application/json; charset=latin1", /UTF-8/],
    ["application/json; charset=utf-16", /UTF-8/],
    ["text/plain", /expected a JSON body, got text\/plain/],
    ["application/x-www-form-urlencoded", /expected a JSON body/],
    ["application/jsonx", /expected a JSON body/],
    ["text/json+xml", /expected a JSON body/],
  ])("refuses %s with 415", (header, message) => {
    const error = httpErrorOf(() => requireJson(media(header)));
    expect(error.status).toBe(415);
    expect(error.message).toMatch(message);
  });

  test("a missing Content-Type is a 415", () => {
    const error = httpErrorOf(() => requireJson(undefined));
    expect(error.status).toBe(415);
    expect(error.message).toMatch(/no Content-Type/);
  });

  test("a malformed Content-Type (null from parseMediaType) is a 415", () => {
    expect(parseMediaType("application/json garbage")).toBeNull();
    const error = httpErrorOf(() => requireJson(null));
    expect(error.status).toBe(415);
    expect(error.message).toMatch(/malformed/);
  });
});

describe("requireForm", () => {
  test("accepts urlencoded, with or without a UTF-8 charset", () => {
    expect(() => requireForm(media("application/x-www-form-urlencoded"))).not.toThrow();
    expect(() => requireForm(media("application/x-www-form-urlencoded; charset=UTF-8"))).not.toThrow();
  });

  test.each([
    [() => media("application/json"), /got application\/json/],
    [() => media("multipart/form-data; boundary=x"), /got multipart\/form-data/],
    [() => media("application/x-www-form-urlencoded; charset=latin1"), /UTF-8/],
    [() => undefined, /no Content-Type/],
    [() => null, /malformed/],
  ])("refuses with 415 (%#)", (make, message) => {
    const error = httpErrorOf(() => requireForm(make()));
    expect(error.status).toBe(415);
    expect(error.message).toMatch(message);
  });
});

describe("parseJson", () => {
  const json = (text: string): unknown => parseJson(Buffer.from(text));

  test("parses values of every kind", () => {
    expect(json('{"a":[1,"x",null,true,{"b":2.5}]}')).toEqual({ a: [1, "x", null, true, { b: 2.5 }] });
    expect(json("42")).toBe(42);
    expect(json('"s"')).toBe("s");
    expect(json("null")).toBeNull();
    expect(json('  {"a":1}\n')).toEqual({ a: 1 });
  });

  test("a constructor key without a prototype is allowed", () => {
    expect(json('{"constructor":"x","nested":{"constructor":{"name":"y"}}}')).toEqual({
      constructor: "x",
      nested: { constructor: { name: "y" } },
    });
  });

  test.each(["", " ", "\n\t ", "\ufeff"])("an empty or blank body %j is a 400", (text) => {
    const error = httpErrorOf(() => json(text));
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/empty/);
  });

  test.each(["{", "{'a':1}", "[1,]", "undefined", "{a:1}", "nul", '{"a":1}x'])(
    "malformed %j is a 400",
    (text) => {
      const error = httpErrorOf(() => json(text));
      expect(error.status).toBe(400);
      expect(error.message).toMatch(/invalid JSON body/);
    },
  );

  test.each([
    '{"__proto__":{"admin":true}}',
    '{"a":{"b":[{"__proto__":{"admin":true}}]}}',
    '{"\\u005f\\u005fproto__":{"admin":true}}',
    '{"__pr\\u006fto__":{"admin":true}}',
    '{"\\u005F_proto\\u005F_" :{"admin":true}}',
    '{"constructor":{"prototype":{"admin":true}}}',
    '[{"x":{"constructor":{"prototype":{}}}}]',
    '{"\\u0063onstructor":{"prototype":{"admin":true}}}',
  ])("prototype poisoning %s is a 400", (text) => {
    const error = httpErrorOf(() => json(text));
    expect(error.status).toBe(400);
    expect(({} as Record<string, unknown>)["admin"]).toBeUndefined();
  });

  test("property: any JSON value round-trips unless it carries a forbidden key", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value);
        if (hasForbiddenKey(value)) {
          expect(httpErrorOf(() => json(text)).status).toBe(400);
        } else {
          expect(json(text)).toEqual(JSON.parse(text));
        }
      }),
      { numRuns: 1000 },
    );
  });

  test("property: injected __proto__ / constructor.prototype keys at any depth are a 400 and pollute nothing", () => {
    const spelling = fc.constantFrom(
      '"__proto__"',
      '"\\u005f\\u005fproto__"',
      '"_\\u005Fpr\\u006fto_\\u005f"',
      '"\\u005f\\u005f\\u0070\\u0072\\u006f\\u0074\\u006f\\u005f\\u005f"',
    );
    const poison = fc.oneof(
      spelling.map((key) => `${key}:{"polluted":true,"toString":"x"}`),
      fc.constant('"constructor":{"prototype":{"polluted":true}}'),
    );
    // Each level is an object (with a key and a sibling value) or an array (with a sibling before it).
    const level = fc.record({
      array: fc.boolean(),
      key: fc.string({ maxLength: 5 }),
      sibling: fc.jsonValue({ maxDepth: 2 }),
    });
    const runs: number[] = [];
    fc.assert(
      fc.property(fc.array(level, { maxLength: 8 }), poison, (levels, member) => {
        let text = `{${member}}`;
        for (const { array, key, sibling } of levels) {
          const other = JSON.stringify(sibling);
          text = array
            ? `[${other},${text}]`
            : `{"${key === "__proto__" ? "k" : jsonKey(key)}":${text},"${key === "s" ? "t" : "s"}":${other}}`;
        }
        expect(httpErrorOf(() => json(text)).status).toBe(400);
        expect(Object.keys(Object.prototype)).toEqual([]);
        expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
        runs.push(levels.length);
      }),
      { numRuns: 1000 },
    );
    expect(runs.length).toBeGreaterThanOrEqual(1000);
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain("polluted");
  });
});

/** A key's JSON text without the quotes. */
function jsonKey(key: string): string {
  return JSON.stringify(key).slice(1, -1);
}

/** Mirrors the rule parseJson enforces: a `__proto__` key, or a `constructor` object with a `prototype` key. */
function hasForbiddenKey(value: unknown): boolean {
  if (value === null || typeof value !== "object") return false;
  if (Array.isArray(value)) return value.some(hasForbiddenKey);
  const own = (obj: object, key: string): boolean => Object.prototype.hasOwnProperty.call(obj, key);
  if (own(value, "__proto__")) return true;
  const ctor = (value as Record<string, unknown>)["constructor"];
  if (own(value, "constructor") && ctor !== null && typeof ctor === "object" && own(ctor, "prototype"))
    return true;
  return Object.values(value).some(hasForbiddenKey);
}

describe("decodeText", () => {
  test("UTF-8 by default, with or without a media type", () => {
    const bytes = Buffer.from("héllo", "utf8");
    expect(decodeText(bytes, undefined)).toBe("héllo");
    expect(decodeText(bytes, null)).toBe("héllo");
    expect(decodeText(bytes, media("text/plain"))).toBe("héllo");
  });

  test("decodes the declared charset", () => {
    const latin1 = Buffer.from([0x68, 0xe9, 0x6c, 0x6c, 0x6f]); // "héllo" in ISO-8859-1
    expect(decodeText(latin1, media("text/plain; charset=latin1"))).toBe("héllo");
    expect(decodeText(latin1, media("text/plain; charset=ISO-8859-1"))).toBe("héllo");
    expect(decodeText(Buffer.from("hé", "utf16le"), media("text/plain; charset=utf-16le"))).toBe("hé");
  });

  test("an unknown charset is a 415 naming it", () => {
    const error = httpErrorOf(() => decodeText(Buffer.from("x"), media("text/plain; charset=klingon")));
    expect(error.status).toBe(415);
    expect(error.message).toMatch(/unsupported charset "klingon"/);
  });
});
