import "reflect-metadata";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Body, Controller, Ctx, type Context, Post } from "@flagon/core";
import { inject } from "@flagon/core/testing";
import { FormLimit, isUploadedFile, sanitizeFilename, type UploadedFile } from "../src/index.js";
import { makeApp, MULTIPART, multipart, postBody, useTempDirs } from "./helpers.js";

const NO_CSRF = { csrf: { enabled: false } };
const tempDir = useTempDirs("flagon-forms-test-");

function describeValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(describeValue);
  if (isUploadedFile(value)) {
    const file = value;
    return {
      file: true,
      filename: file.filename,
      size: file.size,
      mimetype: file.mimetype,
      inMemory: file.buffer !== undefined,
      onDisk: file.path !== undefined && existsSync(file.path),
    };
  }
  return value;
}

@Controller("/")
class Uploads {
  @Post("/echo")
  echo(@Body(undefined, { accept: ["form", "multipart"] }) body: Record<string, unknown>) {
    const out: Record<string, unknown> = { proto: Object.getPrototypeOf(body) === null };
    for (const key of Object.keys(body)) out[key] = describeValue(body[key]);
    return out;
  }

  @Post("/json-only")
  jsonOnly(@Body() body: unknown) {
    return body;
  }

  @FormLimit({ fileSize: 10, files: 1 })
  @Post("/small")
  small(@Body(undefined, { accept: ["multipart"] }) body: Record<string, unknown>) {
    return { keys: Object.keys(body) };
  }

  @Post("/paths")
  async paths(@Ctx() ctx: Context) {
    const body = (await ctx.body(["multipart"])) as Record<string, UploadedFile>;
    const doc = body["doc"];
    const stored = doc?.path === undefined ? undefined : readFileSync(doc.path);
    return {
      path: doc?.path,
      filename: doc?.filename,
      mimetype: doc?.mimetype,
      mode: doc?.path === undefined ? undefined : statSync(doc.path).mode & 0o777,
      bytes: stored?.toString("utf8"),
    };
  }
}

@FormLimit({ fields: 2, totalSize: 2000 })
@Controller("/limited")
class Limited {
  @Post("/all")
  inherits(@Body(undefined, { accept: ["form", "multipart"] }) body: Record<string, unknown>) {
    return { keys: Object.keys(body) };
  }

  @FormLimit({ fileSize: 5 })
  @Post("/tight")
  tight(@Body(undefined, { accept: ["form", "multipart"] }) body: Record<string, unknown>) {
    return { keys: Object.keys(body) };
  }
}

function app(options: Record<string, unknown> = {}) {
  const a = makeApp({ ...NO_CSRF, ...options });
  a.addController(Uploads, Limited);
  return a;
}

const post = postBody;

describe("multipart parsing", () => {
  it("gives repeated fields as arrays and files with filename, size and the claimed type", async () => {
    const body = multipart([
      { name: "tag", value: "a" },
      { name: "tag", value: "b" },
      { name: "title", value: "héllo" },
      { name: "doc", filename: "report.pdf", type: "Application/PDF", value: "%PDF-1.4 fake" },
    ]);
    const res = await post(app(), "/echo", body);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      proto: true,
      tag: ["a", "b"],
      title: "héllo",
      doc: {
        file: true,
        filename: "report.pdf",
        size: 13,
        mimetype: "application/pdf",
        inMemory: true,
        onDisk: false,
      },
    });
  });

  it("leaves out an empty file input (a form with no file)", async () => {
    const body = multipart([
      { name: "title", value: "x" },
      { name: "doc", filename: "", type: "application/octet-stream", value: "" },
    ]);
    const res = await post(app(), "/echo", body);
    expect(res.json()).toEqual({ proto: true, title: "x" });
  });

  it("writes files above the memory threshold to the temp dir and removes them after the request", async () => {
    const dir = tempDir();
    const a = app({ tempDir: dir, memoryThreshold: 100 });
    const res = await post(
      a,
      "/paths",
      multipart([{ name: "doc", filename: "big.bin", value: Buffer.alloc(5000, 1) }]),
    );
    expect(res.statusCode).toBe(200);
    const file = res.json<{ path: string }>().path;
    expect(path.dirname(file)).toBe(dir);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("never stores a file under the client's filename or Content-Type", async () => {
    const dir = tempDir();
    const content = "<script>alert(1)</script>".repeat(10);
    const body = multipart([
      { name: "doc", filename: "../../www/index.html", type: "text/html", value: content },
    ]);
    const res = await post(app({ tempDir: dir, memoryThreshold: 10 }), "/paths", body);
    const file = res.json<{
      path: string;
      filename: string;
      mimetype: string;
      mode: number;
      bytes: string;
    }>();
    // The stored name is random, without the client's name or an extension from its type, and
    // private to the process's user; the claim is reported as what it is, not acted on.
    expect(path.basename(file.path)).toMatch(/^flagon-upload-[0-9a-f]{8}-[0-9a-f-]{27}$/);
    expect(path.dirname(file.path)).toBe(dir);
    expect(file.mode).toBe(0o600);
    expect(file.bytes).toBe(content);
    expect(file.filename).toBe("index.html");
    expect(file.mimetype).toBe("text/html");
    expect(readdirSync(dir)).toEqual([]);
  });

  it("sanitises filenames", async () => {
    expect(sanitizeFilename("../../etc/passwd")).toBe("passwd");
    expect(sanitizeFilename("C:\\Users\\x\\photo.jpg")).toBe("photo.jpg");
    expect(sanitizeFilename("..")).toBe("file");
    expect(sanitizeFilename('a<b>:"c|?*.txt')).toBe("a_b___c___.txt");
    expect(sanitizeFilename("nul.txt")).toBe("_nul.txt");
    expect(sanitizeFilename("line\r\nbreak.txt")).toBe("line__break.txt");
    expect(Buffer.byteLength(sanitizeFilename(`${"é".repeat(300)}.png`))).toBeLessThanOrEqual(255);
    expect(sanitizeFilename(`${"é".repeat(300)}.png`).endsWith(".png")).toBe(true);
    const res = await post(
      app(),
      "/echo",
      multipart([{ name: "f", filename: "../../../evil.sh", value: "x" }]),
    );
    expect(res.json<{ f: { filename: string } }>().f.filename).toBe("evil.sh");
  });

  it("never lets field names reach a prototype", async () => {
    const body = multipart([
      { name: "__proto__", value: "polluted" },
      { name: "__proto__[polluted]", value: "yes" },
      { name: "constructor[prototype][polluted]", value: "yes" },
      { name: "constructor", value: "c" },
      { name: "toString", value: "t" },
    ]);
    const res = await post(app(), "/echo", body);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      proto: true,
      "__proto__[polluted]": "yes",
      "constructor[prototype][polluted]": "yes",
      constructor: "c",
      toString: "t",
    });
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    const form = await post(
      app(),
      "/echo",
      "__proto__=x&constructor%5Bprototype%5D%5Bpolluted%5D=1",
      "application/x-www-form-urlencoded",
    );
    expect(form.json()).toEqual({ proto: true, "constructor[prototype][polluted]": "1" });
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  it("answers a malformed body with a 400", async () => {
    const cut = multipart([{ name: "a", value: "1" }]).subarray(0, 40);
    expect((await post(app(), "/echo", cut)).statusCode).toBe(400);
    expect((await post(app(), "/echo", "x", "multipart/form-data")).statusCode).toBe(400);
  });
});

describe("limits", () => {
  it("refuses a declared length over totalSize with a 413 before the media type (not a 415)", async () => {
    const a = app({ limits: { totalSize: 16 * 1024 } });
    const body = multipart([{ name: "f", filename: "big.bin", value: Buffer.alloc(20_000, 7) }]);
    for (const url of ["/echo", "/json-only"]) {
      const res = await post(a, url, body);
      expect(res.statusCode).toBe(413);
      expect(res.body).toContain("forms.limits.totalSize");
    }
  });

  it("names the limit passed: fileSize, files, fields, fieldSize, parts", async () => {
    const cases: Array<[Record<string, number>, Buffer, string]> = [
      [{ fileSize: 10 }, multipart([{ name: "f", filename: "a.txt", value: "x".repeat(11) }]), "fileSize"],
      [
        { files: 1 },
        multipart([
          { name: "f", filename: "a", value: "1" },
          { name: "g", filename: "b", value: "2" },
        ]),
        "files",
      ],
      [
        { fields: 2 },
        multipart([
          { name: "a", value: "1" },
          { name: "b", value: "2" },
          { name: "c", value: "3" },
        ]),
        "fields",
      ],
      [{ fieldSize: 5 }, multipart([{ name: "a", value: "123456" }]), "fieldSize"],
      [
        { parts: 2 },
        multipart([
          { name: "a", value: "1" },
          { name: "b", value: "2" },
          { name: "c", filename: "c", value: "3" },
        ]),
        "parts",
      ],
    ];
    for (const [limits, body, name] of cases) {
      const res = await inject(app({ limits }), {
        method: "POST",
        url: "/echo",
        headers: { "content-type": MULTIPART, accept: "application/json" },
        body,
      });
      expect(res.statusCode, name).toBe(413);
      expect(res.json<{ limit: string; detail: string }>()).toMatchObject({ limit: name });
      expect(res.json<{ detail: string }>().detail).toContain(`forms.limits.${name}`);
    }
  });

  it("passes a body exactly at the limits", async () => {
    const body = multipart([
      { name: "a", value: "12345" },
      { name: "f", filename: "a.txt", value: "x".repeat(10) },
    ]);
    const res = await post(
      app({ limits: { fieldSize: 5, fileSize: 10, files: 1, fields: 1 } }),
      "/echo",
      body,
    );
    expect(res.statusCode).toBe(200);
  });

  it("applies the limits to urlencoded forms", async () => {
    const a = app({ limits: { fields: 2, fieldSize: 4, totalSize: 100 } });
    const type = "application/x-www-form-urlencoded";
    expect((await post(a, "/echo", "a=1&b=2", type)).statusCode).toBe(200);
    expect((await post(a, "/echo", "a=1&b=2&c=3", type)).body).toContain("forms.limits.fields");
    expect((await post(a, "/echo", "a=12345", type)).body).toContain("forms.limits.fieldSize");
    expect((await post(a, "/echo", "a=%41%41%41%41", type)).statusCode).toBe(200);
    expect((await post(a, "/echo", `a=${"x".repeat(200)}`, type)).statusCode).toBe(413);
  });

  it("takes a route's @FormLimit over the app's limits", async () => {
    const a = app();
    const over = multipart([{ name: "f", filename: "a.txt", value: "x".repeat(11) }]);
    const res = await post(a, "/small", over);
    expect(res.statusCode).toBe(413);
    expect(res.body).toContain("forms.limits.fileSize");
    expect((await post(a, "/echo", over)).statusCode).toBe(200);
  });

  it("merges a controller's @FormLimit with its routes', for multipart and urlencoded bodies", async () => {
    const a = app();
    const type = "application/x-www-form-urlencoded";
    expect((await post(a, "/limited/all", "a=1&b=2", type)).statusCode).toBe(200);
    expect((await post(a, "/limited/all", "a=1&b=2&c=3", type)).body).toContain("forms.limits.fields");
    expect((await post(a, "/limited/tight", "a=1&b=2&c=3", type)).body).toContain("forms.limits.fields");
    const file = multipart([{ name: "f", filename: "a.txt", value: "123456" }]);
    expect((await post(a, "/limited/all", file)).statusCode).toBe(200);
    const tight = await post(a, "/limited/tight", file);
    expect(tight.statusCode).toBe(413);
    expect(tight.body).toContain("forms.limits.fileSize");
    // The route's totalSize refuses a declared Content-Length before the body is read.
    const big = await post(
      a,
      "/limited/all",
      multipart([{ name: "f", filename: "b", value: "x".repeat(3000) }]),
    );
    expect(big.statusCode).toBe(413);
    expect(big.body).toContain("forms.limits.totalSize is 2000");
    expect((await post(a, "/echo", file)).statusCode).toBe(200);
    // A limit the route does not name stays the app's, not the default.
    const strict = app({ limits: { fields: 1 } });
    const two = multipart([
      { name: "a", value: "1" },
      { name: "b", value: "2" },
    ]);
    expect((await post(strict, "/small", two)).body).toContain("forms.limits.fields is 1");
  });
});
