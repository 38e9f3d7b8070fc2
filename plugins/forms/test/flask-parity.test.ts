import "reflect-metadata";
// The multipart probes of /work/shared/FLASK-REFERENCE.md (§1.4 `form`/`files`, §1.14 limits),
// sent to an app with the plugin installed: the same status and the same body shape as Flask.
import { describe, expect, it } from "vitest";
import type { Context } from "@flagon/core";
import { isUploadedFile } from "../src/index.js";
import { makeApp, multipart, postBody } from "./helpers.js";

/** Flask's probe view: `request.form` as lists and `request.files` as [filename, type, size]. */
function probeApp(limits: Record<string, number> = {}) {
  const app = makeApp({ csrf: { enabled: false }, limits });
  app.post("/probe", async (ctx: Context) => {
    const body = (await ctx.body(["form", "multipart"])) as Record<string, unknown>;
    const form: Record<string, string[]> = {};
    const files: Record<string, [string, string, number]> = {};
    for (const [name, value] of Object.entries(body)) {
      for (const each of Array.isArray(value) ? value : [value]) {
        if (isUploadedFile(each)) files[name] = [each.filename, each.mimetype, each.size];
        else (form[name] ??= []).push(each as string);
      }
    }
    return { form, files };
  });
  app.post("/json", async (ctx: Context) => ({ body: await ctx.body() }));
  return app;
}

describe("Flask parity: multipart forms and uploads", () => {
  it("a repeated field gives every value (urlencoded a=1&b=2&b=3 and multipart)", async () => {
    const app = probeApp();
    const urlencoded = await postBody(app, "/probe", "a=1&b=2&b=3", "application/x-www-form-urlencoded");
    expect(urlencoded.statusCode).toBe(200);
    expect(urlencoded.json()).toEqual({ form: { a: ["1"], b: ["2", "3"] }, files: {} });
    const body = multipart([
      { name: "a", value: "1" },
      { name: "b", value: "2" },
      { name: "b", value: "3" },
    ]);
    expect((await postBody(app, "/probe", body)).json()).toEqual({
      form: { a: ["1"], b: ["2", "3"] },
      files: {},
    });
  });

  it("a file has its filename, type and size (up=x.txt → x.txt, text/plain, 5 bytes)", async () => {
    const body = multipart([{ name: "up", filename: "x.txt", type: "text/plain", value: "hello" }]);
    const res = await postBody(probeApp(), "/probe", body);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ form: {}, files: { up: ["x.txt", "text/plain", 5] } });
  });

  it("a form with no file: the empty file input is not a file", async () => {
    const body = multipart([
      { name: "title", value: "t" },
      { name: "up", filename: "", type: "application/octet-stream", value: "" },
    ]);
    const res = await postBody(probeApp(), "/probe", body);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ form: { title: ["t"] }, files: {} });
  });

  it("a 20 KB upload over a 16 KiB limit is a 413, not a 415, also on a JSON route", async () => {
    const app = probeApp({ totalSize: 16 * 1024 });
    const body = multipart([{ name: "up", filename: "big.bin", value: Buffer.alloc(20_000, 1) }]);
    for (const url of ["/probe", "/json"]) {
      const res = await postBody(app, url, body);
      expect(res.statusCode, url).toBe(413);
    }
  });

  it("MAX_FORM_MEMORY_SIZE and MAX_FORM_PARTS: a 200 B field over 100, 5 parts over 3 → 413", async () => {
    const field = multipart([{ name: "t", value: "x".repeat(200) }]);
    expect((await postBody(probeApp({ fieldSize: 100 }), "/probe", field)).statusCode).toBe(413);
    const parts = multipart(Array.from({ length: 5 }, (_, i) => ({ name: `p${i}`, value: "1" })));
    expect((await postBody(probeApp({ parts: 3 }), "/probe", parts)).statusCode).toBe(413);
  });
});
