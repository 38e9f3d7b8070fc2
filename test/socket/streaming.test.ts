import "reflect-metadata";
// stream() over a real socket (RELIABILITY row 26): chunks reach the client in order and as they
// are produced; a client that stops reading stops the producer (the writer waits for `drain`);
// a client that goes away ends the generator (its `finally` runs).
import { afterEach, describe, expect, it } from "vitest";
import { stream } from "@flagon/core";
import {
  deferred,
  harness,
  HOST,
  sleep,
  waitFor,
  watchProcessErrors,
  within,
  type Deferred,
} from "./helpers.js";

const h = harness();
afterEach(() => h.cleanup());

const CHUNK = 64 * 1024;

describe("stream() over a real socket", () => {
  it("delivers each chunk of an async generator in order, as it is produced", async () => {
    const app = h.app();
    const N = 5;
    // The generator waits for the client to have seen chunk i before it produces chunk i+1: if the
    // response were buffered until the end, this would deadlock (and time out).
    const seen: Deferred[] = Array.from({ length: N }, () => deferred());
    h.defer(() => seen.forEach((d) => d.resolve()));
    let finished = false;
    async function* chunks() {
      try {
        for (let i = 0; i < N; i++) {
          yield Buffer.from(`chunk-${i};`);
          await seen[i]!.promise;
        }
      } finally {
        finished = true;
      }
    }
    app.get("/chunks", () => stream(chunks(), { headers: { "content-type": "text/plain; charset=utf-8" } }));
    const port = await h.listen(app);

    const res = await fetch(`http://${HOST}:${port}/chunks`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    for (let i = 0; i < N; i++) {
      while (!text.includes(`chunk-${i};`)) {
        const { value, done } = await within(reader.read(), 3000, `chunk ${i}`);
        if (done) throw new Error(`stream ended early after ${JSON.stringify(text)}`);
        text += decoder.decode(value, { stream: true });
      }
      seen[i]!.resolve();
    }
    const last = await within(reader.read(), 3000, "the end of the stream");
    expect(last.done).toBe(true);
    expect(text).toBe(Array.from({ length: N }, (_, i) => `chunk-${i};`).join(""));
    expect(await waitFor(() => finished, 1000)).toBe(true);
  });

  it("a large finite stream arrives complete and in order", async () => {
    const app = h.app();
    const N = 160; // 10 MiB
    async function* big() {
      for (let i = 0; i < N; i++) yield Buffer.alloc(CHUNK, i % 251);
    }
    app.get("/big", () => stream(big(), { headers: { "content-type": "application/octet-stream" } }));
    const port = await h.listen(app);
    const res = await fetch(`http://${HOST}:${port}/big`);
    expect(res.status).toBe(200);
    const body = Buffer.from(await within(res.arrayBuffer(), 10_000, "the whole body"));
    expect(body.length).toBe(N * CHUNK);
    for (let i = 0; i < N; i++) {
      expect(body[i * CHUNK]).toBe(i % 251);
      expect(body[i * CHUNK + CHUNK - 1]).toBe(i % 251);
    }
  });

  it("backpressure: a client that stops reading stops the producer; disconnect runs its finally", async () => {
    const app = h.app();
    let produced = 0;
    const finallyRan = deferred();
    h.defer(() => finallyRan.resolve());
    async function* endless() {
      try {
        const chunk = Buffer.alloc(CHUNK, 0x61);
        for (;;) {
          produced++;
          yield chunk;
        }
      } finally {
        finallyRan.resolve();
      }
    }
    app.get("/endless", () => stream(endless(), { headers: { "content-type": "application/octet-stream" } }));
    const port = await h.listen(app);

    const client = await h.raw(port);
    client.socket.pause();
    await client.write(`GET /endless HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`);
    await sleep(500);
    const at500 = produced;
    await sleep(500);
    const at1000 = produced;
    // Without backpressure a generator this tight produces thousands of chunks (hundreds of MiB)
    // in 500 ms; with it, only what fits in the socket buffers (a few MiB) plus one chunk.
    expect(at500).toBeGreaterThan(0);
    expect(at500).toBeLessThan(200);
    // …and it has stalled: nothing more is produced while the client still does not read.
    expect(at1000 - at500).toBeLessThanOrEqual(4);
    expect(finallyRan.settled).toBe(false);

    const t0 = Date.now();
    client.destroy();
    await within(finallyRan.promise, 2000, "the generator's finally block after the client disconnected");
    expect(Date.now() - t0).toBeLessThan(2000);
    const afterDisconnect = produced;
    await sleep(100);
    expect(produced).toBe(afterDisconnect);
  });

  it("a client that goes away mid-stream ends a slow generator (finally runs)", async () => {
    const app = h.app();
    const firstSent = deferred();
    const finallyRan = deferred();
    h.defer(() => finallyRan.resolve());
    let produced = 0;
    async function* slow() {
      try {
        for (;;) {
          produced++;
          yield Buffer.from(`tick ${produced}\n`);
          firstSent.resolve();
          await sleep(20);
        }
      } finally {
        finallyRan.resolve();
      }
    }
    app.get("/ticks", () => stream(slow(), { headers: { "content-type": "text/plain" } }));
    const port = await h.listen(app);

    const ac = new AbortController();
    const res = await fetch(`http://${HOST}:${port}/ticks`, { signal: ac.signal });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const first = await within(reader.read(), 3000, "the first tick");
    expect(new TextDecoder().decode(first.value)).toMatch(/^tick 1\n/);
    await firstSent.promise;
    ac.abort();
    await within(finallyRan.promise, 2000, "the generator's finally block after fetch was aborted");
    const stopped = produced;
    await sleep(150);
    expect(produced).toBeLessThanOrEqual(stopped + 1);
  });

  it("a generator that throws mid-stream aborts the response (no clean end) and crashes nothing", async () => {
    const watch = watchProcessErrors();
    h.defer(() => watch.dispose());
    const app = h.app();
    async function* failing() {
      yield Buffer.from("partial data\n");
      await sleep(20);
      throw new Error("generator failed: secret");
    }
    app.get("/failing", () => stream(failing(), { headers: { "content-type": "text/plain" } }));
    app.get("/ok", () => "ok");
    const port = await h.listen(app);

    const res = await fetch(`http://${HOST}:${port}/failing`);
    expect(res.status).toBe(200); // the head was already sent with the first chunk
    const outcome = await within(
      res.text().then(
        (t) => ({ ok: true as const, t }),
        (e: unknown) => ({ ok: false as const, e }),
      ),
      3000,
      "the failing stream to end",
    );
    // A truncated body must not look like a complete one: the connection is cut, not ended cleanly.
    expect(outcome.ok).toBe(false);

    await sleep(100);
    expect(watch.errors).toEqual([]);
    const ok = await fetch(`http://${HOST}:${port}/ok`);
    expect(ok.status).toBe(200);
  });
});
