import "reflect-metadata";
// Issue 6: lingering close. When a handler answers without reading a large request body (a 413
// from Content-Length, or a route that ignores the upload), the response carries
// `Connection: close`. Closing the socket while the client is still uploading makes the kernel
// answer its next segment with a RST, and a client that reads only after sending its body (as
// many HTTP clients do) loses the response. The adapter now half-closes after the response, reads
// and discards what the client still sends, and destroys the socket once the client has stopped
// (both sides ended), after 2 s, or 500 ms after it read 256 KiB more and stopped reading
// (core/src/adapters/node/linger.ts).
import dc from "node:diagnostics_channel";
import type { Socket } from "node:net";
import type { Context } from "@flagon/core";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { harness, HOST, openServerSockets, sleep, waitFor, type RawClient } from "./helpers.js";

const h = harness();
afterEach(() => h.cleanup());

const KiB = 1024;
const MiB = 1024 * KiB;
const CHUNK = 64 * KiB;
/** The adapter's bounds (LINGER_MS, LINGER_BYTES, LINGER_GRACE_MS in core/src/adapters/node/linger.ts). */
const LINGER_MS = 2000;
const LINGER_BYTES = 256 * KiB;
const LINGER_GRACE_MS = 500;
const LIMIT = 64 * KiB;

// The server side of each connection, and what it had read when its response finished.
const serverSockets = new Map<string, { socket: Socket; readAtResponse: number }>();
const onStart = (message: unknown): void => {
  const { request, socket } = message as { request: { headers: Record<string, unknown> }; socket: Socket };
  const id = request.headers["x-probe"];
  if (typeof id === "string") serverSockets.set(id, { socket, readAtResponse: Number.NaN });
};
const onFinish = (message: unknown): void => {
  const { request, socket } = message as { request: { headers: Record<string, unknown> }; socket: Socket };
  const entry = serverSockets.get(String(request.headers["x-probe"]));
  if (entry) entry.readAtResponse = socket.bytesRead;
};
dc.subscribe("http.server.request.start", onStart);
dc.subscribe("http.server.response.finish", onFinish);
afterAll(() => {
  dc.unsubscribe("http.server.request.start", onStart);
  dc.unsubscribe("http.server.response.finish", onFinish);
});

function uploadApp() {
  const app = h.app({ config: { bodyLimit: LIMIT } });
  // Uploads here are larger than the limit: refused from Content-Length, before a byte is read.
  app.post("/limited", async (ctx: Context) => ({ length: (await ctx.request.text()).length }));
  app.post("/ignore", () => "not reading your upload");
  return app;
}

const ROUTES = [
  ["/limited", 413, "larger than the limit"],
  ["/ignore", 200, "not reading your upload"],
] as const;

const head = (path: string, length: number, probe = ""): string =>
  `POST ${path} HTTP/1.1\r\nHost: ${HOST}\r\nContent-Type: text/plain\r\nContent-Length: ${length}\r\n` +
  `X-Probe: ${probe}\r\n\r\n`;

/**
 * Sends `total` body bytes in 64 KiB chunks with a pause between them. Stops at the first failed
 * write (the server closed), or when `stop()` says so; the server's FIN alone does not stop it.
 */
async function upload(
  client: RawClient,
  total: number,
  pauseMs: number,
  stop: () => boolean = () => false,
): Promise<number> {
  const chunk = Buffer.alloc(CHUNK, 0x61);
  let sent = 0;
  while (sent < total && client.socket.writable && !stop()) {
    const piece = total - sent < CHUNK ? chunk.subarray(0, total - sent) : chunk;
    try {
      await client.write(piece);
    } catch {
      break;
    }
    sent += piece.length;
    if (pauseMs > 0) await sleep(pauseMs);
  }
  return sent;
}

describe("lingering close after a response that leaves the request body unread", () => {
  it("a client that reads only after sending its whole body (256 KiB) gets the complete response every time", async () => {
    const app = uploadApp();
    const port = await h.listen(app);
    const figures: string[] = [];
    for (const [path, status, text] of ROUTES) {
      const rounds = 20;
      let complete = 0;
      let slowestRelease = 0;
      for (let round = 0; round < rounds; round++) {
        const client = await h.raw(port);
        // Not reading while sending: the response waits in the kernel until the upload is done.
        client.socket.pause();
        await client.write(head(path, LINGER_BYTES));
        const sent = await upload(client, LINGER_BYTES, 1);
        client.socket.resume();
        const res = await client.readResponse({ timeout: 3000 }).catch(() => undefined);
        const ok =
          sent === LINGER_BYTES &&
          res?.status === status &&
          res.headers["connection"] === "close" &&
          res.body.toString().includes(text);
        if (ok) complete += 1;
        // The server half-closed after the response; the client closes on that EOF, and the
        // server must then let go of the socket.
        const t0 = Date.now();
        expect(await client.waitEnd(LINGER_MS)).toBe(true);
        client.destroy();
        expect(await waitFor(() => openServerSockets(app) === 0, LINGER_MS + 500)).toBe(true);
        slowestRelease = Math.max(slowestRelease, Date.now() - t0);
      }
      figures.push(
        `${path}: ${complete}/${rounds} complete ${status}s, socket released ≤ ${slowestRelease} ms`,
      );
      expect(complete, `${path}: responses lost to a reset`).toBe(rounds);
    }
    console.log(`[lingering close] body sent before reading: ${figures.join("; ")}`);
  }, 30_000);

  it("8 MiB uploaded slowly by a client that reads while sending and stops at the response: complete every time, socket released at once", async () => {
    const app = uploadApp();
    const port = await h.listen(app);
    const figures: string[] = [];
    for (const [path, status, text] of ROUTES) {
      const rounds = 20;
      let complete = 0;
      let slowestRelease = 0;
      let mostSent = 0;
      for (let round = 0; round < rounds; round++) {
        const client = await h.raw(port);
        await client.write(head(path, 8 * MiB));
        const sent = await upload(client, 8 * MiB, 1, () => client.pending.includes("\r\n\r\n"));
        mostSent = Math.max(mostSent, sent);
        const res = await client.readResponse({ timeout: 3000 }).catch(() => undefined);
        if (res?.status === status && res.body.toString().includes(text)) complete += 1;
        const t0 = Date.now();
        expect(await client.waitEnd(LINGER_MS)).toBe(true);
        client.destroy();
        expect(await waitFor(() => openServerSockets(app) === 0, LINGER_MS + 500)).toBe(true);
        slowestRelease = Math.max(slowestRelease, Date.now() - t0);
      }
      figures.push(
        `${path}: ${complete}/${rounds} complete ${status}s, ≤ ${mostSent / KiB} KiB sent, ` +
          `socket released ≤ ${slowestRelease} ms`,
      );
      expect(complete, `${path}: responses lost`).toBe(rounds);
      // The client saw the response long before its body was done, and the server did not wait
      // for the time bound to let go.
      expect(mostSent).toBeLessThan(8 * MiB);
      expect(slowestRelease).toBeLessThan(LINGER_MS / 2);
    }
    console.log(`[lingering close] 8 MiB, reading while sending: ${figures.join("; ")}`);
  }, 30_000);

  it("time bound: a client that stops mid-body but keeps the connection open is dropped after ~2 s", async () => {
    const app = uploadApp();
    const port = await h.listen(app);
    // allowHalfOpen: the client does not answer the server's FIN with its own.
    const client = await h.raw(port, { allowHalfOpen: true });
    await client.write(head("/ignore", 8 * MiB));
    await upload(client, 4 * CHUNK, 0);
    const res = await client.readResponse({ timeout: 3000 });
    expect(res.status).toBe(200);
    expect(res.headers["connection"]).toBe("close");
    const t0 = Date.now();
    expect(await client.waitEnd(500)).toBe(true); // the server's FIN, right after the response
    expect(await waitFor(() => openServerSockets(app) === 0, LINGER_MS + 1000)).toBe(true);
    const held = Date.now() - t0;
    console.log(`[lingering close] time bound: a stalled upload was held ${held} ms after the response`);
    expect(held).toBeGreaterThanOrEqual(LINGER_MS - 100);
    expect(held).toBeLessThan(LINGER_MS + 500);
  }, 10_000);

  it("byte bound: a client that keeps uploading at full speed gets 256 KiB read after the response, then is stalled and dropped 500 ms later", async () => {
    const app = uploadApp();
    const port = await h.listen(app);
    const client = await h.raw(port, { allowHalfOpen: true });
    const total = 64 * MiB;
    await client.write(head("/ignore", total, "byte-bound"));
    const sending = upload(client, total, 0);
    expect((await client.readResponse({ timeout: 3000 })).status).toBe(200);
    const t0 = Date.now();
    const sent = await sending;
    expect(await waitFor(() => openServerSockets(app) === 0, LINGER_MS + 1000)).toBe(true);
    const held = Date.now() - t0;
    const server = serverSockets.get("byte-bound");
    expect(server).toBeDefined();
    const drained = server!.socket.bytesRead - server!.readAtResponse;
    console.log(
      `[lingering close] byte bound: server read ${(drained / KiB).toFixed(0)} KiB after the response ` +
        `(the client got ${(sent / MiB).toFixed(1)} MiB into the connection), socket released ${held} ms later`,
    );
    // The budget, the read (≤ 64 KiB) that crossed it, then what the paused stream still reads to
    // fill its buffer (a paused Readable reads ahead up to its highWaterMark: 16 KiB on Node 20,
    // 64 KiB from Node 22) plus the one read that crosses that mark.
    const readAhead = server!.socket.readableHighWaterMark + CHUNK;
    expect(drained).toBeGreaterThanOrEqual(LINGER_BYTES);
    expect(drained).toBeLessThanOrEqual(LINGER_BYTES + CHUNK + readAhead);
    expect(sent).toBeLessThan(total);
    expect(held).toBeGreaterThanOrEqual(LINGER_GRACE_MS - 100);
    expect(held).toBeLessThan(LINGER_MS);
  }, 10_000);

  it("close() does not wait for a lingering socket: it is destroyed at once", async () => {
    const app = uploadApp();
    const port = await h.listen(app);
    const client = await h.raw(port, { allowHalfOpen: true });
    await client.write(head("/ignore", 8 * MiB));
    await upload(client, 4 * CHUNK, 0);
    expect((await client.readResponse({ timeout: 3000 })).status).toBe(200);
    expect(await client.waitEnd(500)).toBe(true);
    expect(openServerSockets(app)).toBe(1); // lingering, the client neither sends nor closes
    const t0 = Date.now();
    await app.close();
    const closeMs = Date.now() - t0;
    console.log(`[lingering close] close() with a lingering socket took ${closeMs} ms`);
    expect(closeMs).toBeLessThan(200);
  });
});
