import { inject } from "@flagon/core/testing";
import { describe, expect, it } from "vitest";
import type { UploadedFile } from "../src/index.js";
import { makeApp, multipart, BOUNDARY } from "./helpers.js";

const MULTIPART = `multipart/form-data; boundary=${BOUNDARY}`;

describe("ctx.request.files()", () => {
  it("lists the uploaded files field by field, sharing the one parse with ctx.body()", async () => {
    const app = makeApp({ csrf: { enabled: false } });
    app.post("/upload", async (ctx) => {
      const files = await ctx.request.files<UploadedFile>();
      const body = (await ctx.body(["multipart"])) as Record<string, unknown>;
      return {
        files: files.map((f) => ({ field: f.field, filename: f.filename, size: f.size })),
        title: body["title"],
        same: files[0] === (Array.isArray(body["photo"]) ? body["photo"][0] : body["photo"]),
      };
    });
    const payload = multipart([
      { name: "title", value: "holiday" },
      { name: "photo", filename: "a.png", type: "image/png", value: Buffer.alloc(10, 1) },
      { name: "doc", filename: "b.txt", type: "text/plain", value: "hello" },
      { name: "photo", filename: "c.png", type: "image/png", value: Buffer.alloc(3, 2) },
    ]);
    const res = await inject(app, {
      method: "POST",
      url: "/upload",
      headers: { "content-type": MULTIPART },
      body: payload,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      files: [
        { field: "photo", filename: "a.png", size: 10 },
        { field: "photo", filename: "c.png", size: 3 },
        { field: "doc", filename: "b.txt", size: 5 },
      ],
      title: "holiday",
      same: true,
    });
    await app.close();
  });

  it("is empty for a JSON or urlencoded body and for a request with no body", async () => {
    const app = makeApp({ csrf: { enabled: false } });
    app.post("/upload", async (ctx) => ({ count: (await ctx.request.files()).length }));
    for (const [type, payload] of [
      ["application/json", '{"a":1}'],
      ["application/x-www-form-urlencoded", "a=1&b=2"],
    ] as const) {
      const res = await inject(app, {
        method: "POST",
        url: "/upload",
        headers: { "content-type": type },
        body: payload,
      });
      expect(res.json()).toEqual({ count: 0 });
    }
    const empty = await inject(app, { method: "POST", url: "/upload" });
    expect(empty.json()).toEqual({ count: 0 });
    await app.close();
  });

  it("answers a multipart body over the limits with the same 413 as ctx.body()", async () => {
    const app = makeApp({ csrf: { enabled: false }, limits: { fileSize: 4 } });
    app.post("/upload", async (ctx) => ({ count: (await ctx.request.files()).length }));
    const res = await inject(app, {
      method: "POST",
      url: "/upload",
      headers: { "content-type": MULTIPART, accept: "application/json" },
      body: multipart([{ name: "f", filename: "x.bin", value: Buffer.alloc(64) }]),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json<{ detail: string }>().detail).toMatch(/fileSize/);
    await app.close();
  });
});
