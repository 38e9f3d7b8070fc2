import "reflect-metadata";
// Static files and sendFile (issue 4 item 4; RELIABILITY row 14). A traversal corpus through
// inject and over a real socket (raw request targets that a client library would normalise),
// the 304 and Range matrices, HEAD, MIME types, Cache-Control, several folders and a plugin's
// folder, urlFor("static"), sendFile with root and download, symlinks leading out, and a
// differential property: the router's view of a path and the file resolver's view agree.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { definePlugin, Flagon, safeJoin, sendFile } from "@flagon/core";
import { harness, RawClient } from "../socket/helpers.js";

const SECRET = "TOP-SECRET-0f3c9a";
const HELLO = "0123456789abcdef".repeat(64); // 1024 bytes
const BIG = randomBytes(300_000); // several read chunks

let root: string;
let folder: string;
let realFolder: string;
let secretPath: string;
let hasFifo = false;

function write(rel: string, content: string | Buffer): void {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
}

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), "flagon-static-"));
  folder = path.join(root, "static");
  write("secret.txt", SECRET);
  write("static/hello.txt", HELLO);
  write("static/app.css", "body { color: red }");
  write("static/app.js", "export {};");
  write("static/logo.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>");
  write("static/img.png", Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  write("static/data.flagonunknown", "??");
  write("static/noext", "plain");
  write("static/empty.txt", "");
  write("static/big.bin", BIG);
  write("static/sub/deep.txt", "deep");
  write("static/a b/é.txt", "unicode");
  write("static/%2e%2e", "literal percent name");
  mkdirSync(path.join(folder, "dir"));
  symlinkSync((secretPath = path.join(root, "secret.txt")), path.join(folder, "link-out.txt"));
  symlinkSync(root, path.join(folder, "link-dir"));
  symlinkSync(path.join(folder, "hello.txt"), path.join(folder, "link-in.txt"));
  write("public/robots.txt", "User-agent: *");
  write("plugin-assets/plugin.css", ".plugin {}");
  write("files/report.csv", "a,b\n1,2\n");
  write("files/résumé.bin", "cv");
  try {
    execFileSync("mkfifo", [path.join(folder, "fifo")]);
    hasFifo = true;
  } catch {
    hasFifo = false; // no mkfifo (Windows): the FIFO case is skipped
  }
  realFolder = realpathSync(folder);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function makeApp(config: Record<string, unknown> = {}): Flagon {
  return new Flagon({ root, logger: false, configFile: false, config: { env: "test", ...config } });
}

let app: Flagon;
beforeAll(() => {
  app = makeApp();
});

const get = (url: string, headers: Record<string, string> = {}, method = "GET") =>
  app.inject({ method, url, headers });

// ---------------------------------------------------------------------------------------------

describe("serving /static/", () => {
  it("sends a file with the send_file headers", async () => {
    const res = await get("/static/hello.txt");
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(HELLO);
    const mtime = statSync(path.join(folder, "hello.txt")).mtimeMs;
    expect(res.headers).toMatchObject({
      "content-type": "text/plain; charset=utf-8",
      "content-length": "1024",
      "accept-ranges": "bytes",
      "cache-control": "no-cache",
      "x-content-type-options": "nosniff",
      "content-disposition": "inline; filename=hello.txt",
      etag: `"400-${Math.floor(mtime).toString(16)}"`,
      "last-modified": new Date(Math.floor(mtime / 1000) * 1000).toUTCString(),
    });
  });

  it.each([
    ["app.css", "text/css; charset=utf-8"],
    ["app.js", "text/javascript; charset=utf-8"],
    ["logo.svg", "image/svg+xml"],
    ["img.png", "image/png"],
    ["data.flagonunknown", "application/octet-stream"],
    ["noext", "application/octet-stream"],
  ])("Content-Type of %s is %s", async (name, type) => {
    const res = await get(`/static/${name}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe(type);
  });

  it("serves nested files, symlinks that stay inside, empty files, and a literal %2e%2e name", async () => {
    expect((await get("/static/sub/deep.txt")).body).toBe("deep");
    expect((await get("/static/link-in.txt")).body).toBe(HELLO);
    // Through a symlink that leads out and back in: the real file is inside, so it is served.
    expect((await get("/static/link-dir/static/hello.txt")).body).toBe(HELLO);
    const empty = await get("/static/empty.txt");
    expect([empty.statusCode, empty.headers["content-length"], empty.body]).toEqual([200, "0", ""]);
    // %252e%252e decodes (once) to the literal name "%2e%2e", which exists: no second decoding.
    expect((await get("/static/%252e%252e")).body).toBe("literal percent name");
  });

  it("answers 404 through the app's 404 handler for missing files, directories and FIFOs", async () => {
    const custom = makeApp();
    custom.setErrorHandler(404, () => "custom 404");
    const names = ["missing.txt", "dir", "sub", "hello.txt/x", ...(hasFifo ? ["fifo"] : [])];
    for (const name of names) {
      const res = await custom.inject(`/static/${name}`);
      expect([name, res.statusCode, res.body]).toEqual([name, 404, "custom 404"]);
    }
  });

  it("HEAD sends the GET's headers and no body", async () => {
    const res = await get("/static/hello.txt", {}, "HEAD");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-length"]).toBe("1024");
    expect(res.headers["etag"]).toBeDefined();
    expect(res.body).toBe("");
  });

  it("builds URLs with urlFor('static', { filename })", async () => {
    await app.ready();
    expect(app.urlFor("static", { filename: "sub/deep.txt" })).toBe("/static/sub/deep.txt");
    const url = app.urlFor("static", { filename: "a b/é.txt", v: 3 });
    expect(url).toBe("/static/a%20b/%C3%A9.txt?v=3");
    expect((await get(url)).body).toBe("unicode");
  });
});

// ---------------------------------------------------------------------------------------------

// Request targets that must never reach outside the folder. Everything here is 404 (refused or
// missing), 400 (malformed percent-encoding) or 414 (over 1024 segments), and no response
// carries the secret.
const TRAVERSAL_CORPUS = [
  "/static/../secret.txt",
  "/static/../../../../../../etc/passwd",
  "/static/..%2fsecret.txt",
  "/static/..%2Fsecret.txt",
  "/static/%2e%2e/secret.txt",
  "/static/%2E%2E/secret.txt",
  "/static/%2e%2e%2fsecret.txt",
  "/static/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
  "/static/.%2e/secret.txt",
  "/static/%2e./secret.txt",
  "/static/sub/..%2f..%2fsecret.txt",
  "/static/sub/%2e%2e/%2e%2e/secret.txt",
  "/static/sub/../hello.txt",
  "/static/./hello.txt",
  "/static/%2e/hello.txt",
  "/static/..%5csecret.txt",
  "/static/%2e%2e%5csecret.txt",
  "/static/..%5c..%5c..%5cetc%5cpasswd",
  "/static/%5c%5cserver%5cshare%5cx",
  "/static//etc/passwd",
  "/static/%2fetc%2fpasswd",
  "/static/%2F" + encodeURIComponent(path.join("x", "secret.txt")),
  "/static/hello.txt%00.png",
  "/static/%00",
  "/static/%00/../secret.txt",
  "/static/%c0%ae%c0%ae/secret.txt",
  "/static/%c0%af",
  "/static/..%c0%afsecret.txt",
  "/static/%e0%80%ae%e0%80%ae/secret.txt",
  "/static/%u002e%u002e/secret.txt",
  "/static/%252e%252e/secret.txt",
  "/static/..;/secret.txt",
  "/static/C:%5cWindows%5cwin.ini",
  "/static/c:/secret.txt",
  "/static/hello.txt::$DATA",
  "/static/CON",
  "/static/con.txt",
  "/static/NUL.txt",
  "/static/sub/AUX",
  "/static/COM1.css",
  "/static/lpt9",
  "/static/hello.txt.",
  "/static/hello.txt%20",
  "/static/hello.txt/",
  "/static/sub//deep.txt",
  "/static/link-out.txt",
  "/static/link-dir/secret.txt",
  "/static/",
  "/static",
  "/static/" + "../".repeat(3000) + "secret.txt",
  "/static/" + "%2e%2e%2f".repeat(2000) + "secret.txt",
];

function expectRefused(target: string, status: number, body: string): void {
  // 414: a path of more than 1024 segments is refused by the router before it is decoded.
  expect([400, 404, 414], `${target} → ${status}`).toContain(status);
  expect(body, target).not.toContain(SECRET);
  expect(body, target).not.toContain(HELLO.slice(0, 32));
}

describe("traversal corpus", () => {
  it("through inject: every target is 400, 404 or 414, and no secret leaks", async () => {
    const absolute = await get(`/static/${encodeURIComponent(secretPath)}`);
    expectRefused("absolute", absolute.statusCode, absolute.body);
    for (const target of TRAVERSAL_CORPUS) {
      const res = await get(target);
      expectRefused(target, res.statusCode, res.body);
    }
  });

  it("sendFile with a root confines a path from the request in the same way", async () => {
    const files = makeApp();
    files.get("/files/<path:name>", (ctx) =>
      sendFile(String(ctx.request.params["name"]), { root: "static" }),
    );
    expect((await files.inject("/files/hello.txt")).body).toBe(HELLO);
    for (const target of TRAVERSAL_CORPUS.filter((t) => t.startsWith("/static/"))) {
      const res = await files.inject(target.replace("/static/", "/files/"));
      expectRefused(target, res.statusCode, res.body);
    }
  });

  describe("over a real socket (raw request targets, nothing normalised by a client)", () => {
    const h = harness();
    afterEach(() => h.cleanup());

    const RAW = [
      ...TRAVERSAL_CORPUS.filter((t) => t.length < 2000),
      "/static/..\\secret.txt",
      "//etc/passwd",
      "/static/%2e%2e%2fsecret.txt",
      "/static/..%5csecret.txt",
      "http://localhost/static/../secret.txt",
      "/static/../static/../secret.txt",
    ];

    it("answers every raw target with 400 or 404 and never the secret", async () => {
      const server = h.app({ root, configFile: false });
      const port = await h.listen(server);
      for (const target of RAW) {
        const client = await h.raw(port);
        await client.write(`GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
        const res = await client.readResponse({ timeout: 3000 });
        expectRefused(target, res.status, res.body.toString("latin1"));
        client.destroy();
      }
      // A raw NUL byte in the target: node's parser refuses it before the app sees it.
      const client = await h.raw(port);
      await client.write("GET /static/hello.txt\u0000/../../secret.txt HTTP/1.1\r\nHost: localhost\r\n\r\n");
      const raw = await client.readUntilClose(3000);
      expect(raw.toString("latin1")).not.toContain(SECRET);
    });

    it("streams files and ranges of a large file byte for byte; HEAD keeps the connection usable", async () => {
      const server = h.app({ root, configFile: false });
      const port = await h.listen(server);
      const whole = await fetch(`http://127.0.0.1:${port}/static/big.bin`);
      expect(Buffer.from(await whole.arrayBuffer()).equals(BIG)).toBe(true);
      const part = await fetch(`http://127.0.0.1:${port}/static/big.bin`, {
        headers: { range: "bytes=65530-200000" },
      });
      expect(part.status).toBe(206);
      expect(part.headers.get("content-range")).toBe(`bytes 65530-200000/${BIG.length}`);
      expect(Buffer.from(await part.arrayBuffer()).equals(BIG.subarray(65530, 200001))).toBe(true);

      const client: RawClient = await h.raw(port);
      await client.write("HEAD /static/big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n");
      const head = await client.readResponse({ head: true });
      expect([head.status, head.headers["content-length"]]).toEqual([200, String(BIG.length)]);
      await client.write("GET /static/sub/deep.txt HTTP/1.1\r\nHost: localhost\r\n\r\n");
      const next = await client.readResponse();
      expect([next.status, next.body.toString()]).toEqual([200, "deep"]);
    });
  });
});

// ---------------------------------------------------------------------------------------------

describe("conditional GET (the 304 matrix)", () => {
  let etag: string;
  let lastModified: string;
  beforeAll(async () => {
    const res = await get("/static/hello.txt");
    etag = res.headers["etag"] as string;
    lastModified = res.headers["last-modified"] as string;
  });
  const shift = (date: string, seconds: number) => new Date(Date.parse(date) + seconds * 1000).toUTCString();

  it.each<[string, number, () => Record<string, string>]>([
    ["If-None-Match match", 304, () => ({ "if-none-match": etag })],
    ["If-None-Match mismatch", 200, () => ({ "if-none-match": '"other"' })],
    ["If-None-Match list", 304, () => ({ "if-none-match": `"a", ${etag}, "b"` })],
    ["If-None-Match *", 304, () => ({ "if-none-match": "*" })],
    ["If-None-Match weak", 304, () => ({ "if-none-match": `W/${etag}` })],
    ["If-Modified-Since equal", 304, () => ({ "if-modified-since": lastModified })],
    ["If-Modified-Since newer", 304, () => ({ "if-modified-since": shift(lastModified, 60) })],
    ["If-Modified-Since older", 200, () => ({ "if-modified-since": shift(lastModified, -60) })],
    ["If-Modified-Since garbage", 200, () => ({ "if-modified-since": "soon" })],
    [
      "If-None-Match mismatch beats a matching If-Modified-Since",
      200,
      () => ({ "if-none-match": '"other"', "if-modified-since": shift(lastModified, 60) }),
    ],
    [
      "If-None-Match match beats an older If-Modified-Since",
      304,
      () => ({ "if-none-match": etag, "if-modified-since": shift(lastModified, -60) }),
    ],
    ["If-Match mismatch", 412, () => ({ "if-match": '"other"' })],
    ["If-Unmodified-Since older", 412, () => ({ "if-unmodified-since": shift(lastModified, -60) })],
  ])("%s → %i", async (_name, status, headers) => {
    for (const method of ["GET", "HEAD"]) {
      const res = await get("/static/hello.txt", headers(), method);
      expect(res.statusCode, method).toBe(status);
      if (status === 304) {
        expect(res.body).toBe("");
        expect(res.headers["etag"]).toBe(etag);
        expect(res.headers["last-modified"]).toBe(lastModified);
        expect(res.headers["cache-control"]).toBe("no-cache");
        expect(res.headers["content-type"]).toBeUndefined();
        expect(res.headers["content-length"]).toBeUndefined();
      }
      if (status === 200 && method === "GET") expect(res.body).toBe(HELLO);
    }
  });
});

describe("Range (the 206/416 matrix)", () => {
  it.each<[string, number, string | undefined, string]>([
    ["bytes=0-9", 206, "bytes 0-9/1024", HELLO.slice(0, 10)],
    ["bytes=-4", 206, "bytes 1020-1023/1024", HELLO.slice(1020)],
    ["bytes=1000-", 206, "bytes 1000-1023/1024", HELLO.slice(1000)],
    ["bytes=1000-99999", 206, "bytes 1000-1023/1024", HELLO.slice(1000)],
    ["bytes=2000-", 416, "bytes */1024", ""],
    ["bytes=-0", 416, "bytes */1024", ""],
    ["bytes=0-1,5-6", 200, undefined, HELLO], // several ranges: the whole file (see range.ts)
    ["bytes=9-1", 200, undefined, HELLO],
    ["bytes=abc", 200, undefined, HELLO],
    ["lines=1-2", 200, undefined, HELLO],
  ])("%s → %i", async (range, status, contentRange, body) => {
    const res = await get("/static/hello.txt", { range });
    expect(res.statusCode).toBe(status);
    expect(res.headers["content-range"]).toBe(contentRange);
    if (status !== 416) {
      expect(res.body).toBe(body);
      expect(res.headers["content-length"]).toBe(String(body.length));
    }
  });

  it("HEAD ignores Range (defined for GET only) and answers like a plain GET", async () => {
    const res = await get("/static/hello.txt", { range: "bytes=0-9" }, "HEAD");
    expect([res.statusCode, res.headers["content-length"], res.headers["content-range"], res.body]).toEqual([
      200,
      "1024",
      undefined,
      "",
    ]);
  });

  it("If-Range: a current validator gets the range, a stale one the whole file", async () => {
    const { headers } = await get("/static/hello.txt");
    const etag = headers["etag"] as string;
    const lm = headers["last-modified"] as string;
    expect((await get("/static/hello.txt", { range: "bytes=0-9", "if-range": etag })).statusCode).toBe(206);
    expect((await get("/static/hello.txt", { range: "bytes=0-9", "if-range": lm })).statusCode).toBe(206);
    const stale = await get("/static/hello.txt", { range: "bytes=0-9", "if-range": '"stale"' });
    expect([stale.statusCode, stale.body.length]).toEqual([200, 1024]);
    const staleOut = await get("/static/hello.txt", { range: "bytes=5000-", "if-range": '"stale"' });
    expect(staleOut.statusCode).toBe(200);
  });

  it("an empty file ignores Range", async () => {
    const res = await get("/static/empty.txt", { range: "bytes=0-" });
    expect([res.statusCode, res.body]).toEqual([200, ""]);
  });
});

// ---------------------------------------------------------------------------------------------

describe("configuration", () => {
  it("Cache-Control comes from config.static.cacheControl", async () => {
    const configured = makeApp({ static: { cacheControl: "public, max-age=3600" } });
    expect((await configured.inject("/static/hello.txt")).headers["cache-control"]).toBe(
      "public, max-age=3600",
    );
  });

  it("folder and prefix are configurable; static: false serves nothing", async () => {
    const moved = makeApp({ static: { folder: "public", prefix: "/assets" } });
    expect((await moved.inject("/assets/robots.txt")).body).toBe("User-agent: *");
    expect((await moved.inject("/static/hello.txt")).statusCode).toBe(404);
    expect(moved.urlFor("static", { filename: "robots.txt" })).toBe("/assets/robots.txt");
    const none = makeApp({ static: false });
    expect((await none.inject("/static/hello.txt")).statusCode).toBe(404);
    await expect(async () => none.urlFor("static", { filename: "x" })).rejects.toThrow(/unknown endpoint/);
  });

  it("invalid static config stops the app with FLAGON_ERR_INVALID_CONFIG naming the key", async () => {
    expect(() => makeApp({ static: { prefix: "assets" } })).toThrow(/config\.static\.prefix/);
    await expect(makeApp({ static: { folder: "nope" } }).ready()).rejects.toThrow(/config\.static\.folder/);
  });

  it("serves several folders, one added by a plugin", async () => {
    const assets = definePlugin({
      name: "flagon-plugin-assets",
      register(target) {
        target.addStaticFolder("/plugin/static", path.join(root, "plugin-assets"), {
          endpoint: "assets.static",
          cacheControl: "public, max-age=60",
        });
      },
    });
    const several = makeApp();
    several.addStaticFolder("/public", "public");
    several.register(assets);
    const plugin = await several.inject("/plugin/static/plugin.css");
    expect([plugin.statusCode, plugin.body, plugin.headers["cache-control"]]).toEqual([
      200,
      ".plugin {}",
      "public, max-age=60",
    ]);
    expect((await several.inject("/public/robots.txt")).body).toBe("User-agent: *");
    expect((await several.inject("/static/hello.txt")).statusCode).toBe(200);
    expect((await several.inject("/public/../static/hello.txt")).statusCode).toBe(404);
    expect(several.urlFor("assets.static", { filename: "plugin.css" })).toBe("/plugin/static/plugin.css");
    expect(several.urlFor("static:/public", { filename: "robots.txt" })).toBe("/public/robots.txt");
    expect(several.routes().map((r) => r.endpoint)).toEqual(
      expect.arrayContaining(["static", "static:/public", "assets.static"]),
    );
  });
});

// ---------------------------------------------------------------------------------------------

describe("sendFile from a handler", () => {
  it("serves from a root relative to the app, with download names (RFC 6266/8187)", async () => {
    const files = makeApp();
    files.get("/report", () => sendFile("report.csv", { root: "files", download: true }));
    files.get("/cv", () => sendFile("résumé.bin", { root: "files", download: "résumé.bin" }));
    files.get("/abs", () =>
      sendFile(path.join(root, "files", "report.csv"), {
        contentType: "text/csv; charset=utf-8",
        cacheControl: "private, max-age=10",
        etag: false,
        lastModified: false,
      }),
    );
    files.get("/extra", (ctx) => {
      ctx.response.headers.set("x-extra", "1");
      return sendFile("report.csv", { root: path.join(root, "files") });
    });
    const report = await files.inject("/report");
    expect([report.statusCode, report.body]).toEqual([200, "a,b\n1,2\n"]);
    expect(report.headers["content-disposition"]).toBe("attachment; filename=report.csv");
    expect(report.headers["content-type"]).toBe("text/csv; charset=utf-8");
    const cv = await files.inject("/cv");
    expect(cv.headers["content-disposition"]).toBe(
      "attachment; filename=resume.bin; filename*=UTF-8''r%C3%A9sum%C3%A9.bin",
    );
    const abs = await files.inject("/abs");
    expect(abs.headers).toMatchObject({
      "cache-control": "private, max-age=10",
      "content-type": "text/csv; charset=utf-8",
    });
    expect(abs.headers["etag"]).toBeUndefined();
    expect(abs.headers["last-modified"]).toBeUndefined();
    expect((await files.inject({ url: "/abs", headers: { "if-none-match": "*" } })).statusCode).toBe(304);
    expect((await files.inject("/extra")).headers["x-extra"]).toBe("1");
  });

  it("refuses relative paths without a root (a 500: a programming error), and NUL", async () => {
    const files = makeApp();
    files.get("/relative", () => sendFile("files/report.csv"));
    files.get("/nul", () => sendFile(`${path.join(root, "files", "report.csv")}\u0000.png`));
    files.get("/out", () => sendFile("../secret.txt", { root: "files" }));
    files.get("/link", () => sendFile("link-out.txt", { root: "static" }));
    expect((await files.inject("/relative")).statusCode).toBe(500);
    expect((await files.inject("/nul")).statusCode).toBe(404);
    expect((await files.inject("/out")).statusCode).toBe(404);
    const link = await files.inject("/link");
    expect(link.statusCode).toBe(404);
    expect(link.body).not.toContain(SECRET);
  });
});

// ---------------------------------------------------------------------------------------------

describe("differential: the router's view of a path == the file resolver's view", () => {
  // The router's view: the `filename` a probe route at the same pattern receives. The resolver's
  // view: what /static/ answered. They must agree with safeJoin + the real path for every
  // generated path, and a 200 must be a file really inside the folder.
  const FRAGMENTS = [
    "..",
    ".",
    "/",
    "//",
    "%2e",
    "%2E",
    "%2e%2e",
    "%2f",
    "%2F",
    "%5c",
    "%5C",
    "\\",
    "%00",
    "%",
    "%zz",
    "%c0%ae",
    "%c0%af",
    "%e2%80%ae",
    "é",
    "%C3%A9",
    "a b",
    "%20",
    " ",
    ":",
    "C:",
    "~",
    "CON",
    "nul.txt",
    "aux",
    "com1",
    "hello.txt",
    "sub",
    "deep.txt",
    "link-in.txt",
    "link-out.txt",
    "link-dir",
    "secret.txt",
    "static",
    "dir",
    "fifo",
    "a",
    ".txt",
    "%2e%2e%2f",
    "..%5c",
    "%252e",
  ];
  const rawPath = fc
    .array(fc.constantFrom(...FRAGMENTS), { minLength: 1, maxLength: 8 })
    .map((parts) => parts.join(""));

  it("agrees for 10,000 generated paths", async () => {
    const probe = makeApp({ static: false });
    probe.get("/static/<path:filename>", (ctx) => ({ filename: ctx.request.params["filename"] }));
    await probe.ready();
    await app.ready();
    const inside = (file: string) => file.startsWith(realFolder + path.sep);

    await fc.assert(
      fc.asyncProperty(rawPath, async (raw) => {
        const url = `/static/${raw}`;
        const [seen, served] = await Promise.all([probe.inject(url), app.inject(url)]);
        expect(served.body).not.toContain(SECRET);
        if (seen.statusCode !== 200) {
          // The router refused the path itself (400 malformed encoding, 404 no match).
          expect(served.statusCode).toBe(seen.statusCode);
          return;
        }
        const filename = seen.json<{ filename: string }>().filename;
        const joined = safeJoin(folder, filename);
        let expected: Buffer | undefined;
        if (joined !== undefined) {
          try {
            const real = realpathSync(joined);
            if (inside(real) && statSync(real).isFile()) expected = readFileSync(real);
          } catch {
            expected = undefined;
          }
        }
        if (expected === undefined) {
          expect(served.statusCode, `${url} (${JSON.stringify(filename)})`).toBe(404);
        } else {
          expect(served.statusCode, url).toBe(200);
          expect(served.rawBody.equals(expected), url).toBe(true);
        }
      }),
      { numRuns: 10_000 },
    );
  }, 60_000);
});
