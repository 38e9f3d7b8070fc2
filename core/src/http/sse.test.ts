import type { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, test } from "vitest";
import { ErrorCodes, FlagonError } from "../errors/codes.js";
import { formatSseEvent, sse, type SseEvent } from "./sse.js";

function bodyOf(source: Parameters<typeof sse>[0], options?: Parameters<typeof sse>[1]): Readable {
  return sse(source, options).body as Readable;
}

/** Reads chunks until the stream ends. */
async function drain(stream: Readable): Promise<string> {
  let out = "";
  for await (const chunk of stream as AsyncIterable<Buffer>) out += chunk.toString("utf8");
  return out;
}

/** Resolves with the next chunk the stream emits. */
function nextChunk(stream: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      stream.off("error", reject);
      stream.pause();
      resolve(chunk.toString("utf8"));
    };
    stream.once("data", onData);
    stream.once("error", reject);
    stream.resume();
  });
}

describe("formatSseEvent", () => {
  test("a string is one data line", () => {
    expect(formatSseEvent("hello")).toBe("data: hello\n\n");
  });

  test("fields come in order event, id, retry, data; non-string data is JSON", () => {
    expect(formatSseEvent({ event: "update", id: 7, retry: 2500, data: { a: [1, "x"] } })).toBe(
      'event: update\nid: 7\nretry: 2500\ndata: {"a":[1,"x"]}\n\n',
    );
  });

  test("multi-line data becomes one data line per line, whatever the line break", () => {
    expect(formatSseEvent({ data: "one\ntwo\r\nthree\rfour" })).toBe(
      "data: one\ndata: two\ndata: three\ndata: four\n\n",
    );
    expect(formatSseEvent({ data: "" })).toBe("data: \n\n");
    expect(formatSseEvent({ data: "trailing\n" })).toBe("data: trailing\ndata: \n\n");
  });

  test("a leading space in the data survives (the parser strips only the one after the colon)", () => {
    expect(formatSseEvent(" indented")).toBe("data:  indented\n\n");
  });

  test("an event without data still sends its fields; an empty event sends nothing", () => {
    expect(formatSseEvent({ id: "last" })).toBe("id: last\n\n");
    expect(formatSseEvent({})).toBe("");
  });

  test.each([
    ["event", { event: "a\r\ndata: injected", data: "x" }],
    ["event", { event: "a\ndata: injected", data: "x" }],
    ["event", { event: "a\rb", data: "x" }],
    ["event", { event: "a\0b", data: "x" }],
    ["id", { id: "1\nevent: evil", data: "x" }],
    ["id", { id: "1\0", data: "x" }],
  ] as Array<[string, SseEvent]>)("CR, LF or NUL in %s is refused (no field injection)", (name, event) => {
    let caught: unknown;
    try {
      formatSseEvent(event);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FlagonError);
    expect((caught as FlagonError).code).toBe(ErrorCodes.INVALID_RESPONSE);
    expect((caught as Error).message).toContain(name);
  });

  test("a bad retry or unserialisable data is refused", () => {
    expect(() => formatSseEvent({ retry: -1 })).toThrow(FlagonError);
    expect(() => formatSseEvent({ retry: 1.5 })).toThrow(FlagonError);
    expect(() => formatSseEvent({ data: () => 1 })).toThrow(FlagonError);
  });
});

describe("sse()", () => {
  test("builds a text/event-stream response without a length", () => {
    const response = sse((async function* () {})());
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("no-cache");
    expect(response.headers.get("x-accel-buffering")).toBe("no");
    expect(response.headers.has("content-length")).toBe(false);
  });

  test("refuses bad options and sources", () => {
    const empty = async function* (): AsyncGenerator<string> {};
    expect(() => sse(empty, { heartbeat: -1 })).toThrow(FlagonError);
    expect(() => sse(empty, { heartbeat: Number.NaN })).toThrow(FlagonError);
    expect(() => sse(empty, { retry: 0.5 })).toThrow(FlagonError);
    expect(() => sse(42 as unknown as AsyncIterable<string>)).toThrow(FlagonError);
  });

  test("streams a preamble, then each event, then ends", async () => {
    const body = bodyOf(async function* () {
      yield "a";
      yield { event: "e", data: [1] };
    });
    expect(await drain(body)).toBe(":\n\ndata: a\n\nevent: e\ndata: [1]\n\n");
  });

  test("the retry option replaces the preamble", async () => {
    const body = bodyOf(
      (async function* () {
        yield "x";
      })(),
      { retry: 3000 },
    );
    expect(await drain(body)).toBe("retry: 3000\n\ndata: x\n\n");
  });

  test("a function source is called only when the stream is first read", async () => {
    let calls = 0;
    const body = bodyOf(async function* () {
      calls += 1;
      yield "x";
    });
    await sleep(10);
    expect(calls).toBe(0);
    await drain(body);
    expect(calls).toBe(1);
  });

  test("heartbeats fill a silence without losing the pending event", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const body = bodyOf(
      async function* () {
        yield "first";
        await gate;
        yield "second";
      },
      { heartbeat: 20 },
    );
    expect(await nextChunk(body)).toBe(":\n\n");
    expect(await nextChunk(body)).toBe("data: first\n\n");
    expect(await nextChunk(body)).toBe(": ping\n\n");
    expect(await nextChunk(body)).toBe(": ping\n\n");
    release();
    let rest = await nextChunk(body);
    while (rest === ": ping\n\n") rest = await nextChunk(body);
    expect(rest).toBe("data: second\n\n");
    body.destroy();
  });

  test("heartbeat 0 sends none", async () => {
    const body = bodyOf(
      async function* () {
        await sleep(60);
        yield "late";
      },
      { heartbeat: 0 },
    );
    expect(await drain(body)).toBe(":\n\ndata: late\n\n");
  });

  test("destroying the stream runs the generator's finally and aborts the signal", async () => {
    let finallyRan = false;
    let signal: AbortSignal | undefined;
    const body = bodyOf(async function* (s) {
      signal = s;
      try {
        for (;;) yield "tick";
      } finally {
        finallyRan = true;
      }
    });
    await nextChunk(body);
    await nextChunk(body);
    body.destroy();
    await sleep(10);
    expect(finallyRan).toBe(true);
    expect(signal?.aborted).toBe(true);
  });

  test("a generator blocked on a wait ends through the signal when the stream is destroyed", async () => {
    let finallyRan = false;
    const body = bodyOf(async function* (signal) {
      try {
        yield "ready";
        await new Promise((resolve) => signal.addEventListener("abort", resolve));
      } finally {
        finallyRan = true;
      }
    });
    await nextChunk(body);
    await nextChunk(body);
    body.resume(); // a pull is now pending on the blocked generator
    await sleep(10);
    body.destroy();
    await sleep(10);
    expect(finallyRan).toBe(true);
  });

  test("pulls only as fast as it is read (backpressure)", async () => {
    let produced = 0;
    const body = bodyOf(async function* () {
      for (;;) {
        produced += 1;
        yield "x".repeat(1024);
      }
    });
    body.pause();
    body.read(0); // start the first pull
    await sleep(30);
    // The internal buffer fills to its high-water mark (16–64 KiB) and then stops.
    const settled = produced;
    await sleep(30);
    expect(produced).toBe(settled);
    expect(produced).toBeLessThan(200);
    body.destroy();
  });

  test("an event the format refuses ends the stream with the error and runs the generator's finally", async () => {
    let finallyRan = false;
    const body = bodyOf(async function* () {
      try {
        yield { event: "x\r\ndata: injected", data: "y" };
      } finally {
        finallyRan = true;
      }
    });
    await expect(drain(body)).rejects.toThrow(/CR, LF or NUL/);
    await sleep(10);
    expect(finallyRan).toBe(true);
  });
});
