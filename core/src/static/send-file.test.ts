import { mkdtempSync, rmSync, truncateSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Context } from "../http/context.js";
import type { FlagonResponse } from "../http/response.js";
import { FileResponse, sendFile } from "./send-file.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "flagon-sendfile-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Just what prepare reads from a context. */
function fakeContext(method: string, headers: Record<string, string> = {}): Context {
  return {
    app: { root: dir },
    request: { method, header: (name: string) => headers[name.toLowerCase()] },
  } as unknown as Context;
}

async function drain(response: FlagonResponse): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of response.body as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe("FileResponse", () => {
  it("HEAD and bodyless answers never open the file (the body is null)", async () => {
    writeFileSync(path.join(dir, "a.txt"), "hello");
    const head = await sendFile("a.txt", { root: dir }).prepare(fakeContext("HEAD"));
    expect([head.status, head.body, head.headers.get("content-length")]).toEqual([200, null, "5"]);
  });

  it("opens the file only when the body is read, and reads the promised bytes", async () => {
    writeFileSync(path.join(dir, "b.txt"), "0123456789");
    const response = await sendFile("b.txt", { root: dir }).prepare(
      fakeContext("GET", { range: "bytes=2-5" }),
    );
    expect(response.status).toBe(206);
    expect((await drain(response)).toString()).toBe("2345");
  });

  it("fails the body (cutting the connection) when the file changed or shrank after the headers", async () => {
    const file = path.join(dir, "c.txt");
    writeFileSync(file, "x".repeat(100));
    const replaced = await sendFile(file).prepare(fakeContext("GET"));
    writeFileSync(file, "y".repeat(100));
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    await expect(drain(replaced)).rejects.toThrow(/changed/);

    const shrunk = await sendFile(file).prepare(fakeContext("GET"));
    truncateSync(file, 10);
    await expect(drain(shrunk)).rejects.toThrow(/changed|truncated/);
  });

  it("checks its options where sendFile is called", () => {
    expect(() => sendFile("relative.txt")).toThrow(/absolute path/);
    expect(() => sendFile("/x", { cacheControl: "a\r\nb" })).toThrow(/cache-control/);
    expect(() => sendFile("/x", { etag: "yes" as unknown as boolean })).toThrow(/etag/);
    expect(() => sendFile(3 as unknown as string)).toThrow(/path/);
    expect(sendFile("/x")).toBeInstanceOf(FileResponse);
  });
});
