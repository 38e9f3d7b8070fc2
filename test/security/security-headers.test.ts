import "reflect-metadata";
// RELIABILITY row 35: a helmet-equivalent set of security headers on every response the app
// sends, including errors, 404, 405, automatic OPTIONS, redirects, early answers and files;
// HSTS only over HTTPS (directly or through a trusted proxy); a Content-Security-Policy on HTML;
// no X-Powered-By; headers the handler sets win; `config.securityHeaders` turns them off or
// changes single headers, and a bad value stops start-up. The unit side is in
// core/src/http/security-headers.test.ts.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type Context,
  DEFAULT_SECURITY_HEADERS,
  Flagon,
  type FlagonOptions,
  FlagonResponse,
  html,
  json,
  stream,
} from "@flagon/core";
import { harness, HOST } from "../socket/helpers.js";
import { figure } from "./helpers.js";

type InjectResponse = Awaited<ReturnType<Flagon["inject"]>>;

const ALWAYS: Record<string, string> = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "SAMEORIGIN",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
  "origin-agent-cluster": "?1",
  "x-dns-prefetch-control": "off",
  "x-download-options": "noopen",
  "x-permitted-cross-domain-policies": "none",
  "x-xss-protection": "0",
};
const CSP =
  "default-src 'self'; base-uri 'self'; font-src 'self' https: data:; form-action 'self'; " +
  "frame-ancestors 'self'; img-src 'self' data:; object-src 'none'; script-src 'self'; " +
  "script-src-attr 'none'; style-src 'self' https: 'unsafe-inline'";
const HSTS = "max-age=31536000; includeSubDomains";

let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), "flagon-security-headers-"));
  mkdirSync(path.join(root, "static"));
  writeFileSync(path.join(root, "static", "app.css"), "body{}");
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

class TeapotError extends Error {}

function makeApp(options: FlagonOptions = {}): Flagon {
  const app = new Flagon({
    root,
    logger: false,
    configFile: false,
    ...options,
    config: { env: "production", ...options.config },
  });
  app.addHook("onRequest", (ctx: Context) => (ctx.request.path === "/early" ? "early answer" : undefined));
  app.addHook("onSend", (ctx: Context) => {
    if (ctx.request.path === "/onsend-throws") throw new Error("onSend failed");
  });
  app.get("/", () => "<h1>home</h1>");
  app.get("/json", () => ({ ok: true }));
  app.get("/empty", () => undefined);
  app.get("/dir/", () => "listing");
  app.post("/body", async (ctx: Context) => ({ got: await ctx.request.json() }), { bodyLimit: 10 });
  app.get("/boom", () => {
    throw new Error("internal detail");
  });
  app.get("/onsend-throws", () => "never seen");
  app.get("/stream", () =>
    stream(
      (async function* () {
        yield "a";
        yield "b";
      })(),
    ),
  );
  app.get("/svg", () => new FlagonResponse("<svg/>", { headers: { "content-type": "image/svg+xml" } }));
  app.get("/own", () =>
    html("<p>framed by a partner</p>", {
      headers: { "x-frame-options": "DENY", "content-security-policy": "default-src 'none'" },
    }),
  );
  app.get("/own-ctx", (ctx: Context) => {
    ctx.response.headers.set("referrer-policy", "strict-origin");
    return json({ ok: true });
  });
  app.get("/teapot", () => {
    throw new TeapotError("handled below");
  });
  app.setErrorHandler(TeapotError, () => ({ handled: true }));
  return app;
}

/** The security headers of a response (the ones the default set knows, plus HSTS, CSP and X-Powered-By). */
function securityOf(res: InjectResponse): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of [...Object.keys(DEFAULT_SECURITY_HEADERS), "x-powered-by"]) {
    const value = res.headers[name];
    if (value !== undefined) out[name] = String(value);
  }
  return out;
}

const JSON_CLIENT = { accept: "application/json" };
const BROWSER = { accept: "text/html,application/xhtml+xml,*/*;q=0.8" };

describe("row 35 — security headers on every response", () => {
  let app: Flagon;
  beforeAll(async () => {
    app = makeApp();
    await app.ready();
  });

  it("the default set on an HTML page over HTTP: helmet's, a CSP, no HSTS, no X-Powered-By", async () => {
    const res = await app.inject("/");
    expect(securityOf(res)).toEqual({ ...ALWAYS, "content-security-policy": CSP });
    figure(
      "row 35",
      "headers on an HTML 200 over HTTP",
      `${Object.keys(securityOf(res)).length} (10 on every response + a CSP on documents; HSTS over HTTPS makes 12)`,
    );
  });

  const everyKind: Array<
    [
      string,
      { method?: string; url: string; headers?: Record<string, string>; body?: string },
      number,
      boolean,
    ]
  > = [
    ["JSON 200", { url: "/json" }, 200, false],
    ["204", { url: "/empty" }, 204, false],
    ["404 for a JSON client", { url: "/missing", headers: JSON_CLIENT }, 404, false],
    ["404 for a browser", { url: "/missing", headers: BROWSER }, 404, true],
    ["405", { method: "DELETE", url: "/json", headers: JSON_CLIENT }, 405, false],
    ["automatic OPTIONS", { method: "OPTIONS", url: "/json" }, 200, false],
    ["HEAD", { method: "HEAD", url: "/" }, 200, true],
    ["308 to the trailing slash", { url: "/dir" }, 308, false],
    ["500 from a throwing handler (JSON)", { url: "/boom", headers: JSON_CLIENT }, 500, false],
    ["500 from a throwing handler (HTML)", { url: "/boom", headers: BROWSER }, 500, true],
    ["500 from a throwing onSend hook", { url: "/onsend-throws", headers: BROWSER }, 500, true],
    ["an error handler's answer", { url: "/teapot" }, 500, false],
    [
      "400 malformed JSON",
      {
        method: "POST",
        url: "/body",
        headers: { ...JSON_CLIENT, "content-type": "application/json" },
        body: "{",
      },
      400,
      false,
    ],
    [
      "413 body too large",
      {
        method: "POST",
        url: "/body",
        headers: { ...JSON_CLIENT, "content-type": "application/json" },
        body: '{"a":"0123456789"}',
      },
      413,
      false,
    ],
    [
      "415 wrong type",
      { method: "POST", url: "/body", headers: { ...JSON_CLIENT, "content-type": "text/plain" }, body: "x" },
      415,
      false,
    ],
    ["400 bad Host", { url: "/json", headers: { host: "evil:x@good", ...BROWSER } }, 400, true],
    ["an onRequest early answer", { url: "/early" }, 200, true],
    ["a stream", { url: "/stream" }, 200, false],
    ["a static file", { url: "/static/app.css" }, 200, false],
    ["a 404 from the static folder", { url: "/static/missing.css", headers: BROWSER }, 404, true],
    ["SVG (a document that can run scripts)", { url: "/svg" }, 200, true],
  ];

  it.each(everyKind)("%s", async (_name, request, status, withCsp) => {
    const res = await app.inject(request);
    expect(res.statusCode).toBe(status);
    const expected: Record<string, string> = { ...ALWAYS };
    if (withCsp) expected["content-security-policy"] = CSP;
    expect(securityOf(res)).toEqual(expected);
  });

  it("figure: responses without the set", async () => {
    let missing = 0;
    for (const [, request] of everyKind) {
      const res = await app.inject(request);
      if (res.headers["x-content-type-options"] !== "nosniff" || res.headers["x-frame-options"] === undefined)
        missing += 1;
      expect(res.headers["x-powered-by"]).toBeUndefined();
    }
    figure(
      "row 35",
      "response kinds checked (errors, 404, 405, OPTIONS, HEAD, redirects, files…)",
      `${everyKind.length}, ${missing} without the set`,
    );
    expect(missing).toBe(0);
  });

  it("headers the handler sets win (a response object, or ctx.response)", async () => {
    const own = await app.inject("/own");
    expect(own.headers["x-frame-options"]).toBe("DENY");
    expect(own.headers["content-security-policy"]).toBe("default-src 'none'");
    expect(own.headers["x-content-type-options"]).toBe("nosniff");
    const ctx = await app.inject("/own-ctx");
    expect(ctx.headers["referrer-policy"]).toBe("strict-origin");
    expect(ctx.headers["x-frame-options"]).toBe("SAMEORIGIN");
  });
});

describe("row 35 — HTTPS: HSTS and upgrade-insecure-requests", () => {
  it("over TLS: HSTS on every response, the CSP gains upgrade-insecure-requests", async () => {
    const app = makeApp();
    const page = await app.inject({ url: "/", encrypted: true });
    expect(page.headers["strict-transport-security"]).toBe(HSTS);
    expect(page.headers["content-security-policy"]).toBe(`${CSP}; upgrade-insecure-requests`);
    const missing = await app.inject({ url: "/missing", encrypted: true, headers: JSON_CLIENT });
    expect(missing.headers["strict-transport-security"]).toBe(HSTS);
  });

  it("through a trusted proxy saying https: HSTS; the same header from anyone else: none", async () => {
    const app = makeApp({ config: { trustProxy: ["10.0.0.0/8"] } });
    const headers = { "x-forwarded-proto": "https" };
    const trusted = await app.inject({ url: "/json", headers, remoteAddress: "10.0.0.7" });
    expect(trusted.headers["strict-transport-security"]).toBe(HSTS);
    const untrusted = await app.inject({ url: "/json", headers, remoteAddress: "203.0.113.9" });
    expect(untrusted.headers["strict-transport-security"]).toBeUndefined();
    const plain = await app.inject("/json");
    expect(plain.headers["strict-transport-security"]).toBeUndefined();
  });
});

describe("row 35 — config.securityHeaders", () => {
  it("false sends none of them", async () => {
    const app = makeApp({ config: { securityHeaders: false } });
    expect(securityOf(await app.inject("/"))).toEqual({});
    expect(securityOf(await app.inject({ url: "/", encrypted: true }))).toEqual({});
  });

  it("an object replaces or leaves out single headers, and adds others", async () => {
    const app = makeApp({
      config: {
        securityHeaders: {
          "X-Frame-Options": "DENY",
          crossOriginResourcePolicy: "cross-origin",
          "x-xss-protection": false,
          "strict-transport-security": "max-age=63072000; includeSubDomains; preload",
          "content-security-policy": "default-src 'self'",
          "permissions-policy": "geolocation=()",
        },
      },
    });
    const page = await app.inject({ url: "/", encrypted: true });
    expect(page.headers["x-frame-options"]).toBe("DENY");
    expect(page.headers["cross-origin-resource-policy"]).toBe("cross-origin");
    expect(page.headers["x-xss-protection"]).toBeUndefined();
    expect(page.headers["strict-transport-security"]).toBe("max-age=63072000; includeSubDomains; preload");
    expect(page.headers["content-security-policy"]).toBe("default-src 'self'");
    expect(page.headers["permissions-policy"]).toBe("geolocation=()");
    expect(page.headers["x-content-type-options"]).toBe("nosniff");
    // A custom CSP is still for documents only, HSTS still for HTTPS only.
    expect(
      (await app.inject({ url: "/json", encrypted: true })).headers["content-security-policy"],
    ).toBeUndefined();
    expect((await app.inject("/")).headers["strict-transport-security"]).toBeUndefined();
  });

  it("from the environment: FLAGON_SECURITY_HEADERS=false, FLAGON_SECURITY_HEADERS__X_FRAME_OPTIONS=DENY", async () => {
    const saved = { ...process.env };
    try {
      process.env["FLAGON_SECURITY_HEADERS__X_FRAME_OPTIONS"] = "DENY";
      const one = makeApp();
      expect((await one.inject("/json")).headers["x-frame-options"]).toBe("DENY");
      delete process.env["FLAGON_SECURITY_HEADERS__X_FRAME_OPTIONS"];
      process.env["FLAGON_SECURITY_HEADERS"] = "false";
      const none = makeApp();
      expect(securityOf(await none.inject("/json"))).toEqual({});
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });

  it.each([
    ["a value with CR/LF", { "x-frame-options": "DENY\r\nSet-Cookie: a=1" }],
    ["a number", { "x-frame-options": 1 }],
    ["true for one header", { "x-frame-options": true }],
    ["an empty value", { "referrer-policy": "" }],
    ["a header name with a space", { "x frame": "DENY" }],
    ["Content-Type", { "content-type": "text/plain" }],
    ["Set-Cookie", { "set-cookie": "a=1" }],
    ["a list", ["x-frame-options"]],
    ["a string", "on"],
  ])("%s → FLAGON_ERR_INVALID_CONFIG naming config.securityHeaders", async (_name, value) => {
    let error: unknown;
    try {
      const app = makeApp({ config: { securityHeaders: value as never } });
      await app.ready();
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: "FLAGON_ERR_INVALID_CONFIG" });
    expect((error as Error).message).toContain("config.securityHeaders");
  });
});

describe("row 35 — over a real socket", () => {
  const h = harness();
  afterEach(() => h.cleanup());

  it("a 404, a 405 and a 500 carry the set; no X-Powered-By anywhere", async () => {
    const app = h.app();
    app.get("/boom", () => {
      throw new Error("boom");
    });
    const port = await h.listen(app);
    for (const [method, url, status] of [
      ["GET", "/missing", 404],
      ["POST", "/boom", 405],
      ["GET", "/boom", 500],
    ] as const) {
      const client = await h.raw(port);
      await client.write(`${method} ${url} HTTP/1.1\r\nHost: ${HOST}\r\nContent-Length: 0\r\n\r\n`);
      const res = await client.readResponse();
      expect(res.status).toBe(status);
      for (const [name, value] of Object.entries(ALWAYS))
        expect(res.headers[name], `${url} ${name}`).toBe(value);
      expect(res.headers["x-powered-by"]).toBeUndefined();
      expect(res.headers["strict-transport-security"]).toBeUndefined();
    }
  });

  it("answers the adapter makes itself (duplicate Host → 400) carry the set too", async () => {
    const app = h.app();
    const port = await h.listen(app);
    const client = await h.raw(port);
    await client.write(`GET / HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n`);
    const res = await client.readResponse();
    expect(res.status).toBe(400);
    for (const [name, value] of Object.entries(ALWAYS)) expect(res.headers[name], name).toBe(value);
  });
});
