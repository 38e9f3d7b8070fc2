import "reflect-metadata";
// Server options and the parser's posture over real sockets (RELIABILITY rows 11–13): timeouts
// can never be 0, short timeouts take effect promptly (slowloris headers, slow body),
// insecureHTTPParser is refused, and the known request-smuggling vectors get a 400 with nothing
// processed behind them.
import { afterEach, describe, expect, it } from "vitest";
import { Flagon, FlagonError, type Context } from "@flagon/core";
import {
  expectSmugglingRefused,
  harness,
  HOST,
  sleep,
  SMUGGLED,
  smugglingApp,
  watchProcessErrors,
  type RawClient,
} from "./helpers.js";

const h = harness();
afterEach(() => h.cleanup());

type Options = ConstructorParameters<typeof Flagon>[0];

/** The error thrown by the constructor, or else by listen(); undefined if neither throws. */
async function startupError(options: Options): Promise<unknown> {
  let app: Flagon;
  try {
    app = new Flagon({ logger: false, ...(options as object) });
  } catch (e) {
    return e;
  }
  try {
    await app.listen({ port: 0, host: HOST });
    return undefined;
  } catch (e) {
    return e;
  } finally {
    await app.close().catch(() => undefined);
  }
}

function expectInvalidConfig(err: unknown, key: string): void {
  expect(err, `expected a start-up error for ${key}`).toBeInstanceOf(FlagonError);
  expect((err as FlagonError).code).toBe("FLAGON_ERR_INVALID_CONFIG");
  expect((err as Error).message).toContain(key);
}

/** Collects what a raw client got until the server closed; fails after `timeout` ms. */
async function endedWith(client: RawClient, timeout: number): Promise<{ ms: number; data: string }> {
  const t0 = Date.now();
  const ended = await client.waitEnd(timeout);
  const ms = Date.now() - t0;
  if (!ended) throw new Error(`the server did not answer or close the connection within ${timeout} ms`);
  return { ms, data: client.pending.toString("latin1") };
}

/** "closed without a response" or "408"; anything else is returned as the status line. */
function timeoutOutcome(data: string): string {
  if (data.length === 0) return "closed";
  const status = /^HTTP\/1\.1 (\d{3})/.exec(data)?.[1];
  return status === "408" ? "408" : `unexpected: ${JSON.stringify(data.slice(0, 80))}`;
}

describe("server timeouts are validated", () => {
  it.each([
    ["headersTimeout", 0],
    ["requestTimeout", 0],
    ["keepAliveTimeout", 0],
    ["headersTimeout", -1],
    ["requestTimeout", Number.NaN],
    ["headersTimeout", "abc"],
  ])("config.server.%s = %s → FLAGON_ERR_INVALID_CONFIG", async (key, value) => {
    const err = await startupError({ config: { server: { [key]: value } } });
    expectInvalidConfig(err, key);
  });

  it("config.server.insecureHTTPParser: true → FLAGON_ERR_INVALID_CONFIG", async () => {
    const err = await startupError({ config: { server: { insecureHTTPParser: true } } } as never);
    expectInvalidConfig(err, "insecureHTTPParser");
  });

  it("valid short timeouts are accepted", async () => {
    const app = h.app({
      config: { server: { headersTimeout: 300, requestTimeout: 500, keepAliveTimeout: 200 } },
    });
    app.get("/", () => "ok");
    const port = await h.listen(app);
    const res = await fetch(`http://${HOST}:${port}/`);
    expect(res.status).toBe(200);
  });
});

describe("slowloris: headersTimeout over a raw socket", () => {
  function slowApp() {
    const app = h.app({ config: { server: { headersTimeout: 300, requestTimeout: 2000 } } });
    let handled = 0;
    app.get("/", () => {
      handled++;
      return "ok";
    });
    return { app, handled: () => handled };
  }

  it("a head that stops mid-line is answered 408 or closed within ~2 s", async () => {
    const { app, handled } = slowApp();
    const port = await h.listen(app);
    const client = await h.raw(port);
    await client.write(`GET / HTTP/1.1\r\nHost: ${HOST}\r\nX-Slow: a`);
    const { ms, data } = await endedWith(client, 2500);
    expect(timeoutOutcome(data)).toMatch(/^(closed|408)$/);
    expect(ms).toBeGreaterThanOrEqual(200);
    expect(handled()).toBe(0);
  });

  it("a head dribbled one byte every 100 ms is cut off within ~2 s", async () => {
    const { app, handled } = slowApp();
    const port = await h.listen(app);
    const client = await h.raw(port);
    await client.write(`GET / HTTP/1.1\r\nHost: ${HOST}\r\n`);
    const t0 = Date.now();
    let sent = 0;
    while (!client.eof && Date.now() - t0 < 2500) {
      client.socket.write(sent % 2 === 0 ? "X" : "-", () => undefined);
      sent++;
      await sleep(100);
    }
    const { data } = await endedWith(client, 500);
    expect(timeoutOutcome(data)).toMatch(/^(closed|408)$/);
    expect(Date.now() - t0).toBeLessThan(2600);
    expect(handled()).toBe(0);
  });

  it("a normal request on the same server is unaffected", async () => {
    const { app } = slowApp();
    const port = await h.listen(app);
    const slow = await h.raw(port);
    await slow.write(`GET / HTTP/1.1\r\nHost: ${HOST}\r\nX-Slow: a`);
    const res = await fetch(`http://${HOST}:${port}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("ok");
  });
});

describe("slow body: requestTimeout over a raw socket", () => {
  it("a body dribbled slower than requestTimeout (500 ms) → 408 or close within ~3 s", async () => {
    const watch = watchProcessErrors();
    h.defer(() => watch.dispose());
    const app = h.app({ config: { server: { headersTimeout: 300, requestTimeout: 500 } } });
    let completed = 0;
    app.post("/upload", async (ctx: Context) => {
      const body = await ctx.request.bytes();
      completed++;
      return { length: body.length };
    });
    app.get("/ok", () => "ok");
    const port = await h.listen(app);

    const client = await h.raw(port);
    await client.write(
      `POST /upload HTTP/1.1\r\nHost: ${HOST}\r\nContent-Type: application/octet-stream\r\nContent-Length: 100\r\n\r\n`,
    );
    const t0 = Date.now();
    while (!client.eof && Date.now() - t0 < 3000) {
      client.socket.write("x", () => undefined);
      await sleep(100);
    }
    const { data } = await endedWith(client, 500);
    const elapsed = Date.now() - t0;
    expect(timeoutOutcome(data)).toMatch(/^(closed|408)$/);
    expect(elapsed).toBeGreaterThanOrEqual(300);
    expect(elapsed).toBeLessThan(3100);
    expect(completed).toBe(0);

    await sleep(100);
    expect(watch.errors).toEqual([]);
    const ok = await fetch(`http://${HOST}:${port}/ok`);
    expect(ok.status).toBe(200);
  });
});

describe("request smuggling over a raw socket", () => {
  const teclChunk = `${Buffer.byteLength(SMUGGLED).toString(16)}\r\n${SMUGGLED}\r\n0\r\n\r\n`;

  // [name, bytes on the wire]. Each either hides a second request or is ambiguous about framing.
  const vectors: Array<[string, string]> = [
    [
      "CL.TE: Content-Length and Transfer-Encoding: chunked",
      `POST /echo HTTP/1.1\r\nHost: ${HOST}\r\nContent-Type: text/plain\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`,
    ],
    [
      "TE.CL: Transfer-Encoding: chunked and a short Content-Length",
      `POST /echo HTTP/1.1\r\nHost: ${HOST}\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n${teclChunk}`,
    ],
    [
      "duplicate Content-Length with different values",
      `POST /echo HTTP/1.1\r\nHost: ${HOST}\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nContent-Length: ${5 + Buffer.byteLength(SMUGGLED)}\r\n\r\nhello${SMUGGLED}`,
    ],
    [
      "obs-fold header continuation",
      `GET / HTTP/1.1\r\nHost: ${HOST}\r\nX-Folded: a\r\n b\r\n\r\n${SMUGGLED}`,
    ],
    [
      "obs-fold hiding Transfer-Encoding: chunked",
      `POST /echo HTTP/1.1\r\nHost: ${HOST}\r\nContent-Type: text/plain\r\nTransfer-Encoding: identity\r\n chunked\r\n\r\n${teclChunk}`,
    ],
    ["bare LF line endings", `GET / HTTP/1.1\nHost: ${HOST}\n\n${SMUGGLED}`],
    [
      "whitespace before the colon of Transfer-Encoding",
      `POST /echo HTTP/1.1\r\nHost: ${HOST}\r\nContent-Type: text/plain\r\nTransfer-Encoding : chunked\r\nContent-Length: 5\r\n\r\nhello${SMUGGLED}`,
    ],
    [
      "Transfer-Encoding: chunked, identity (chunked not last)",
      `POST /echo HTTP/1.1\r\nHost: ${HOST}\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked, identity\r\n\r\n${teclChunk}`,
    ],
    [
      "Content-Length with a sign",
      `POST /echo HTTP/1.1\r\nHost: ${HOST}\r\nContent-Type: text/plain\r\nContent-Length: +5\r\n\r\nhello${SMUGGLED}`,
    ],
    [
      "Content-Length as a list",
      `POST /echo HTTP/1.1\r\nHost: ${HOST}\r\nContent-Type: text/plain\r\nContent-Length: 5, 5\r\n\r\nhello${SMUGGLED}`,
    ],
    ["NUL inside a header value", `GET / HTTP/1.1\r\nHost: ${HOST}\r\nX-Nul: a\0b\r\n\r\n${SMUGGLED}`],
    [
      "chunk-size line ended by a bare LF",
      `POST /echo HTTP/1.1\r\nHost: ${HOST}\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n${SMUGGLED}`,
    ],
    ["HTTP/1.1 request without Host", `GET / HTTP/1.1\r\n\r\n${SMUGGLED}`],
  ];

  it.each(vectors)("%s → 400, connection closed, nothing behind it processed", async (_name, wire) => {
    await expectSmugglingRefused(h, wire);
  });

  it("duplicate Host headers → 400", async () => {
    const { app } = smugglingApp(h);
    const port = await h.listen(app);
    const client = await h.raw(port);
    await client.write(`GET / HTTP/1.1\r\nHost: good.example\r\nHost: evil.example\r\n\r\n`);
    const res = await client.readResponse({ timeout: 2000 });
    expect(res.status).toBe(400);
  });

  it("an absolute-form request target is normalised to a path", async () => {
    const app = h.app();
    app.get("/where", (ctx: Context) => ({ path: ctx.request.path, q: ctx.request.query.get("q") }));
    const port = await h.listen(app);
    const client = await h.raw(port);
    await client.write(`GET http://${HOST}:${port}/where?q=1 HTTP/1.1\r\nHost: ${HOST}:${port}\r\n\r\n`);
    const res = await client.readResponse({ timeout: 2000 });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body.toString())).toEqual({ path: "/where", q: "1" });
  });
});
