import "reflect-metadata";
// Server-sent events over real sockets: the wire format, heartbeats, backpressure, and the
// "SSE disconnect" case — a client that goes away ends the generator (its `finally` runs).
import http from "node:http";
import net from "node:net";
import { Writable } from "node:stream";
import { type Context, sse } from "@flagon/core";
import { afterEach, describe, expect, it } from "vitest";
import { deferred, harness, HOST, sleep, waitFor, within } from "../socket/helpers.js";

const h = harness();
afterEach(() => h.cleanup());

interface Live {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Everything received so far. */
  text(): string;
  /** Resolves once the received text matches. */
  until(pattern: RegExp, ms?: number): Promise<string>;
  ended: Promise<"end" | "aborted">;
  disconnect(): void;
}

/** Opens a streaming GET and exposes the body as it arrives. */
function open(port: number, path: string, headers: http.OutgoingHttpHeaders = {}): Promise<Live> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: HOST, port, path, headers, agent: false }, (res) => {
      let text = "";
      let wake: (() => void) | undefined;
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        text += chunk;
        wake?.();
      });
      const ended = new Promise<"end" | "aborted">((done) => {
        res.once("end", () => done("end"));
        res.once("aborted", () => done("aborted"));
        res.once("error", () => done("aborted"));
        res.once("close", () => done(res.complete ? "end" : "aborted"));
      });
      h.defer(() => req.destroy());
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        text: () => text,
        async until(pattern, ms = 3000) {
          const deadline = Date.now() + ms;
          while (!pattern.test(text)) {
            if (Date.now() > deadline)
              throw new Error(`timed out waiting for ${String(pattern)}; got ${JSON.stringify(text)}`);
            await new Promise<void>((r) => {
              wake = r;
              setTimeout(r, 20);
            });
          }
          return text;
        },
        ended,
        disconnect: () => req.destroy(),
      });
    });
    req.once("error", reject);
  });
}

function logSink(): { stream: Writable; lines: () => Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString("utf8").split("\n")) {
        if (line !== "") lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      callback();
    },
  });
  return { stream, lines: () => lines };
}

describe("sse() over a real socket", () => {
  it("sends the stream headers and formats events: strings, JSON data, fields, multi-line data", async () => {
    const app = h.app();
    app.get("/events", () =>
      sse(async function* () {
        yield "hello";
        yield { event: "update", id: 1, data: { n: 1, tags: ["a"] } };
        yield { data: "line one\nline two\r\nline three" };
        yield { id: "abc", retry: 5000, data: "with retry" };
      }),
    );
    const port = await h.listen(app);
    const live = await open(port, "/events");
    expect(live.status).toBe(200);
    expect(live.headers["content-type"]).toBe("text/event-stream; charset=utf-8");
    expect(live.headers["cache-control"]).toBe("no-cache");
    expect(live.headers["x-accel-buffering"]).toBe("no");
    expect(live.headers["content-length"]).toBeUndefined();
    expect(live.headers["transfer-encoding"]).toBe("chunked");
    expect(await within(live.ended, 3000, "the stream to end")).toBe("end");
    expect(live.text()).toBe(
      ":\n\n" +
        "data: hello\n\n" +
        'event: update\nid: 1\ndata: {"n":1,"tags":["a"]}\n\n' +
        "data: line one\ndata: line two\ndata: line three\n\n" +
        "id: abc\nretry: 5000\ndata: with retry\n\n",
    );
  });

  it("the retry option opens the stream with a retry field", async () => {
    const app = h.app();
    app.get("/events", () =>
      sse(
        async function* () {
          yield "x";
        },
        { retry: 2500 },
      ),
    );
    const live = await open(await h.listen(app), "/events");
    await within(live.ended, 3000, "the stream to end");
    expect(live.text()).toBe("retry: 2500\n\ndata: x\n\n");
  });

  it("sends `: ping` heartbeats while the source is quiet, and the pending event still arrives", async () => {
    const app = h.app();
    const gate = deferred();
    h.defer(() => gate.resolve());
    app.get("/events", () =>
      sse(
        async function* () {
          yield "first";
          await gate.promise;
          yield "after the silence";
        },
        { heartbeat: 40 },
      ),
    );
    const live = await open(await h.listen(app), "/events");
    await live.until(/data: first\n\n(: ping\n\n){2}/);
    gate.resolve();
    await live.until(/data: after the silence\n\n/);
    await within(live.ended, 3000, "the stream to end");
    expect(live.text()).toMatch(/^:\n\ndata: first\n\n(: ping\n\n)+data: after the silence\n\n$/);
  });

  it("SSE disconnect: a client that goes away ends the generator, its finally runs within 1 s", async () => {
    const app = h.app();
    let finallyRan = false;
    let produced = 0;
    app.get("/events", () =>
      sse(
        async function* () {
          try {
            for (;;) {
              produced += 1;
              yield { event: "tick", data: produced };
              await sleep(25);
            }
          } finally {
            finallyRan = true;
          }
        },
        { heartbeat: 1000 },
      ),
    );
    const live = await open(await h.listen(app), "/events");
    await live.until(/data: 2\n\n/);
    expect(finallyRan).toBe(false);
    live.disconnect();
    expect(await waitFor(() => finallyRan, 1000)).toBe(true);
    const after = produced;
    await sleep(100);
    expect(produced).toBe(after);
  });

  it("SSE disconnect: a generator blocked on a wait is released through the abort signal", async () => {
    const app = h.app();
    const finallyRan = deferred();
    h.defer(() => finallyRan.resolve());
    app.get("/events", () =>
      sse(async function* (signal) {
        try {
          yield "waiting for news";
          await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
          yield "never sent";
        } finally {
          finallyRan.resolve();
        }
      }),
    );
    const live = await open(await h.listen(app), "/events");
    await live.until(/waiting for news/);
    await sleep(50);
    live.disconnect();
    await within(finallyRan.promise, 1000, "the generator's finally after the client left");
  });

  it("an event name with CR/LF is refused: the stream is cut, no field is injected, the error is logged", async () => {
    const sink = logSink();
    const app = h.app({ logger: { level: "info", stream: sink.stream } });
    const finallyRan = deferred();
    h.defer(() => finallyRan.resolve());
    app.get("/events", () =>
      sse(async function* () {
        try {
          yield "before";
          yield { event: "x\r\ndata: injected", data: "y" };
        } finally {
          finallyRan.resolve();
        }
      }),
    );
    const live = await open(await h.listen(app), "/events");
    expect(await within(live.ended, 3000, "the stream to be cut")).toBe("aborted");
    expect(live.text()).not.toContain("injected");
    await within(finallyRan.promise, 1000, "the generator's finally");
    const failure = sink.lines().find((line) => line["msg"] === "SSE source failed; the stream was ended");
    expect(failure).toBeDefined();
    expect(JSON.stringify(failure)).toContain("CR, LF or NUL");
    expect(typeof failure?.["reqId"]).toBe("string");
  });

  it("backpressure: a client that stops reading stops the generator", async () => {
    const app = h.app();
    let produced = 0;
    let finallyRan = false;
    const chunk = "x".repeat(64 * 1024);
    app.get("/events", () =>
      sse(
        async function* () {
          try {
            for (;;) {
              produced += 1;
              yield chunk;
            }
          } finally {
            finallyRan = true;
          }
        },
        { heartbeat: 0 },
      ),
    );
    const port = await h.listen(app);
    const socket = net.connect({ port, host: HOST });
    h.defer(() => socket.destroy());
    await new Promise<void>((resolve) => socket.once("connect", resolve));
    socket.pause(); // never read: the kernel buffers fill, then the server must wait for drain
    socket.write(`GET /events HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`);
    await waitFor(() => produced > 0, 2000);
    let last = -1;
    for (let i = 0; i < 50 && produced !== last; i++) {
      last = produced;
      await sleep(100);
    }
    expect(produced, "the producer settled while the client did not read").toBe(last);
    // Socket buffers on both sides hold a few MiB at most; an unbounded producer would be far past it.
    expect(produced * chunk.length).toBeLessThan(64 * 1024 * 1024);
    socket.destroy();
    expect(await waitFor(() => finallyRan, 1000)).toBe(true);
  });

  it("HEAD never starts a function source", async () => {
    const app = h.app();
    let started = false;
    app.get("/events", () =>
      sse(async function* () {
        started = true;
        yield "x";
      }),
    );
    const port = await h.listen(app);
    const res = await fetch(`http://${HOST}:${port}/events`, { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    await sleep(50);
    expect(started).toBe(false);
  });

  it("works in-process too: inject collects a finite stream, with ctx.response headers applied", async () => {
    const app = h.app();
    app.get("/events", (ctx: Context) => {
      ctx.response.headers.set("x-stream", "1");
      return sse(async function* () {
        yield "only";
      });
    });
    const res = await app.inject({ url: "/events" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["x-stream"]).toBe("1");
    expect(res.body).toBe(":\n\ndata: only\n\n");
  });
});
