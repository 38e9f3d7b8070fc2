import "reflect-metadata";
import { beforeAll, describe, expect, test } from "vitest";
import {
  Flagon,
  Controller,
  Get,
  Ctx,
  Context,
  FlagonResponse,
  json,
  text,
  html,
  redirect,
  abort,
  HttpError,
  ConflictError,
  NotFoundError,
} from "@flagon/core";
import { expectProblem, header, headerValues } from "./helpers.js";

// Return-value conversion, response helpers, response controls on the context, error pages
// and error handlers (FLASK-REFERENCE §1.5 and §1.7, DESIGN "Return values" / "Errors").

class PaymentError extends Error {}
class CardDeclined extends PaymentError {}
class FraudError extends PaymentError {}
class UnrelatedError extends Error {}

const SECRET = "db password is hunter2";

@Controller("/ctl")
class Ctl {
  @Get("/created")
  created(@Ctx() ctx: Context) {
    ctx.response.status = 201;
    ctx.response.headers.set("x-from", "controller");
    return { made: true };
  }
}

const badCookieCases: Array<[string, (ctx: Context) => void]> = [
  ["';' in the name", (ctx) => ctx.response.setCookie("a;b", "v")],
  ["CR in the name", (ctx) => ctx.response.setCookie("a\rb", "v")],
  ["LF in the name", (ctx) => ctx.response.setCookie("a\nb", "v")],
  ["space in the name", (ctx) => ctx.response.setCookie("a b", "v")],
  ["'=' in the name", (ctx) => ctx.response.setCookie("a=b", "v")],
  ["';' in the path", (ctx) => ctx.response.setCookie("ok", "v", { path: "/; Secure" })],
  ["LF in the path", (ctx) => ctx.response.setCookie("ok", "v", { path: "/\nx" })],
  ["';' in the domain", (ctx) => ctx.response.setCookie("ok", "v", { domain: "evil.test; Path=/" })],
  ["CR in the domain", (ctx) => ctx.response.setCookie("ok", "v", { domain: "a.test\r" })],
  ["';' in clearCookie's path", (ctx) => ctx.response.clearCookie("ok", { path: "/;x" })],
];

function buildApp(config: Record<string, unknown> = {}): Flagon {
  const app = new Flagon({ controllers: [Ctl], config, logger: false });
  app.get("/str", () => "hello <b>world</b>");
  app.get("/empty-str", () => "");
  app.get("/obj", () => ({ a: 1, nested: { b: [true, null] } }));
  app.get("/arr", () => [1, "two", { three: 3 }]);
  app.get("/undef", () => undefined);
  app.get("/void", () => {
    /* returns nothing */
  });
  app.get("/async", async () => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    return { async: true };
  });
  app.get("/async-str", async () => "later");
  app.get("/built", () => json({ built: true }, { status: 202, headers: { "x-built": "1" } }));
  app.get("/text", () => text("plain é"));
  app.get("/html", () => html("<p>hi</p>", { status: 203 }));
  app.get("/json-array", () => json([1, 2]));
  app.get("/redirect", () => redirect("/target"));
  app.get("/redirect/<int:code>", (ctx: Context) =>
    redirect("/target?x=1", ctx.request.params["code"] as number),
  );
  app.get("/abort404", () => abort(404, "no such thing"));
  app.get("/abort-xss", () => abort(400, "<script>alert(1)</script>"));
  app.get("/conflict", () => {
    throw new ConflictError("name already taken");
  });
  app.get("/teapot", () => {
    throw new HttpError(418, "short and stout");
  });
  app.get("/status", (ctx: Context) => {
    ctx.response.status = 201;
    ctx.response.headers.set("x-one", "1");
    ctx.response.setCookie("flavour", "choc chip", { path: "/", httpOnly: true });
    ctx.response.setCookie("second", "2");
    return { ok: true };
  });
  app.get("/status-undefined", (ctx: Context) => {
    ctx.response.status = 202;
    return undefined;
  });
  app.get("/clear", (ctx: Context) => {
    ctx.response.clearCookie("flavour", { path: "/" });
    return "cleared";
  });
  app.get("/login", (ctx: Context) => {
    ctx.response.headers.set("x-ctx", "kept");
    ctx.response.setCookie("sid", "abc", { path: "/" });
    return redirect("/home", 303);
  });
  app.get("/bad-cookie/<int:i>", (ctx: Context) => {
    const entry = badCookieCases[ctx.request.params["i"] as number];
    if (!entry) return abort(404);
    try {
      entry[1](ctx);
    } catch (e) {
      return { threw: true, isError: e instanceof Error };
    }
    return { threw: false };
  });
  app.get("/bad-cookie-uncaught", (ctx: Context) => {
    ctx.response.setCookie("a;b", "v");
    return "not reached";
  });
  app.get("/throw-sync", () => {
    throw new Error(SECRET);
  });
  app.get("/throw-async", async () => {
    await Promise.resolve();
    throw new Error(SECRET);
  });
  app.get("/reject", () => Promise.reject(new TypeError(SECRET)));
  app.get("/throw-string", () => {
    // A non-Error throw (as some libraries do) must be handled like any other failure.
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    throw SECRET;
  });
  app.get("/hdr-crlf", (ctx: Context) => {
    ctx.response.headers.set("x-evil", "a\r\nset-cookie: pwned=1");
    return "should not be sent";
  });
  app.get("/hdr-lf-built", () => text("x", { headers: { "x-evil": "a\nb" } }));
  app.get("/hdr-bad-name", (ctx: Context) => {
    ctx.response.headers.set("bad name", "v");
    return "should not be sent";
  });
  app.get("/redirect-crlf", () => redirect("/x\r\nset-cookie: pwned=1"));
  return app;
}

describe("return values", () => {
  let app: Flagon;
  beforeAll(async () => {
    app = buildApp();
    await app.ready();
  });

  test("string → 200 text/html; charset=utf-8, sent verbatim", async () => {
    const res = await app.inject({ url: "/str" });
    expect(res.statusCode).toBe(200);
    expect(header(res, "content-type")).toBe("text/html; charset=utf-8");
    expect(res.body).toBe("hello <b>world</b>");
  });

  test("empty string → 200 with an empty body", async () => {
    const res = await app.inject({ url: "/empty-str" });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe("");
  });

  test.each([
    ["/obj", { a: 1, nested: { b: [true, null] } }],
    ["/arr", [1, "two", { three: 3 }]],
  ])("%s (object/array) → 200 application/json", async (url, expected) => {
    const res = await app.inject({ url });
    expect(res.statusCode).toBe(200);
    expect(header(res, "content-type")).toMatch(/^application\/json(;|$)/);
    expect(res.json()).toEqual(expected);
  });

  test.each(["/undef", "/void"])("%s (undefined) → 204 with no body", async (url) => {
    const res = await app.inject({ url });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe("");
    expect(res.rawBody.length).toBe(0);
  });

  test("async handlers are awaited", async () => {
    const res = await app.inject({ url: "/async" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ async: true });
    const s = await app.inject({ url: "/async-str" });
    expect(s.body).toBe("later");
    expect(header(s, "content-type")).toBe("text/html; charset=utf-8");
  });

  test("a FlagonResponse is sent as built", async () => {
    expect(json({})).toBeInstanceOf(FlagonResponse);
    const res = await app.inject({ url: "/built" });
    expect(res.statusCode).toBe(202);
    expect(header(res, "x-built")).toBe("1");
    expect(header(res, "content-type")).toMatch(/^application\/json/);
    expect(res.json()).toEqual({ built: true });
  });

  test("json() of an array", async () => {
    const res = await app.inject({ url: "/json-array" });
    expect(res.json()).toEqual([1, 2]);
  });

  test("text() → text/plain; charset=utf-8", async () => {
    const res = await app.inject({ url: "/text" });
    expect(res.statusCode).toBe(200);
    expect(header(res, "content-type")).toBe("text/plain; charset=utf-8");
    expect(res.body).toBe("plain é");
    expect(header(res, "content-length")).toBe(String(Buffer.byteLength("plain é")));
  });

  test("html() with a status", async () => {
    const res = await app.inject({ url: "/html" });
    expect(res.statusCode).toBe(203);
    expect(header(res, "content-type")).toBe("text/html; charset=utf-8");
    expect(res.body).toBe("<p>hi</p>");
  });
});

describe("redirects", () => {
  let app: Flagon;
  beforeAll(async () => {
    app = buildApp();
    await app.ready();
  });

  test("redirect() defaults to 302 with Location", async () => {
    const res = await app.inject({ url: "/redirect" });
    expect(res.statusCode).toBe(302);
    expect(header(res, "location")).toBe("/target");
  });

  test.each([301, 303, 307, 308])("redirect(location, %i)", async (code) => {
    const res = await app.inject({ url: `/redirect/${code}` });
    expect(res.statusCode).toBe(code);
    expect(header(res, "location")).toBe("/target?x=1");
  });
});

describe("response controls on the context", () => {
  let app: Flagon;
  beforeAll(async () => {
    app = buildApp();
    await app.ready();
  });

  test("status, headers and cookies set on ctx.response appear on the response", async () => {
    const res = await app.inject({ url: "/status" });
    expect(res.statusCode).toBe(201);
    expect(header(res, "x-one")).toBe("1");
    expect(res.json()).toEqual({ ok: true });
    const cookies = headerValues(res, "set-cookie");
    expect(cookies).toHaveLength(2);
    const flavour = cookies.find((c) => c.startsWith("flavour="));
    expect(flavour).toBeDefined();
    expect(flavour).toMatch(/^flavour=choc%20chip(;|$)/);
    expect(flavour).toMatch(/;\s*HttpOnly/i);
    expect(flavour).toMatch(/;\s*Path=\//);
    expect(cookies.some((c) => c.startsWith("second=2"))).toBe(true);
  });

  test("ctx.response.status also applies when the handler returns undefined", async () => {
    const res = await app.inject({ url: "/status-undefined" });
    expect(res.statusCode).toBe(202);
    expect(res.body).toBe("");
  });

  test("status and headers from a controller's context", async () => {
    const res = await app.inject({ url: "/ctl/created" });
    expect(res.statusCode).toBe(201);
    expect(header(res, "x-from")).toBe("controller");
    expect(res.json()).toEqual({ made: true });
  });

  test("headers and cookies set on the context are kept when a FlagonResponse is returned", async () => {
    const res = await app.inject({ url: "/login" });
    expect(res.statusCode).toBe(303);
    expect(header(res, "location")).toBe("/home");
    expect(header(res, "x-ctx")).toBe("kept");
    expect(headerValues(res, "set-cookie").some((c) => c.startsWith("sid=abc"))).toBe(true);
  });

  test("clearCookie expires the cookie", async () => {
    const res = await app.inject({ url: "/clear" });
    const cookie = headerValues(res, "set-cookie").find((c) => c.startsWith("flavour="));
    expect(cookie).toBeDefined();
    expect(cookie).toMatch(/^flavour=;/);
    expect(cookie).toMatch(/Max-Age=0|Expires=Thu, 01 Jan 1970 00:00:00 GMT/);
    expect(cookie).toMatch(/;\s*Path=\//);
  });

  test.each(badCookieCases.map(([what], i) => [what, i] as const))(
    "setCookie/clearCookie with %s throws",
    async (_what, i) => {
      const res = await app.inject({ url: `/bad-cookie/${i}` });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ threw: true, isError: true });
      expect(headerValues(res, "set-cookie")).toEqual([]);
    },
  );

  test("an uncaught invalid cookie becomes a 500 and no Set-Cookie", async () => {
    const res = await app.inject({ url: "/bad-cookie-uncaught", headers: { accept: "application/json" } });
    expect(res.statusCode).toBe(500);
    expect(headerValues(res, "set-cookie")).toEqual([]);
  });
});

describe("default error pages", () => {
  let app: Flagon;
  beforeAll(async () => {
    app = buildApp();
    await app.ready();
  });

  test.each([
    "application/json",
    "application/problem+json",
    "application/vnd.acme+json",
    "application/json, text/html;q=0.5",
  ])("abort(404, msg) with Accept %s → problem+json", async (accept) => {
    const res = await app.inject({ url: "/abort404", headers: { accept } });
    const body = expectProblem(res, 404);
    expect(body.detail).toBe("no such thing");
    expect(typeof body.type).toBe("string");
  });

  // Issue 11 item 5: this app serves no templates, so a client naming no HTML (curl, fetch, no
  // Accept) gets problem details; test/web/issue-11-api-errors-json.test.ts has the web-app side.
  test("abort(404, msg) without Accept, in an app without templates → problem+json", async () => {
    const res = await app.inject({ url: "/abort404" });
    expect(expectProblem(res, 404).detail).toBe("no such thing");
  });

  test.each([
    ["text/html", "text/html"],
    ["text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "browser"],
    ["text/html, application/json;q=0.9", "html preferred"],
  ])("abort(404, msg) with Accept %s (%s) → HTML page", async (accept, _label) => {
    const headers: Record<string, string> = accept ? { accept } : {};
    const res = await app.inject({ url: "/abort404", headers });
    expect(res.statusCode).toBe(404);
    expect(header(res, "content-type")).toMatch(/^text\/html/);
    expect(res.body).toMatch(/404/);
    expect(res.body).toMatch(/<html|<!doctype/i);
  });

  test("the HTML error page escapes the message", async () => {
    const res = await app.inject({ url: "/abort-xss", headers: { accept: "text/html" } });
    expect(res.statusCode).toBe(400);
    expect(res.body).not.toContain("<script>alert(1)</script>");
  });

  test("routing 404 and 405 use problem+json for JSON clients", async () => {
    expectProblem(await app.inject({ url: "/nowhere", headers: { accept: "application/json" } }), 404);
    expectProblem(
      await app.inject({ method: "POST", url: "/str", headers: { accept: "application/json" } }),
      405,
    );
  });

  test("an HttpError subclass thrown with a message shows that message", async () => {
    const res = await app.inject({ url: "/conflict", headers: { accept: "application/json" } });
    const body = expectProblem(res, 409);
    expect(body.detail).toBe("name already taken");
    const page = await app.inject({ url: "/conflict", headers: { accept: "text/html" } });
    expect(page.statusCode).toBe(409);
    expect(page.body).toContain("name already taken");
  });

  test("HttpError with any status", async () => {
    const body = expectProblem(
      await app.inject({ url: "/teapot", headers: { accept: "application/json" } }),
      418,
    );
    expect(body.detail).toBe("short and stout");
  });
});

describe.each(["production", "test"] as const)("unhandled errors in %s env", (env) => {
  let app: Flagon;
  beforeAll(async () => {
    app = buildApp({ env });
    await app.ready();
  });

  test.each(["/throw-sync", "/throw-async", "/reject", "/throw-string"])(
    "%s → 500 without the internal message or a stack",
    async (url) => {
      for (const accept of ["application/json", "text/html"]) {
        const res = await app.inject({ url, headers: { accept } });
        expect(res.statusCode).toBe(500);
        expect(res.body).not.toContain("hunter2");
        expect(res.body).not.toMatch(/\bat .*\(.*:\d+:\d+\)|\.ts:\d+/);
        if (accept === "application/json") {
          const body = expectProblem(res, 500);
          expect(JSON.stringify(body)).not.toContain("hunter2");
        } else {
          expect(header(res, "content-type")).toMatch(/^text\/html/);
        }
      }
    },
  );

  test("the app keeps serving after an error", async () => {
    await app.inject({ url: "/throw-sync" });
    const res = await app.inject({ url: "/str" });
    expect(res.statusCode).toBe(200);
  });
});

describe("header injection", () => {
  let app: Flagon;
  beforeAll(async () => {
    app = buildApp({ env: "production" });
    await app.ready();
  });

  // node:http refuses such headers on a socket (the adapter then answers 500); inject must
  // answer the same, and nothing of the header may reach the client either way.
  test.each(["/hdr-crlf", "/hdr-lf-built", "/hdr-bad-name", "/redirect-crlf"])(
    "%s: a header with CR/LF or an invalid name is never sent → 500",
    async (url) => {
      const res = await app.inject({ url });
      expect(res.statusCode).toBe(500);
      expect(res.headers["x-evil"]).toBeUndefined();
      expect(res.headers["bad name"]).toBeUndefined();
      expect(headerValues(res, "set-cookie")).toEqual([]);
      expect(res.body).not.toContain("should not be sent");
    },
  );
});

describe("error handlers", () => {
  test("an error handler that throws → the default 500, without leaking its message", async () => {
    const app = buildApp({ env: "production" });
    app.setErrorHandler(PaymentError, () => {
      throw new Error(SECRET);
    });
    app.get("/pay-broken", () => {
      throw new PaymentError("x");
    });
    const res = await app.inject({ url: "/pay-broken", headers: { accept: "application/json" } });
    expectProblem(res, 500);
    expect(res.body).not.toContain("hunter2");
  });

  test("by status: a 404 handler handles routing 404s, converter mismatches and abort(404)", async () => {
    const app = buildApp();
    app.get("/num/<int:n>", () => "n");
    const seen: unknown[] = [];
    app.setErrorHandler(404, (error: unknown, ctx: Context) => {
      seen.push(error);
      return json({ custom: true, path: ctx.request.path }, { status: 404 });
    });
    for (const url of ["/nowhere", "/num/abc", "/abort404"]) {
      const res = await app.inject({ url });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ custom: true, path: url });
    }
    expect(seen).toHaveLength(3);
    // Other statuses are untouched.
    const conflict = await app.inject({ url: "/conflict", headers: { accept: "application/json" } });
    expect(conflict.statusCode).toBe(409);
  });

  test("by status: the handler can answer with its own status and body", async () => {
    const app = buildApp();
    app.setErrorHandler(409, () => text("conflict handled", { status: 400 }));
    const res = await app.inject({ url: "/conflict" });
    expect(res.statusCode).toBe(400);
    expect(res.body).toBe("conflict handled");
  });

  test("by status 500 for unhandled errors", async () => {
    const app = buildApp({ env: "production" });
    app.setErrorHandler(500, () => json({ oops: true }, { status: 500 }));
    const res = await app.inject({ url: "/throw-sync" });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ oops: true });
  });

  test("by class: a custom error class and its subclasses; nearest class wins", async () => {
    const app = buildApp();
    app.get("/pay", () => {
      throw new PaymentError("insufficient funds");
    });
    app.get("/declined", async () => {
      throw new CardDeclined("card declined");
    });
    app.get("/fraud", () => {
      throw new FraudError("fraud");
    });
    app.get("/unrelated", () => {
      throw new UnrelatedError("other");
    });
    app.setErrorHandler(PaymentError, (error: unknown) =>
      json(
        { handler: "payment", message: (error as Error).message, cls: (error as Error).constructor.name },
        { status: 402 },
      ),
    );
    app.setErrorHandler(FraudError, () => json({ handler: "fraud" }, { status: 403 }));

    const pay = await app.inject({ url: "/pay" });
    expect(pay.statusCode).toBe(402);
    expect(pay.json()).toEqual({ handler: "payment", message: "insufficient funds", cls: "PaymentError" });

    const declined = await app.inject({ url: "/declined" });
    expect(declined.statusCode).toBe(402);
    expect(declined.json()).toEqual({ handler: "payment", message: "card declined", cls: "CardDeclined" });

    const fraud = await app.inject({ url: "/fraud" });
    expect(fraud.statusCode).toBe(403);
    expect(fraud.json()).toEqual({ handler: "fraud" });

    const unrelated = await app.inject({ url: "/unrelated", headers: { accept: "application/json" } });
    expect(unrelated.statusCode).toBe(500);
  });

  test("by class: an HttpError handler sees abort() and HttpError subclasses", async () => {
    const app = buildApp();
    app.setErrorHandler(HttpError, (error: unknown) => {
      const e = error as HttpError;
      return json({ base: true, status: e.status, cls: e.constructor.name }, { status: e.status });
    });
    const aborted = await app.inject({ url: "/abort404" });
    expect(aborted.statusCode).toBe(404);
    expect(aborted.json()).toMatchObject({ base: true, status: 404 });
    const conflict = await app.inject({ url: "/conflict" });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json()).toEqual({ base: true, status: 409, cls: "ConflictError" });
  });

  test("by class: a NotFoundError handler also sees abort(404) and routing 404s (Flask parity)", async () => {
    const app = buildApp();
    app.setErrorHandler(NotFoundError, (error: unknown) =>
      json({ notFound: true, isHttpError: error instanceof HttpError }, { status: 404 }),
    );
    const res = await app.inject({ url: "/abort404" });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ notFound: true, isHttpError: true });
    const routing = await app.inject({ url: "/nowhere" });
    expect(routing.statusCode).toBe(404);
    expect(routing.json()).toEqual({ notFound: true, isHttpError: true });
  });

  test("an async error handler is awaited", async () => {
    const app = buildApp();
    app.setErrorHandler(PaymentError, async () => {
      await new Promise((r) => setTimeout(r, 2));
      return text("async handled", { status: 402 });
    });
    app.get("/pay2", () => {
      throw new PaymentError("x");
    });
    const res = await app.inject({ url: "/pay2" });
    expect(res.statusCode).toBe(402);
    expect(res.body).toBe("async handled");
  });
});
