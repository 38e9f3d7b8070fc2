import { Readable } from "node:stream";
import { describe, expect, test } from "vitest";
import { FlagonError } from "../errors/codes.js";
import { HttpError } from "../errors/http-errors.js";
import { FlagonRequest, type RawRequest } from "./request.js";

function request(body: string, headers: Record<string, string> = {}, limit = 1024): FlagonRequest {
  const raw: RawRequest = {
    method: "POST",
    url: "/",
    headers: { host: "localhost", "content-type": "application/json", ...headers },
    body: Readable.from([Buffer.from(body)], { objectMode: false }),
    remoteAddress: "127.0.0.1",
    encrypted: false,
  };
  return new FlagonRequest(raw, limit);
}

async function collect(stream: AsyncIterable<Buffer | string>): Promise<string> {
  let out = "";
  for await (const chunk of stream) out += chunk.toString();
  return out;
}

function consumedError(fn: () => unknown): FlagonError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(FlagonError);
    return error as FlagonError;
  }
  throw new Error("expected FLAGON_ERR_BODY_CONSUMED, nothing was thrown");
}

describe("reading a body twice", () => {
  test("stream() then bytes() is FLAGON_ERR_BODY_CONSUMED naming both readers and what to do", async () => {
    const req = request('{"a":1}');
    expect(await collect(req.stream())).toBe('{"a":1}');
    const error = consumedError(() => req.bytes());
    expect(error.code).toBe("FLAGON_ERR_BODY_CONSUMED");
    expect(error.message).toMatch(/with bytes\(\): stream\(\) already consumed it/);
    expect(error.message).toMatch(/call bytes\(\) before any other reader/);
  });

  test("stream() twice is the same error, not a plain Error", () => {
    const req = request("x");
    void req.stream();
    expect(consumedError(() => req.stream()).message).toMatch(/with stream\(\): stream\(\) already/);
  });

  test("json(), text() and form() after stream() reject with the reader's own name", async () => {
    for (const [reader, type] of [
      ["json()", "application/json"],
      ["text()", "text/plain"],
      ["form()", "application/x-www-form-urlencoded"],
    ] as const) {
      const req = request("a=1", { "content-type": type });
      void req.stream();
      const call = reader === "json()" ? req.json() : reader === "text()" ? req.text() : req.form();
      await expect(call).rejects.toMatchObject({ code: "FLAGON_ERR_BODY_CONSUMED" });
      await expect(call).rejects.toThrow(`with ${reader}:`);
    }
  });

  test("bytes() first: every reader after it, stream() too, shares its bytes", async () => {
    const req = request('{"a":1}');
    const bytes = await req.bytes();
    expect(await req.bytes()).toBe(bytes);
    expect(await req.text()).toBe('{"a":1}');
    expect(await req.json()).toEqual({ a: 1 });
    expect(await collect(req.stream())).toBe('{"a":1}');
    expect(await collect(req.bodyStream("a parser", 1024))).toBe('{"a":1}');
  });

  test("a parser's stream consumes the body: bytes() and stream() after it name the parser", async () => {
    const req = request("a,b");
    expect(await collect(req.bodyStream("ctx.body() (the text/csv parser)", 1024))).toBe("a,b");
    const error = consumedError(() => req.bytes());
    expect(error.message).toMatch(/ctx\.body\(\) \(the text\/csv parser\) already consumed it/);
    expect(error.message).toMatch(/call ctx\.body\(\) again for the parsed result/);
    expect(consumedError(() => req.stream()).code).toBe("FLAGON_ERR_BODY_CONSUMED");
  });

  test("a refused read (declared length over the limit) consumes nothing", async () => {
    const req = request("0123456789", { "content-length": "10" }, 5);
    expect(() => req.stream()).toThrow(HttpError);
    expect(() => req.bodyStream("p", 5)).toThrow(/larger than the limit of 5 bytes/);
    // The parser may have a larger limit than the request's: it still gets the body.
    expect(await collect(req.bodyStream("p", 100))).toBe("0123456789");
  });
});

describe("bodyStream", () => {
  test("errors with a 413 once more bytes than its limit arrived", async () => {
    const req = request("0123456789", {}, 1024);
    await expect(collect(req.bodyStream("p", 4))).rejects.toMatchObject({ status: 413 });
  });

  test("replaying bytes read before still applies its own, smaller limit", async () => {
    const req = request("0123456789", {}, 1024);
    await req.bytes();
    await expect(collect(req.bodyStream("p", 4))).rejects.toMatchObject({ status: 413 });
  });

  test("refuses a Content-Encoding other than identity with a 415", () => {
    const req = request("x", { "content-encoding": "gzip" });
    expect(() => req.bodyStream("p", 10)).toThrow(/Content-Encoding gzip is not supported/);
  });

  test("parsedBody makes the value once", async () => {
    const req = request("x");
    let calls = 0;
    const make = (): Promise<unknown> => Promise.resolve(++calls);
    expect(await req.parsedBody(make)).toBe(1);
    expect(await req.parsedBody(make)).toBe(1);
  });
});
