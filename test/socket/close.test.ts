import "reflect-metadata";
// Graceful close over real sockets (RELIABILITY row 27): in-flight requests complete, requests
// that arrive while closing get 503 + `Connection: close`, idle keep-alive sockets are closed at
// once, and `config.server.closeTimeout` is a hard deadline that destroys hung sockets.
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { deferred, harness, HOST, sleep, within } from "./helpers.js";

const h = harness();
afterEach(() => h.cleanup());

function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: HOST });
    s.once("connect", () => {
      s.destroy();
      resolve("connected");
    });
    s.once("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

describe("app.close() over real sockets", () => {
  it("lets an in-flight request finish with 200, and resolves only after it", async () => {
    const app = h.app();
    const started = deferred();
    const release = deferred();
    h.defer(() => release.resolve());
    let handlerDone = false;
    app.get("/slow", async () => {
      started.resolve();
      await release.promise;
      handlerDone = true;
      return { done: true };
    });
    const port = await h.listen(app);

    const pending = fetch(`http://${HOST}:${port}/slow`).then(async (r) => ({
      status: r.status,
      body: await r.json(),
      at: Date.now(),
    }));
    await within(started.promise, 3000, "the slow handler to start");

    let closedAt = 0;
    const closing = app.close().then(() => {
      closedAt = Date.now();
    });
    await sleep(200);
    expect(closedAt).toBe(0); // still waiting for the in-flight request

    // No new connections are accepted while closing.
    expect(await tryConnect(port)).toBe("ECONNREFUSED");

    release.resolve();
    const res = await within(pending, 3000, "the in-flight response");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ done: true });
    await within(closing, 3000, "close() to resolve after the in-flight request");
    expect(handlerDone).toBe(true);
    expect(closedAt).toBeGreaterThan(0);
  });

  it("a request arriving on an open keep-alive socket while closing → 503 + Connection: close", async () => {
    const app = h.app();
    const slowStarted = deferred();
    const release = deferred();
    h.defer(() => release.resolve());
    let fastCalls = 0;
    app.get("/fast", () => {
      fastCalls++;
      return "fast";
    });
    app.get("/slow", async () => {
      slowStarted.resolve();
      await release.promise;
      return "slow";
    });
    const port = await h.listen(app);

    // Socket A: one complete keep-alive exchange.
    const a = await h.raw(port);
    await a.write(`GET /fast HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`);
    const first = await a.readResponse();
    expect(first.status).toBe(200);
    expect(first.headers["connection"]?.toLowerCase()).not.toBe("close");
    expect(fastCalls).toBe(1);

    // Socket A starts its second request (head not complete yet): the socket is no longer idle,
    // so close() must not just drop it — the request that completes during close gets a 503.
    await a.write(`GET /fast HTTP/1.1\r\nHost: ${HOST}\r\n`);

    // Socket B: a slow request keeps the server in its closing phase.
    const b = await h.raw(port);
    await b.write(`GET /slow HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`);
    await within(slowStarted.promise, 3000, "the slow handler to start");
    await sleep(100); // let the server parse A's partial head

    const closing = app.close();
    await sleep(100);
    expect(
      a.eof,
      "socket A (request head in progress, not idle) was closed by close() — the client sees a reset instead of a 503",
    ).toBe(false);
    await a.write("\r\n");
    const late = await a.readResponse({ timeout: 3000 });
    expect(late.status).toBe(503);
    expect(late.headers["connection"]?.toLowerCase()).toBe("close");
    expect(fastCalls).toBe(1); // the handler did not run for the late request
    expect(await a.waitEnd(2000)).toBe(true); // …and the server closes the connection

    // The in-flight request on B still completes.
    release.resolve();
    const slow = await b.readResponse({ timeout: 3000 });
    expect(slow.status).toBe(200);
    expect(slow.body.toString()).toBe("slow");
    await within(closing, 3000, "close() to resolve");
  });

  it("an in-flight keep-alive response finished during close says Connection: close, then the socket closes", async () => {
    const app = h.app();
    const started = deferred();
    const release = deferred();
    h.defer(() => release.resolve());
    app.get("/slow", async () => {
      started.resolve();
      await release.promise;
      return "slow";
    });
    const port = await h.listen(app);
    const client = await h.raw(port);
    await client.write(`GET /slow HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`);
    await within(started.promise, 3000, "the slow handler to start");
    const closing = app.close();
    await sleep(50);
    release.resolve();
    const res = await client.readResponse({ timeout: 3000 });
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe("slow");
    expect(res.headers["connection"]?.toLowerCase()).toBe("close");
    expect(await client.waitEnd(1000)).toBe(true);
    await within(closing, 3000, "close() to resolve");
  });

  it("closes idle keep-alive sockets at once: close() resolves quickly", async () => {
    const app = h.app({ config: { server: { keepAliveTimeout: 30_000, closeTimeout: 10_000 } } });
    app.get("/", () => "hi");
    const port = await h.listen(app);
    const clients = await Promise.all([h.raw(port), h.raw(port), h.raw(port)]);
    for (const c of clients) {
      await c.write(`GET / HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`);
      expect((await c.readResponse()).status).toBe(200);
    }
    await sleep(50);

    const t0 = Date.now();
    await within(app.close(), 3000, "close() with only idle keep-alive sockets");
    expect(Date.now() - t0).toBeLessThan(1000);
    for (const c of clients) expect(await c.waitEnd(1000)).toBe(true);
  });

  it("closes a connection that never sent a byte at once: close() resolves quickly", async () => {
    // e.g. a browser's speculative preconnect: connected, nothing sent, nothing in flight.
    const app = h.app({ config: { server: { keepAliveTimeout: 30_000, closeTimeout: 10_000 } } });
    app.get("/", () => "hi");
    const port = await h.listen(app);
    const silent = await h.raw(port);
    await sleep(50);

    const t0 = Date.now();
    await within(app.close(), 3000, "close() with one connected but silent socket");
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(await silent.waitEnd(1000)).toBe(true);
  });

  it("closeTimeout (200 ms) is a hard deadline: a hung handler's socket is destroyed", async () => {
    const app = h.app({ config: { server: { closeTimeout: 200 } } });
    const started = deferred();
    const never = deferred();
    h.defer(() => never.resolve());
    app.get("/hang", async () => {
      started.resolve();
      await never.promise;
      return "too late";
    });
    const port = await h.listen(app);
    const client = await h.raw(port);
    await client.write(`GET /hang HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`);
    await within(started.promise, 3000, "the hung handler to start");

    const t0 = Date.now();
    await within(app.close(), 3000, "close() with a hung request and closeTimeout 200");
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(150);
    expect(elapsed).toBeLessThan(2000);
    expect(await client.waitEnd(1000)).toBe(true);
    // The client got no (fake) success for its request.
    expect(client.pending.toString("latin1")).not.toMatch(/^HTTP\/1\.1 200/);
  });

  it("close() on an app that never listened, or twice, resolves", async () => {
    const app = h.app();
    app.get("/", () => "x");
    await within(app.close(), 2000, "close() before listen");
    const app2 = h.app();
    app2.get("/", () => "x");
    await h.listen(app2);
    await within(Promise.all([app2.close(), app2.close()]), 2000, "two concurrent close() calls");
    await within(app2.close(), 2000, "close() after close()");
  });
});
