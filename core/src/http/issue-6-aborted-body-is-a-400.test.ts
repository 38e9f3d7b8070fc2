import "reflect-metadata";
// Issue 6 (RELIABILITY rows 12 and 25): a request body that stopped arriving — the client
// disconnected, or node's requestTimeout cut a slow body — rejected the body readers with node's
// raw `ECONNRESET: aborted` error, which the app answered as an unexpected 500 and logged at error
// level with a stack: one error line per slow or vanishing client, found by the reliability fuzz.
// It is the client's doing, so it is now a 400 (as in Fastify), not logged as a server error.
import { Readable, Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, test } from "vitest";
import { Flagon } from "../app/flagon.js";
import { BadRequestError, type HttpError } from "../errors/http-errors.js";
import { limitedChunks, readAll } from "./body.js";

/** A body that sends a few bytes and is then destroyed the way node aborts a request. */
function abortedBody(code = "ECONNRESET"): Readable {
  const stream = new Readable({ read() {} });
  stream.push(Buffer.from("partial"));
  setTimeout(() => stream.destroy(Object.assign(new Error("aborted"), { code })), 5);
  return stream;
}

describe("issue 6: a body the client stopped sending is a 400, not a 500", () => {
  test.each(["ECONNRESET", "ECONNABORTED", "EPIPE", "ERR_STREAM_PREMATURE_CLOSE"])(
    "readAll: %s from the body stream → BadRequestError (400) with the original as cause",
    async (code) => {
      const error = await readAll(abortedBody(code), 1024).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BadRequestError);
      expect((error as HttpError).status).toBe(400);
      expect(((error as Error).cause as NodeJS.ErrnoException).code).toBe(code);
    },
  );

  test("limitedChunks: the same for a streamed body", async () => {
    const read = async () => {
      for await (const _chunk of limitedChunks(abortedBody(), 1024)) {
        // keep reading
      }
    };
    await expect(read()).rejects.toBeInstanceOf(BadRequestError);
  });

  test("any other stream error is passed on unchanged (it stays a 500)", async () => {
    const stream = new Readable({ read() {} });
    const failure = new Error("the disk caught fire");
    setTimeout(() => stream.destroy(failure), 5);
    await expect(readAll(stream, 1024)).rejects.toBe(failure);
  });

  test("through the app: 400, and nothing logged at error level", async () => {
    const lines: Array<{ level: number; msg?: string }> = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split("\n"))
          if (line) lines.push(JSON.parse(line) as { level: number });
        done();
      },
    });
    const app = new Flagon({
      configFile: false,
      logger: pino({ level: "debug" }, sink),
      config: { env: "production" },
    });
    app.post("/upload", async (ctx) => ({ length: (await ctx.request.bytes()).length }));
    await app.ready();
    const { wire: response } = await app.handle({
      method: "POST",
      url: "/upload",
      headers: { host: "localhost", "content-type": "application/octet-stream", "content-length": "100" },
      body: abortedBody(),
      remoteAddress: "127.0.0.1",
      encrypted: false,
    });
    expect(response.status).toBe(400);
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
  });
});
