import "reflect-metadata";
import { describe, expect, it } from "vitest";
import { inject, TestClient } from "@flagon/core/testing";
import { csrfApp, form, FORM_TYPE, HOST, SELF, send, visitor } from "./csrf-helpers.js";
import { makeApp, multipart } from "./helpers.js";

const BOUNDARY = "----csrfBoundary";

describe("CSRF: what passes", () => {
  it("accepts the token from the form field, the X-CSRF-Token header, or a later multipart part", async () => {
    const { app, ran } = csrfApp();
    const { client, token } = await visitor(app);
    const post = (headers: Record<string, string>, body?: string | Buffer) =>
      send(app, { method: "POST", url: "/submit", headers, body }, client);
    const field = await post({ "content-type": FORM_TYPE }, form({ csrf_token: token, title: "hi" }));
    expect(field.json()).toEqual({ ok: true, method: "POST", title: "hi" });
    // fetch / HTMX: the header, with a form, a JSON or no body at all.
    expect((await post({ "content-type": FORM_TYPE, "x-csrf-token": token }, "title=a")).statusCode).toBe(
      200,
    );
    const fetched = await post(
      { "content-type": "application/json", "X-CSRF-Token": token },
      '{"title":"j"}',
    );
    expect(fetched.json()).toMatchObject({ title: "j" });
    expect((await post({ "x-csrf-token": token })).statusCode).toBe(200);
    const parts = multipart(
      [
        { name: "title", value: "m" },
        { name: "doc", filename: "a.bin", value: Buffer.alloc(5000, 1) },
        { name: "csrf_token", value: token },
      ],
      BOUNDARY,
    );
    const multi = await post({ "content-type": `multipart/form-data; boundary=${BOUNDARY}` }, parts);
    expect(multi.json()).toMatchObject({ title: "m" });
    // The type is compared as its normalised essence: case and parameters do not matter.
    const upper = await post(
      { "content-type": "Application/X-WWW-Form-Urlencoded; charset=UTF-8" },
      form({ csrf_token: token }),
    );
    expect(upper.statusCode).toBe(200);
    expect(ran()).toBe(6);
  });

  it("accepts one token for every form of the session, and PUT, PATCH and DELETE with it", async () => {
    const { app } = csrfApp();
    const { client, token } = await visitor(app);
    const second = (await client.get("/token", { headers: { host: HOST } })).json<{ token: string }>().token;
    for (const [method, used] of [
      ["PUT", token],
      ["PATCH", second],
      ["DELETE", token],
    ]) {
      const res = await send(app, { method, url: "/submit", headers: { "x-csrf-token": used! } }, client);
      expect(res.json(), method).toMatchObject({ ok: true, method });
    }
  });

  it("lets GET, HEAD and CORS preflights through unchecked; any other OPTIONS is checked (403)", async () => {
    const { app, ran } = csrfApp();
    for (const method of ["GET", "HEAD"]) {
      const res = await send(app, { method, url: "/submit", headers: { origin: "https://evil.example" } });
      expect(res.statusCode, method).toBeLessThan(300);
    }
    const preflight = await send(app, {
      method: "OPTIONS",
      url: "/submit",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    expect(preflight.statusCode).toBeLessThan(300);
    const options = await send(app, {
      method: "OPTIONS",
      url: "/submit",
      headers: { origin: "https://evil.example", accept: "application/json" },
    });
    expect(options.statusCode).toBe(403);
    expect(options.json()).toMatchObject({ reason: "cross-origin" });
    const tokenless = await send(app, {
      method: "OPTIONS",
      url: "/submit",
      headers: { accept: "application/json" },
    });
    expect(tokenless.statusCode).toBe(403);
    expect(tokenless.json()).toMatchObject({ reason: "missing" });
    expect(ran()).toBe(0);
  });

  it("accepts our own Origin, Sec-Fetch-Site same-origin or none, and trusted origins", async () => {
    const { app } = csrfApp({ trustedOrigins: ["https://Admin.Example.com/"] });
    const { client, token } = await visitor(app);
    const post = (headers: Record<string, string>) =>
      send(app, { method: "POST", url: "/submit", headers: { "x-csrf-token": token, ...headers } }, client);
    expect((await post({ origin: SELF, "sec-fetch-site": "same-origin" })).statusCode).toBe(200);
    expect((await post({ "sec-fetch-site": "none" })).statusCode).toBe(200);
    // A browser's own form post under Referrer-Policy: no-referrer (the core's default).
    expect((await post({ origin: "null", "sec-fetch-site": "same-origin" })).statusCode).toBe(200);
    expect(
      (await post({ origin: "https://admin.example.com", "sec-fetch-site": "cross-site" })).statusCode,
    ).toBe(200);
    // A trusted origin still needs the token.
    const untokened = await send(app, {
      method: "POST",
      url: "/submit",
      headers: { origin: "https://admin.example.com" },
    });
    expect(untokened.json()).toMatchObject({ reason: "missing" });
    expect((await post({ origin: "https://other.example.com" })).json()).toMatchObject({
      reason: "cross-origin",
    });
  });

  it("refuses at start-up a trusted origin that is not an origin", async () => {
    for (const bad of ["admin.example.com", "https://admin.example.com/path", "ftp://x.example", "null"]) {
      const app = makeApp({ csrf: { trustedOrigins: [bad] } });
      await expect(app.ready(), bad).rejects.toThrow(/trustedOrigins/);
    }
  });

  it("exempts token-authenticated requests (any scheme a browser never sends by itself, the API-key header), never Basic, Negotiate or NTLM", async () => {
    const { app, ran } = csrfApp({ apiKeyHeader: "x-api-key" });
    const post = (headers: Record<string, string>) =>
      send(app, {
        method: "POST",
        url: "/submit",
        headers: { "content-type": FORM_TYPE, ...headers },
        body: "title=a",
      });
    expect((await post({ authorization: "Bearer abc.def.ghi" })).statusCode).toBe(200);
    expect((await post({ authorization: "token abc" })).statusCode).toBe(200);
    expect((await post({ "x-api-key": "k-123" })).statusCode).toBe(200);
    expect((await post({ "x-api-key": " " })).statusCode).toBe(403);
    expect((await post({ authorization: "Flagon-Login-As s3cret" })).statusCode).toBe(200);
    expect((await post({ authorization: "Basic YWRhOnNlY3JldA==" })).statusCode).toBe(403);
    expect((await post({ authorization: "Negotiate YIIB" })).statusCode).toBe(403);
    expect((await post({ authorization: "NTLM TlRMTVNT" })).statusCode).toBe(403);
    expect((await post({ authorization: "Bearer" })).statusCode).toBe(403);
    expect(ran()).toBe(4);
  });

  it("takes the API-key header from the auth plugin's config", async () => {
    const { app } = csrfApp({}, { auth: { apiKeyHeader: "x-service-key" } });
    const res = await send(app, { method: "POST", url: "/submit", headers: { "x-service-key": "k" } });
    expect(res.statusCode).toBe(200);
  });

  it("skips @CsrfExempt() routes and controllers", async () => {
    const { app } = csrfApp();
    for (const url of ["/hooks/in", "/api/open"]) {
      const res = await send(app, { method: "POST", url, headers: { origin: "https://evil.example" } });
      expect(res.statusCode, url).toBe(200);
    }
    expect((await send(app, { method: "POST", url: "/api/guarded" })).statusCode).toBe(403);
  });

  it("does not make a JSON route accept a form because the check read it (row 7)", async () => {
    const { app, ran } = csrfApp();
    const { client, token } = await visitor(app);
    const res = await send(
      app,
      {
        method: "POST",
        url: "/json-only",
        headers: { "content-type": FORM_TYPE },
        body: form({ csrf_token: token }),
      },
      client,
    );
    expect(res.statusCode).toBe(415);
    expect(ran()).toBe(1);
  });

  it("is off with csrf.enabled false", async () => {
    const { app } = csrfApp({ enabled: false });
    expect((await send(app, { method: "POST", url: "/submit" })).statusCode).toBe(200);
  });
});

describe("CSRF: failures", () => {
  it("answers a JSON client with 403 problem+json naming the reason, and logs the reason", async () => {
    const { app, logs } = csrfApp();
    const res = await send(app, { method: "POST", url: "/submit", headers: { origin: "null" } });
    expect(res.statusCode).toBe(403);
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({
      status: 403,
      reason: "cross-origin",
      detail: "The request came from another origin.",
    });
    const line = logs().find((each) => each["reason"] === "cross-origin");
    expect(line).toMatchObject({
      path: "/submit",
      msg: expect.stringContaining("CSRF check failed (cross-origin)"),
    });
  });

  it("answers an HTML client with the app's 403 page saying what went wrong", async () => {
    const { app } = csrfApp();
    const res = await send(app, { method: "POST", url: "/submit", headers: { accept: "text/html" } });
    expect(res.statusCode).toBe(403);
    expect(res.headers["content-type"]).toMatch(/^text\/html/);
    expect(res.body).toContain("The CSRF token is missing.");
  });

  it("logs each reason: missing, invalid, wrong-session, expired, cross-origin", async () => {
    const { app, logs } = csrfApp({ timeLimit: 1 });
    const { client, token } = await visitor(app);
    const other = await visitor(app);
    const post = (headers: Record<string, string>, who = client) =>
      send(app, { method: "POST", url: "/submit", headers }, who);
    await post({});
    await post({ "x-csrf-token": "bad" });
    await post({ "x-csrf-token": token }, other.client);
    await post({ origin: "https://evil.example" });
    const realNow = Date.now;
    Date.now = () => realNow() + 5000;
    try {
      await post({ "x-csrf-token": token });
    } finally {
      Date.now = realNow;
    }
    const reasons = logs().map((line) => line["reason"]);
    expect(reasons).toEqual(["missing", "invalid", "wrong-session", "cross-origin", "expired"]);
    expect(JSON.stringify(logs())).not.toContain(token);
  });
});

describe("csrf_token() in templates", () => {
  it("does no session work on a page that does not call it", async () => {
    const { app } = csrfApp();
    const res = await inject(app, { url: "/plain", headers: { host: HOST } });
    expect(res.statusCode).toBe(200);
    expect(res.headers["set-cookie"]).toBeUndefined();
    expect(String(res.headers["vary"] ?? "")).not.toMatch(/cookie/i);
  });

  it("creates the session's secret when a page calls it, and the token posts back", async () => {
    const { app } = csrfApp();
    const browser = new TestClient(app);
    const page = await browser.get("/form", { headers: { host: HOST } });
    expect(page.headers["set-cookie"]).toBeDefined();
    const tokens = [...page.body.matchAll(/value="([^"]+)"|again: (\S+)</g)].map((m) => m[1] ?? m[2]);
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).toBe(tokens[1]);
    const res = await send(
      app,
      {
        method: "POST",
        url: "/submit",
        headers: { "content-type": FORM_TYPE },
        body: form({ csrf_token: tokens[0]!, title: "t" }),
      },
      browser,
    );
    expect(res.json()).toMatchObject({ ok: true, title: "t" });
  });

  it("reuses the secret of a session the visitor already has", async () => {
    const { app } = csrfApp();
    const { client, token } = await visitor(app);
    const page = await client.get("/form", { headers: { host: HOST } });
    const fromPage = /value="([^"]+)"/.exec(page.body)![1]!;
    for (const used of [token, fromPage]) {
      const res = await send(
        app,
        { method: "POST", url: "/submit", headers: { "x-csrf-token": used } },
        client,
      );
      expect(res.statusCode).toBe(200);
    }
  });
});
