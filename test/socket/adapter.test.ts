import "reflect-metadata";
// The Node adapter over real sockets (RELIABILITY rows 1 and 25): listen(), JSON round-trips,
// HEAD on the wire, keep-alive and pipelining, body limits enforced on the socket (chunked, and
// Content-Length refused before the body is read), a throwing handler, and aborting clients.
import http from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import type { Context } from "@flagon/core";
import { deferred, harness, HOST, sleep, watchProcessErrors, within } from "./helpers.js";

const h = harness();
afterEach(() => h.cleanup());

describe("node adapter over a real socket", () => {
  it("listen({ port: 0 }) resolves with { address, port, url } and serves on it", async () => {
    const app = h.app();
    app.get("/", () => "Hello, World!");
    const info = await app.listen({ port: 0, host: HOST });
    expect(info.address).toBe(HOST);
    expect(typeof info.port).toBe("number");
    expect(info.port).toBeGreaterThan(0);
    expect(info.url.replace(/\/$/, "")).toBe(`http://${HOST}:${info.port}`);
    const res = await fetch(`http://${HOST}:${info.port}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await res.text()).toBe("Hello, World!");
  });

  it("listen() without a host binds to 127.0.0.1", async () => {
    const app = h.app();
    app.get("/", () => "ok");
    const info = await app.listen({ port: 0 });
    expect(info.address).toBe(HOST);
    expect(info.port).toBeGreaterThan(0);
  });

  it("round-trips JSON with fetch (GET and POST)", async () => {
    const app = h.app();
    app.get("/items", () => [{ id: 1, name: "flagon" }]);
    app.post("/echo", async (ctx: Context) => {
      const body = await ctx.request.json();
      ctx.response.status = 201;
      return { received: body, method: ctx.request.method };
    });
    const port = await h.listen(app);

    const get = await fetch(`http://${HOST}:${port}/items`);
    expect(get.status).toBe(200);
    expect(get.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await get.json()).toEqual([{ id: 1, name: "flagon" }]);

    const payload = { name: "ünïcødé ✓", nested: { n: 42, list: [true, null, "x"] } };
    const post = await fetch(`http://${HOST}:${port}/echo`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(payload),
    });
    expect(post.status).toBe(201);
    expect(post.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await post.json()).toEqual({ received: payload, method: "POST" });
  });

  it("HEAD over the wire has the GET headers, a Content-Length and no body", async () => {
    const app = h.app();
    app.get("/page", () => "<p>some page body</p>");
    const port = await h.listen(app);

    const client = await h.raw(port);
    await client.write(`GET /page HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`);
    const get = await client.readResponse();
    expect(get.status).toBe(200);
    const getLength = Buffer.byteLength("<p>some page body</p>");
    expect(get.body.length).toBe(getLength);

    // Same connection: HEAD, then a GET. If HEAD leaked a body, the next response would be garbage.
    await client.write(`HEAD /page HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`);
    const head = await client.readResponse({ head: true });
    expect(head.status).toBe(200);
    expect(head.headers["content-length"]).toBe(String(getLength));
    expect(head.headers["content-type"]).toBe(get.headers["content-type"]);
    await client.write(`GET /page HTTP/1.1\r\nHost: ${HOST}\r\nConnection: close\r\n\r\n`);
    const after = await client.readResponse();
    expect(after.status).toBe(200);
    expect(after.body.toString()).toBe("<p>some page body</p>");

    // And on its own connection, nothing at all follows the HEAD response's header block.
    const c2 = await h.raw(port);
    await c2.write(`HEAD /page HTTP/1.1\r\nHost: ${HOST}\r\nConnection: close\r\n\r\n`);
    const all = await c2.readUntilClose(3000);
    const text = all.toString("latin1");
    const end = text.indexOf("\r\n\r\n");
    expect(end).toBeGreaterThan(0);
    expect(text.slice(0, 12)).toBe("HTTP/1.1 200");
    expect(all.length - (end + 4)).toBe(0);
  });

  it("keeps the connection alive: the second request reuses the socket (http.Agent)", async () => {
    const app = h.app();
    app.get("/n/<int:n>", (ctx: Context) => ({ n: ctx.request.params["n"] }));
    const port = await h.listen(app);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    h.defer(() => agent.destroy());

    const request = (path: string) =>
      new Promise<{ status: number; body: string; reused: boolean; connection: string | undefined }>(
        (resolve, reject) => {
          const req = http.get({ host: HOST, port, path, agent }, (res) => {
            let body = "";
            res.setEncoding("utf8");
            res.on("data", (d: string) => (body += d));
            res.on("end", () =>
              resolve({
                status: res.statusCode ?? 0,
                body,
                reused: req.reusedSocket,
                connection: res.headers.connection,
              }),
            );
          });
          req.on("error", reject);
        },
      );

    const first = await request("/n/1");
    expect(first.status).toBe(200);
    expect(JSON.parse(first.body)).toEqual({ n: 1 });
    expect(first.reused).toBe(false);
    expect(first.connection?.toLowerCase()).not.toBe("close");
    const second = await request("/n/2");
    expect(second.status).toBe(200);
    expect(JSON.parse(second.body)).toEqual({ n: 2 });
    expect(second.reused).toBe(true);
  });

  it("answers two pipelined requests on one raw connection, in order", async () => {
    const app = h.app();
    app.get("/slow", async () => {
      await sleep(50);
      return "first";
    });
    app.get("/fast", () => "second");
    const port = await h.listen(app);
    const client = await h.raw(port);
    await client.write(
      `GET /slow HTTP/1.1\r\nHost: ${HOST}\r\n\r\nGET /fast HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`,
    );
    const a = await client.readResponse();
    const b = await client.readResponse();
    expect([a.status, a.body.toString()]).toEqual([200, "first"]);
    expect([b.status, b.body.toString()]).toEqual([200, "second"]);
    expect(client.eof).toBe(false);
  });

  describe("body limit on the socket (config.bodyLimit: 1024)", () => {
    function limitedApp() {
      const app = h.app({ config: { bodyLimit: 1024 } });
      let handled = 0;
      app.post("/upload", async (ctx: Context) => {
        const bytes = await ctx.request.bytes();
        handled++;
        return { length: bytes.length };
      });
      return { app, handledCount: () => handled };
    }

    function chunkedRequest(total: number, chunkSize = 256): string {
      let out = `POST /upload HTTP/1.1\r\nHost: ${HOST}\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n`;
      for (let sent = 0; sent < total; sent += chunkSize) {
        const n = Math.min(chunkSize, total - sent);
        out += `${n.toString(16)}\r\n${"x".repeat(n)}\r\n`;
      }
      return out + "0\r\n\r\n";
    }

    it("a chunked body of exactly the limit is accepted", async () => {
      const { app } = limitedApp();
      const port = await h.listen(app);
      const client = await h.raw(port);
      await client.write(chunkedRequest(1024));
      const res = await client.readResponse();
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body.toString())).toEqual({ length: 1024 });
    });

    it("a chunked body over the limit → 413", async () => {
      const { app, handledCount } = limitedApp();
      const port = await h.listen(app);
      const client = await h.raw(port);
      await client.write(chunkedRequest(2048)).catch(() => undefined);
      const res = await client.readResponse();
      expect(res.status).toBe(413);
      expect(handledCount()).toBe(0);
    });

    it("a chunked body over the limit, still being sent, gets its 413 without the rest", async () => {
      const { app } = limitedApp();
      const port = await h.listen(app);
      const client = await h.raw(port);
      // 1 KiB + 1 byte, and then nothing more: the terminating chunk never comes.
      await client.write(
        `POST /upload HTTP/1.1\r\nHost: ${HOST}\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n` +
          `401\r\n${"x".repeat(1025)}\r\n`,
      );
      const res = await client.readResponse({ timeout: 3000 });
      expect(res.status).toBe(413);
    });

    it("a Content-Length over the limit → 413 before the body is sent", async () => {
      const { app, handledCount } = limitedApp();
      const port = await h.listen(app);
      const client = await h.raw(port);
      const started = Date.now();
      // Announce 10 MB, send 16 bytes, and never send the rest.
      await client.write(
        `POST /upload HTTP/1.1\r\nHost: ${HOST}\r\nContent-Type: application/octet-stream\r\nContent-Length: 10000000\r\n\r\n` +
          "0123456789abcdef",
      );
      const res = await client.readResponse({ timeout: 3000 });
      expect(res.status).toBe(413);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(handledCount()).toBe(0);
    });

    it("the server keeps serving after a 413", async () => {
      const { app } = limitedApp();
      const port = await h.listen(app);
      const client = await h.raw(port);
      await client.write(
        `POST /upload HTTP/1.1\r\nHost: ${HOST}\r\nContent-Type: application/octet-stream\r\nContent-Length: 10000000\r\n\r\n`,
      );
      expect((await client.readResponse()).status).toBe(413);
      const ok = await fetch(`http://${HOST}:${port}/upload`, {
        method: "POST",
        headers: { "content-type": "application/octet-stream" },
        body: "small",
      });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ length: 5 });
    });
  });

  it("a throwing handler → 500, no internal message, and the server keeps serving", async () => {
    const app = h.app();
    app.get("/boom", () => {
      throw new Error("secret internals: db password is hunter2");
    });
    app.get("/reject", async () => {
      await sleep(1);
      throw new TypeError("async secret internals");
    });
    app.get("/ok", () => ({ ok: true }));
    const port = await h.listen(app);

    for (const path of ["/boom", "/reject"]) {
      for (const accept of ["application/json", "text/html"]) {
        const res = await fetch(`http://${HOST}:${port}${path}`, { headers: { accept } });
        expect(res.status).toBe(500);
        const body = await res.text();
        expect(body).not.toContain("secret internals");
        expect(body).not.toMatch(/\bat .*\.(ts|js):\d+/); // no stack frames
      }
    }
    const next = await fetch(`http://${HOST}:${port}/ok`);
    expect(next.status).toBe(200);
    expect(await next.json()).toEqual({ ok: true });

    // The same keep-alive connection stays usable after a 500.
    const client = await h.raw(port);
    await client.write(`GET /boom HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`);
    expect((await client.readResponse()).status).toBe(500);
    await client.write(`GET /ok HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`);
    expect((await client.readResponse()).status).toBe(200);
  });

  it("clients aborting mid-request (body, or waiting for a response) crash nothing", async () => {
    const watch = watchProcessErrors();
    h.defer(() => watch.dispose());
    const app = h.app();
    const bodyStarted = deferred();
    const bodySettled = deferred<string>();
    const slowStarted = deferred();
    const slowFinished = deferred();
    app.post("/upload", async (ctx: Context) => {
      bodyStarted.resolve();
      try {
        const b = await ctx.request.bytes();
        bodySettled.resolve(`read ${b.length}`);
        return { length: b.length };
      } catch (e) {
        bodySettled.resolve(`rejected ${(e as Error)?.constructor?.name}`);
        throw e;
      }
    });
    app.get("/slow", async () => {
      slowStarted.resolve();
      await sleep(150);
      slowFinished.resolve();
      return { late: true };
    });
    app.get("/ok", () => "ok");
    const port = await h.listen(app);

    // 1. Abort while the handler is reading a body that never completes.
    const c1 = await h.raw(port);
    await c1.write(
      `POST /upload HTTP/1.1\r\nHost: ${HOST}\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000\r\n\r\n` +
        "x".repeat(100),
    );
    await within(bodyStarted.promise, 3000, "the upload handler to start");
    c1.socket.resetAndDestroy();
    const outcome = await within(bodySettled.promise, 3000, "the body reader to settle after the abort");
    expect(outcome).not.toBe("read 1000");

    // 2. Abort while the handler is still working; the late response goes nowhere.
    const c2 = await h.raw(port);
    await c2.write(`GET /slow HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`);
    await within(slowStarted.promise, 3000, "the slow handler to start");
    c2.destroy();
    await within(slowFinished.promise, 3000, "the slow handler to finish");

    // 3. Abort with fetch's AbortController in the middle of a request.
    const ac = new AbortController();
    const aborted = fetch(`http://${HOST}:${port}/slow`, { signal: ac.signal }).catch((e: unknown) => e);
    await sleep(20);
    ac.abort();
    expect(await aborted).toBeInstanceOf(Error);

    await sleep(300); // let any late write / rejection surface
    expect(watch.errors).toEqual([]);
    const res = await fetch(`http://${HOST}:${port}/ok`);
    expect(res.status).toBe(200);
    expect(watch.errors).toEqual([]);
  });
});
