import "reflect-metadata";
// Issue 6: requests node's parser refuses (or that time out) are answered by the adapter's
// `clientError` handler with a complete minimal response — `400 Bad Request` (431 for oversized
// headers, 408 for a timeout), `Content-Length: 0`, `Connection: close` — and only where those
// bytes cannot land inside or ahead of a response still owed on the connection. node's own
// answer had no Content-Length, and it wrote its 400 in place of the response to a good request
// pipelined before the malformed one (then destroyed the socket, cutting a response in progress).
import { Writable } from "node:stream";
import { stream } from "@flagon/core";
import { afterEach, describe, expect, it } from "vitest";
import { harness, HOST, openServerSockets, sleep, waitFor } from "./helpers.js";

const h = harness();
afterEach(() => h.cleanup());

const GARBAGE = "G\u0001T /nope HTTP/1.1\r\nHost: x\r\n\r\n";

function logCapture(): { stream: Writable; lines: () => Array<Record<string, unknown>> } {
  let text = "";
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString("utf8");
      done();
    },
  });
  return {
    stream: out,
    lines: () =>
      text
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

function errorApp(options: { server?: Record<string, number>; log?: Writable } = {}) {
  const app = h.app({
    ...(options.log ? { logger: { level: "debug", stream: options.log } } : {}),
    config: options.server ? { server: options.server } : {},
  });
  app.get("/slow", async () => {
    await sleep(50);
    return "slow answer";
  });
  async function* parts() {
    for (let i = 0; i < 4; i++) {
      yield Buffer.from(`part ${i};`);
      await sleep(40);
    }
  }
  app.get("/stream", () => stream(parts(), { headers: { "content-type": "text/plain" } }));
  return app;
}

describe("clientError: the adapter's answer to requests node cannot parse", () => {
  it("a malformed request line → 400 with Content-Length: 0 and Connection: close, then the server closes", async () => {
    const logs = logCapture();
    const app = errorApp({ log: logs.stream });
    const port = await h.listen(app);
    const client = await h.raw(port);
    await client.write(GARBAGE);
    const responses = await client.readResponsesUntilClose(2000);
    expect(responses).toHaveLength(1);
    const res = responses[0]!;
    expect(`${res.status} ${res.statusText}`).toBe("400 Bad Request");
    expect(res.headers["content-length"]).toBe("0");
    expect(res.headers["connection"]).toBe("close");
    expect(client.error).toBeUndefined();
    expect(await waitFor(() => openServerSockets(app) === 0, 1000)).toBe(true);
    const logged = logs.lines().find((line) => String(line["msg"]).startsWith("client error"));
    expect(logged?.["level"]).toBe(20); // debug
    expect(logged?.["code"]).toBe("HPE_INVALID_METHOD");
    console.log(`[client error] malformed request line: ${JSON.stringify(res.head)}`);
  });

  it("headers over the size limit → 431 with Content-Length: 0", async () => {
    const app = errorApp();
    const port = await h.listen(app);
    const client = await h.raw(port);
    await client.write(`GET /slow HTTP/1.1\r\nHost: ${HOST}\r\nX-Big: ${"a".repeat(20 * 1024)}\r\n\r\n`);
    const [res] = await client.readResponsesUntilClose(2000);
    expect(res?.status).toBe(431);
    expect(res?.headers["content-length"]).toBe("0");
    expect(res?.headers["connection"]).toBe("close");
  });

  it("a head that never completes → 408 with Content-Length: 0 at headersTimeout", async () => {
    const app = errorApp({ server: { headersTimeout: 300, requestTimeout: 2000 } });
    const port = await h.listen(app);
    const client = await h.raw(port);
    const t0 = Date.now();
    await client.write(`GET /slow HTTP/1.1\r\nHost: ${HOST}\r\nX-Slow: a`);
    const [res] = await client.readResponsesUntilClose(2500);
    expect(res?.status).toBe(408);
    expect(res?.headers["content-length"]).toBe("0");
    expect(res?.headers["connection"]).toBe("close");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
  });

  it("a malformed request pipelined behind a good one: the good one's response arrives whole and first, then its 400, then the connection closes", async () => {
    const app = errorApp();
    const port = await h.listen(app);
    const outcomes: string[] = [];
    for (const [path, body] of [
      ["/slow", "slow answer"],
      ["/stream", "part 0;part 1;part 2;part 3;"],
    ] as const) {
      for (let round = 0; round < 5; round++) {
        const client = await h.raw(port);
        await client.write(`GET ${path} HTTP/1.1\r\nHost: ${HOST}\r\n\r\n${GARBAGE}`);
        const responses = await client.readResponsesUntilClose(3000);
        expect(responses[0]?.status, `${path}: the good request's answer`).toBe(200);
        expect(responses[0]?.body.toString()).toBe(body);
        // Then the refusal of the malformed one, well-formed; no reset.
        expect(responses.map((r) => r.status)).toEqual([200, 400]);
        expect(responses[1]?.headers["content-length"]).toBe("0");
        expect(responses[1]?.headers["connection"]).toBe("close");
        expect(client.pending.length).toBe(0);
        expect(client.error).toBeUndefined();
        if (round === 0) outcomes.push(`${path} + garbage → [${responses.map((r) => r.status).join(", ")}]`);
      }
    }
    expect(await waitFor(() => openServerSockets(app) === 0, 1000)).toBe(true);
    console.log(`[client error] pipelined behind a good request: ${outcomes.join("; ")}, then closed`);
  });
});
