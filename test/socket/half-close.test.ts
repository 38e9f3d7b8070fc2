import "reflect-metadata";
// Issue 6: a client that sends its request and then half-closes (FIN on its side, still
// reading) gets the whole response, a streamed one included, and the server then closes the
// connection. Node's http server ends the socket on the client's FIN unless httpAllowHalfOpen is
// set, which cut streamed responses short (1 068 half-closes, 63 cut streams in the 600 s fuzz).
import { afterEach, describe, expect, it } from "vitest";
import { stream } from "@flagon/core";
import { deferred, harness, HOST, openServerSockets, sleep, waitFor } from "./helpers.js";

const h = harness();
afterEach(() => h.cleanup());

const CHUNKS = 5;
const GAP_MS = 50;

function halfCloseApp() {
  const app = h.app();
  async function* slow() {
    for (let i = 0; i < CHUNKS; i++) {
      yield Buffer.from(`part ${i};`);
      await sleep(GAP_MS);
    }
  }
  app.get("/slow", () => stream(slow(), { headers: { "content-type": "text/plain" } }));
  app.get("/plain", () => "plain body");
  app.get("/late", async () => {
    await sleep(700);
    return "computed for 700 ms";
  });
  return app;
}

const expected = Array.from({ length: CHUNKS }, (_, i) => `part ${i};`).join("");

describe("a client that half-closes after its request", () => {
  it("still receives a streamed response of several chunks over ~200 ms, then the server closes", async () => {
    const app = halfCloseApp();
    const port = await h.listen(app);
    const figures: string[] = [];
    for (let round = 0; round < 3; round++) {
      const client = await h.raw(port);
      const t0 = Date.now();
      await client.write(`GET /slow HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`);
      client.socket.end();
      const res = await client.readResponse({ timeout: 3000 });
      const streamedMs = Date.now() - t0;
      expect(res.status).toBe(200);
      expect(res.headers["transfer-encoding"]).toBe("chunked");
      expect(res.body.toString()).toBe(expected);
      expect(streamedMs).toBeGreaterThanOrEqual((CHUNKS - 1) * GAP_MS - 20);
      // The server ends its side after the last response and releases the socket.
      expect(await client.waitEnd(1000)).toBe(true);
      expect(client.error).toBeUndefined();
      expect(client.pending.length).toBe(0);
      expect(await waitFor(() => openServerSockets(app) === 0, 1000)).toBe(true);
      figures.push(`${res.body.length} B in ${streamedMs} ms, closed after ${Date.now() - t0} ms`);
    }
    console.log(`[half-close] streamed after the client's FIN: ${figures.join("; ")}`);
  });

  it("a FIN right behind two pipelined requests: both are answered, then the connection closes", async () => {
    const app = halfCloseApp();
    const port = await h.listen(app);
    const client = await h.raw(port);
    await client.write(
      `GET /slow HTTP/1.1\r\nHost: ${HOST}\r\n\r\nGET /plain HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`,
    );
    client.socket.end();
    const responses = await client.readResponsesUntilClose(3000);
    expect(responses.map((r) => r.status)).toEqual([200, 200]);
    expect(responses[0]?.body.toString()).toBe(expected);
    expect(responses[1]?.body.toString()).toBe("plain body");
    expect(client.error).toBeUndefined();
    expect(await waitFor(() => openServerSockets(app) === 0, 1000)).toBe(true);
  });

  it("an idle keep-alive connection that half-closes is closed by the server at once", async () => {
    const app = halfCloseApp();
    const port = await h.listen(app);
    const client = await h.raw(port);
    await client.write(`GET /plain HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`);
    expect((await client.readResponse()).status).toBe(200);
    const t0 = Date.now();
    client.socket.end();
    expect(await client.waitEnd(1000)).toBe(true);
    expect(await waitFor(() => openServerSockets(app) === 0, 1000)).toBe(true);
    expect(Date.now() - t0).toBeLessThan(500);
  });
  it("a handler that computes for 700 ms after the client's FIN still gets its answer through", async () => {
    const app = halfCloseApp();
    const port = await h.listen(app);
    const client = await h.raw(port);
    await client.write(`GET /late HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`);
    client.socket.end();
    const responses = await client.readResponsesUntilClose(3000);
    expect(responses.map((r) => r.status)).toEqual([200]);
    expect(responses[0]?.body.toString()).toBe("computed for 700 ms");
  });

  it("a client that closes entirely while its stream is silent is let go within ~0.5 s", async () => {
    // A full close and a half-close send the same FIN; only a write would tell them apart, and a
    // silent stream writes nothing. After the FIN a stream may stay silent 500 ms.
    const app = h.app();
    const never = deferred();
    h.defer(() => never.resolve());
    async function* stalled() {
      yield Buffer.from("first;");
      await never.promise;
    }
    app.get("/stalled", () => stream(stalled(), { headers: { "content-type": "text/plain" } }));
    const port = await h.listen(app);
    const client = await h.raw(port);
    await client.write(`GET /stalled HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`);
    await waitFor(() => client.received > 0, 2000);
    const t0 = Date.now();
    client.destroy();
    expect(await waitFor(() => openServerSockets(app) === 0, 2000)).toBe(true);
    const released = Date.now() - t0;
    console.log(`[half-close] a silent stream's socket was released ${released} ms after the client's close`);
    expect(released).toBeGreaterThanOrEqual(400);
    expect(released).toBeLessThan(1000);
  });
});
