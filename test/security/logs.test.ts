import "reflect-metadata";
// RELIABILITY row 36: no secret in the log corpus, one line per event. test/web/logging.test.ts
// proves the main cases (Authorization, Cookie, Set-Cookie, password, csrf_token, x-api-key,
// x-csrf-token, nested tokens, an upstream error's headers, the query string never logged, a
// CR/LF in the path kept inside one JSON line, over inject and a raw socket). This file adds the
// token spellings other frameworks use (Rails, Django, GitLab, AWS, OAuth), and a CR/LF that
// arrives in a header or a body field.
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { type Context, Flagon } from "@flagon/core";
import { figure } from "./helpers.js";

function capture(): { app: Flagon; text: () => string; lines: () => Array<Record<string, unknown>> } {
  let text = "";
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString("utf8");
      done();
    },
  });
  const app = new Flagon({
    configFile: false,
    logger: { level: "debug", stream },
    config: { env: "production", static: false },
  });
  return {
    app,
    text: () => text,
    lines: () =>
      text
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe("row 36 — secrets in logs: the spellings test/web/logging.test.ts does not send", () => {
  const headers: Record<string, string> = {
    "x-auth-token": "SECRET-x-auth-token",
    "private-token": "SECRET-gitlab-private-token",
    "proxy-authorization": "Basic SECRET-proxy-authorization",
    "x-xsrf-token": "SECRET-angular-xsrf",
    "x-amz-security-token": "SECRET-aws-session-token",
    "x-api-token": "SECRET-api-token-header",
    "x-session-id": "SECRET-session-id-header",
  };
  const body = {
    user: "bob",
    authenticity_token: "SECRET-rails-authenticity-token",
    csrfmiddlewaretoken: "SECRET-django-csrf",
    _csrf: "SECRET-express-csrf",
    api_token: "SECRET-api-token-field",
    apiKey: "SECRET-api-key-field",
    client_secret: "SECRET-oauth-client-secret",
    refresh_token: "SECRET-oauth-refresh",
    passphrase: "SECRET-passphrase",
    pwd: "SECRET-pwd",
    passwd: "SECRET-passwd",
    credentials: { user: "bob", pass: "SECRET-nested-pass" },
    list: [{ accessToken: "SECRET-in-an-array" }],
  };

  it("headers and body fields logged by a handler, by an error, or in a failed request: 0 secrets", async () => {
    const { app, text, lines } = capture();
    app.post("/login", async (ctx: Context) => {
      const parsed = await ctx.request.json();
      ctx.log.info({ body: parsed }, "body");
      ctx.log.info({ headers: ctx.request.headers }, "headers");
      ctx.log.warn({ req: { headers: ctx.request.headers, body: parsed } }, "request as a whole");
      throw Object.assign(new Error("login failed"), {
        request: { headers: ctx.request.headers, body: parsed },
      });
    });
    const res = await app.inject({
      method: "POST",
      url: "/login?api_token=SECRET-query",
      headers,
      json: body,
    });
    expect(res.statusCode).toBe(500);
    const corpus = text();
    expect(corpus).toContain('"user":"bob"');
    const leaked = corpus.match(/SECRET[-\w]*/g) ?? [];
    figure(
      "row 36",
      "secrets in the log corpus (extra spellings)",
      `${Object.keys(headers).length} headers + ${Object.keys(body).length - 1} fields sent, ${lines().length} lines, ${leaked.length} secrets`,
    );
    expect(leaked).toEqual([]);
  });

  it("a CR/LF inside a body field or a header value stays inside one JSON line", async () => {
    const { app, text, lines } = capture();
    app.post("/note", async (ctx: Context) => {
      ctx.log.info({ note: await ctx.request.json(), agent: ctx.request.header("user-agent") }, "note");
      return { ok: true };
    });
    const forged = '\r\n{"level":60,"msg":"forged"}\r\n';
    await app.inject({
      method: "POST",
      url: "/note",
      headers: { "user-agent": `ua${forged}` },
      json: { text: `a${forged}b` },
    });
    const raw = text()
      .split("\n")
      .filter((line) => line !== "");
    expect(raw.every((line) => line.startsWith("{") && line.endsWith("}"))).toBe(true);
    expect(lines().some((line) => line["msg"] === "forged")).toBe(false);
    expect(lines().filter((line) => line["msg"] === "note")).toHaveLength(1);
  });
});
