import "reflect-metadata";
// Temporary upload files are removed when the request ends, however it ends: a client that
// goes away mid-body, a body too slow for server.requestTimeout, a handler that throws, a
// malformed or over-limit body, a temp dir that cannot be written (RELIABILITY row 8:
// temp files left = 0).
import { readdirSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Context, Flagon } from "@flagon/core";
import { makeApp, MULTIPART, multipart, postBody, useTempDirs } from "./helpers.js";

const tempDir = useTempDirs("flagon-forms-cleanup-");

/** An app writing every upload over 10 bytes to `dir`; `/boom` throws after parsing. */
function uploadApp(dir: string, config: Record<string, unknown> = {}): Flagon {
  const app = makeApp({ csrf: { enabled: false }, tempDir: dir, memoryThreshold: 10 }, { config });
  app.post("/echo", async (ctx: Context) => ({
    keys: Object.keys((await ctx.body(["multipart"])) as object),
  }));
  app.post("/boom", async (ctx: Context) => {
    await ctx.body(["multipart"]);
    throw new Error("the handler failed after the upload was written");
  });
  return app;
}

/** Waits until `dir` is empty (the server notices each end on its own schedule), at most 5 s. */
async function drained(dir: string): Promise<string[]> {
  for (let i = 0; i < 250 && readdirSync(dir).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
  return readdirSync(dir);
}

const BIG = multipart([{ name: "f", filename: "big.bin", value: Buffer.alloc(200_000, 3) }]);

/** Opens a socket, sends the request head and `sent` bytes of the body, then runs `after`. */
function partialUpload(port: number, sent: Buffer, after: (socket: net.Socket) => void): Promise<string> {
  return new Promise<string>((resolve) => {
    let answer = "";
    const socket = net.connect({ port, host: "127.0.0.1" }, () => {
      socket.write(
        `POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: ${MULTIPART}\r\nContent-Length: ${BIG.length}\r\n\r\n`,
      );
      socket.write(sent, () => after(socket));
    });
    socket.on("data", (chunk: Buffer) => (answer += chunk.toString("latin1")));
    socket.on("close", () => resolve(answer));
    socket.on("error", () => resolve(answer));
  });
}

describe("temporary files are removed", () => {
  it("after 1,000 uploads aborted mid-file over real sockets: 0 files left", async () => {
    const dir = tempDir();
    const app = uploadApp(dir);
    const { port } = await app.listen({ port: 0, host: "127.0.0.1" });
    try {
      const head = BIG.subarray(0, 100_000);
      const abort = () => partialUpload(port, head, (socket) => setImmediate(() => socket.destroy()));
      for (let round = 0; round < 50; round++) await Promise.all(Array.from({ length: 20 }, abort));
      const left = await drained(dir);
      console.log(`aborted uploads: 1000, temp files left: ${left.length}`);
      expect(left).toEqual([]);
    } finally {
      await app.close();
    }
  }, 60_000);

  it("when a stalled upload hits server.requestTimeout (408)", async () => {
    const dir = tempDir();
    const app = uploadApp(dir, { server: { requestTimeout: 600, headersTimeout: 300 } });
    const { port } = await app.listen({ port: 0, host: "127.0.0.1" });
    try {
      const head = BIG.subarray(0, 100_000);
      // The client sends half the file, then nothing: the server ends the request itself.
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => partialUpload(port, head, () => undefined)),
      );
      expect(answers.map((answer) => answer.slice(0, 12))).toEqual(Array(20).fill("HTTP/1.1 408"));
      expect(await drained(dir)).toEqual([]);
    } finally {
      await app.close();
    }
  }, 30_000);

  it("when the handler throws after the upload was written (500)", async () => {
    const dir = tempDir();
    const res = await postBody(uploadApp(dir), "/boom", BIG);
    expect(res.statusCode).toBe(500);
    expect(await drained(dir)).toEqual([]);
  });

  it("when the body turns out malformed or over a limit after a file was written (400, 413)", async () => {
    const dir = tempDir();
    const app = uploadApp(dir);
    const cut = BIG.subarray(0, BIG.length - 50);
    const malformed = await postBody(app, "/echo", cut);
    expect(malformed.statusCode).toBe(400);
    const tooMany = multipart([
      { name: "a", filename: "a.bin", value: Buffer.alloc(5000, 1) },
      ...Array.from({ length: 11 }, (_, i) => ({
        name: `f${i}`,
        filename: `${i}.bin`,
        value: "xx".repeat(20),
      })),
    ]);
    const over = await postBody(app, "/echo", tooMany);
    expect(over.statusCode).toBe(413);
    expect(over.body).toContain("forms.limits.files");
    expect(await drained(dir)).toEqual([]);
  });

  it("answers 500 without crashing when the temp dir cannot be written", async () => {
    const dir = tempDir();
    const app = uploadApp(path.join(dir, "missing"));
    const res = await postBody(app, "/echo", BIG);
    expect(res.statusCode).toBe(500);
    const ok = await postBody(app, "/echo", multipart([{ name: "a", value: "1" }]));
    expect(ok.json()).toEqual({ keys: ["a"] });
  });
});
