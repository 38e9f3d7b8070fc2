import "reflect-metadata";
// RELIABILITY row 37: in production no response carries a stack trace, a source path or an
// internal message, whatever failed (a handler, each kind of hook, an error handler, a template)
// and whoever asks (a JSON client, a browser, a client that names no type), through inject and
// over a real socket. Also proven elsewhere: test/web/dev-page.test.ts (the development page is
// never shown with NODE_ENV=production, nor to a non-loopback or forwarded client),
// core/src/errors/render.test.ts and test/conformance/responses.test.ts (default error pages).
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Context, Flagon, HttpError, render } from "@flagon/core";
import { harness, HOST } from "../socket/helpers.js";
import { figure } from "./helpers.js";

const INTERNAL = "SECRET-internal-detail db=postgres://admin:hunter2@10.0.0.5/prod";

let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), "flagon-production-errors-"));
  mkdirSync(path.join(root, "templates"));
  writeFileSync(path.join(root, "templates", "syntax.html"), "<p>{{ user.name </p>{% if %}");
  writeFileSync(path.join(root, "templates", "runtime.html"), "<p>{{ explode() }}</p>");
  writeFileSync(path.join(root, "templates", "fine.html"), "<p>{{ name }}</p>");
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function failingApp(options: { env?: "production" | "development" } = {}, server?: Flagon): Flagon {
  const app =
    server ??
    new Flagon({
      root,
      logger: false,
      configFile: false,
      config: { env: options.env ?? "production", static: false },
    });
  const fail = (where: string) => () => {
    throw new Error(`${INTERNAL} (${where})`);
  };
  app.addHook("onRequest", (ctx: Context) =>
    ctx.request.path === "/hook/onRequest" ? fail("onRequest")() : undefined,
  );
  app.addHook("preHandler", (ctx: Context) =>
    ctx.request.path === "/hook/preHandler" ? fail("preHandler")() : undefined,
  );
  app.addHook("onSend", (ctx: Context) =>
    ctx.request.path === "/hook/onSend" ? fail("onSend")() : undefined,
  );
  app.get("/handler", fail("handler"));
  app.get("/async", async () => {
    await Promise.resolve();
    throw new TypeError(`${INTERNAL} (async)`);
  });
  app.get("/not-an-error", () => {
    throw `${INTERNAL} (a thrown string)`; // eslint-disable-line @typescript-eslint/only-throw-error
  });
  app.get("/http-500", () => {
    throw new HttpError(500, `${INTERNAL} (HttpError 500)`);
  });
  app.get("/http-503", () => {
    throw new HttpError(503, `${INTERNAL} (HttpError 503)`);
  });
  app.get("/hidden-400", () => {
    throw new HttpError(400, `${INTERNAL} (expose: false)`, { expose: false });
  });
  app.get("/cause", () => {
    throw new Error("outer", { cause: new Error(`${INTERNAL} (cause)`) });
  });
  app.get("/hook/onRequest", () => "unreachable");
  app.get("/hook/preHandler", () => "unreachable");
  app.get("/hook/onSend", () => "unreachable");
  app.get("/template/syntax", () => render("syntax.html", { user: { name: "x" } }));
  app.get("/template/runtime", () =>
    render("runtime.html", {
      explode: () => {
        throw new Error(`${INTERNAL} (inside a template)`);
      },
    }),
  );
  app.get("/template/missing", () => render("no-such-template.html"));
  app.get("/handler-of-handler", () => {
    throw new RangeError("handled");
  });
  app.setErrorHandler(RangeError, () => {
    throw new Error(`${INTERNAL} (error handler)`);
  });
  return app;
}

const FAILURES = [
  "/handler",
  "/async",
  "/not-an-error",
  "/http-500",
  "/http-503",
  "/hidden-400",
  "/cause",
  "/hook/onRequest",
  "/hook/preHandler",
  "/hook/onSend",
  "/template/syntax",
  "/template/runtime",
  "/template/missing",
  "/handler-of-handler",
];
const CLIENTS: Record<string, Record<string, string>> = {
  "a JSON client": { accept: "application/json" },
  "a browser": { accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" },
  "a client naming no type": {},
};

/** What must never reach a client in production. */
function leaks(body: string): string[] {
  const found: string[] = [];
  if (body.includes("SECRET") || body.includes("hunter2")) found.push("the internal message");
  if (/\bat [^\n]*:\d+:\d+/.test(body) || /\n\s+at /.test(body)) found.push("a stack frame");
  if (body.includes(root) || /[\w/\\-]+\.(?:ts|js|mjs|njk|html):\d+/.test(body)) found.push("a source path");
  if (/node_modules|file:\/\//.test(body)) found.push("a module path");
  if (/TemplateError|TypeError|RangeError|Error:/.test(body)) found.push("an error class");
  if (/syntax\.html|runtime\.html|no-such-template/.test(body)) found.push("a template name");
  return found;
}

describe("row 37 — no stack traces or internal messages in production", () => {
  it.each(Object.entries(CLIENTS))("%s: every failure is a generic page", async (_client, headers) => {
    const app = failingApp();
    const seen: string[] = [];
    for (const url of FAILURES) {
      const res = await app.inject({ url, headers });
      seen.push(`${url} ${res.statusCode}`);
      expect(res.statusCode, url).toBeGreaterThanOrEqual(400);
      expect(leaks(res.body), `${url}: ${res.body}`).toEqual([]);
      for (const value of Object.values(res.headers)) expect(String(value)).not.toContain("SECRET");
    }
  });

  it("the status is kept, the detail is not: problem details carry only type, title, status", async () => {
    const app = failingApp();
    const res = await app.inject({ url: "/http-503", headers: CLIENTS["a JSON client"] });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ type: "about:blank", title: "Service Unavailable", status: 503 });
    const hidden = await app.inject({ url: "/hidden-400", headers: CLIENTS["a JSON client"] });
    expect(hidden.json()).toEqual({ type: "about:blank", title: "Bad Request", status: 400 });
  });

  it("the control: in development, on loopback, the same failures do show their message", async () => {
    const saved = process.env["NODE_ENV"];
    process.env["NODE_ENV"] = "development";
    try {
      const app = failingApp({ env: "development" });
      const res = await app.inject({ url: "/handler", headers: CLIENTS["a JSON client"] });
      expect(res.body).toContain("SECRET-internal-detail");
    } finally {
      if (saved === undefined) delete process.env["NODE_ENV"];
      else process.env["NODE_ENV"] = saved;
    }
  });

  describe("over a real socket", () => {
    const h = harness();
    afterEach(() => h.cleanup());

    it("every failure × every client: 0 leaks", async () => {
      const server = h.app({ root, config: { env: "production", static: false } });
      failingApp({}, server);
      const port = await h.listen(server);
      let responses = 0;
      let leaked = 0;
      for (const headers of Object.values(CLIENTS)) {
        for (const url of FAILURES) {
          const client = await h.raw(port);
          const extra = Object.entries(headers)
            .map(([k, v]) => `${k}: ${v}\r\n`)
            .join("");
          await client.write(`GET ${url} HTTP/1.1\r\nHost: ${HOST}\r\n${extra}\r\n`);
          const res = await client.readResponse();
          responses += 1;
          const found = leaks(`${res.head}\r\n\r\n${res.body.toString()}`);
          if (found.length > 0) leaked += 1;
          expect(found, `${url}`).toEqual([]);
        }
      }
      figure(
        "row 37",
        "production error responses (14 failures × 3 clients, socket)",
        `${responses} responses, ${leaked} with a stack, path or internal message`,
      );
    });
  });
});
