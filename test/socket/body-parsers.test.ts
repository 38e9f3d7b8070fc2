import "reflect-metadata";
// Plugin body parsers (app.addBodyParser) over a real socket: a declared Content-Length over the
// parser's limit is a 413 before a byte of the body is sent; a chunked body is cut with a 413 as
// soon as it passes the limit; a client that leaves mid-body aborts the parser's signal, and
// nothing ends up as an unhandled rejection or an uncaught exception.
import { afterEach, describe, expect, it } from "vitest";
import { Body, Controller, Post } from "@flagon/core";
import { csvPlugin, recorder } from "../plugins/seams/body-parser-plugins.js";
import { deferred, harness, HOST, sleep, watchProcessErrors, within } from "./helpers.js";

const h = harness();
afterEach(() => h.cleanup());

@Controller()
class Csv {
  @Post("/csv")
  csv(@Body(undefined, { accept: ["csv"] }) rows: string[][]) {
    return { rows: rows.length };
  }
}

const LIMIT = 64;

function chunked(chunks: readonly string[]): string {
  return chunks.map((c) => `${Buffer.byteLength(c).toString(16)}\r\n${c}\r\n`).join("") + "0\r\n\r\n";
}

async function csvApp() {
  const record = recorder();
  const app = h.app({ controllers: [Csv], plugins: [csvPlugin(record, { limit: LIMIT })] });
  const port = await h.listen(app);
  return { record, port };
}

describe("plugin body parsers over a socket", () => {
  it("a declared Content-Length over the limit: 413 before the body is sent, the parser never runs", async () => {
    const { record, port } = await csvApp();
    const client = await h.raw(port);
    await client.write(
      `POST /csv HTTP/1.1\r\nHost: ${HOST}\r\nContent-Type: text/csv\r\nContent-Length: ${LIMIT + 1}\r\n\r\n`,
    );
    const res = await client.readResponse({ timeout: 3000 });
    expect(res.status).toBe(413);
    expect(record.calls).toEqual([]);
  });

  it("chunked: exactly the limit passes; one byte more is a 413 the parser's stream reported", async () => {
    const { record, port } = await csvApp();
    const row = "x".repeat(LIMIT / 2);
    const at = await h.raw(port);
    await at.write(
      `POST /csv HTTP/1.1\r\nHost: ${HOST}\r\nContent-Type: text/csv\r\nTransfer-Encoding: chunked\r\n\r\n` +
        chunked([row, row]),
    );
    const ok = await at.readResponse();
    expect([ok.status, ok.body.toString()]).toEqual([200, '{"rows":1}']);

    const over = await h.raw(port);
    await over.write(
      `POST /csv HTTP/1.1\r\nHost: ${HOST}\r\nContent-Type: text/csv\r\nTransfer-Encoding: chunked\r\n\r\n` +
        chunked([row, `${row}y`]),
    );
    const refused = await over.readResponse();
    expect(refused.status).toBe(413);
    expect(record.calls.map((c) => c.outcome)).toEqual(["ended", "413"]);
  });

  it("chunked, the limit passed early: the 413 goes out while the client still sends", async () => {
    const { record, port } = await csvApp();
    const client = await h.raw(port);
    await client.write(
      `POST /csv HTTP/1.1\r\nHost: ${HOST}\r\nContent-Type: text/csv\r\nTransfer-Encoding: chunked\r\n\r\n` +
        `${(LIMIT * 2).toString(16)}\r\n${"z".repeat(LIMIT * 2)}\r\n`,
    );
    // No terminating chunk: the body is not over, and the answer does not wait for it.
    const res = await client.readResponse({ timeout: 3000 });
    expect(res.status).toBe(413);
    expect(record.calls.map((c) => c.outcome)).toEqual(["413"]);
  });

  it("a client that leaves mid-body: the parser sees its signal abort, no unhandled rejection", async () => {
    const watch = watchProcessErrors();
    h.defer(() => watch.dispose());
    const app = h.app();
    const started = deferred();
    const aborted = deferred<unknown>();
    const streamFailed = deferred<unknown>();
    app.addBodyParser("text/csv", async ({ stream, signal }) => {
      signal.addEventListener("abort", () => aborted.resolve(signal.reason));
      started.resolve();
      try {
        for await (const _chunk of stream) void _chunk;
      } catch (error) {
        streamFailed.resolve(error);
        throw error;
      }
      return "never";
    });
    app.post("/csv", async (ctx) => ({ rows: await ctx.body(["text/csv"]) }));
    const port = await h.listen(app);
    const client = await h.raw(port);
    await client.write(
      `POST /csv HTTP/1.1\r\nHost: ${HOST}\r\nContent-Type: text/csv\r\nContent-Length: 50\r\n\r\n0123456789`,
    );
    await within(started.promise, 3000, "the parser to start");
    client.socket.resetAndDestroy();
    expect(await within(aborted.promise, 3000, "the parser's signal to abort")).toMatchObject({
      name: "AbortError",
    });
    expect(await within(streamFailed.promise, 3000, "the parser's stream to fail")).toMatchObject({
      status: 400,
    });
    await sleep(100);
    expect(watch.errors).toEqual([]);
  });

  it("a parser that never reads its stream and the client leaves: no uncaught stream error", async () => {
    const watch = watchProcessErrors();
    h.defer(() => watch.dispose());
    const app = h.app();
    const started = deferred();
    const done = deferred<boolean>();
    app.addBodyParser("text/csv", async ({ signal }) => {
      started.resolve();
      await new Promise((resolve) => signal.addEventListener("abort", resolve));
      done.resolve(signal.aborted);
      return "ignored";
    });
    app.post("/csv", async (ctx) => ({ rows: await ctx.body(["text/csv"]) }));
    const port = await h.listen(app);
    const client = await h.raw(port);
    await client.write(
      `POST /csv HTTP/1.1\r\nHost: ${HOST}\r\nContent-Type: text/csv\r\nContent-Length: 50\r\n\r\n01234`,
    );
    await within(started.promise, 3000, "the parser to start");
    client.socket.resetAndDestroy();
    expect(await within(done.promise, 3000, "the parser to see the abort")).toBe(true);
    await sleep(100);
    expect(watch.errors).toEqual([]);
  });
});
