import "reflect-metadata";
// Request logging (RELIABILITY row 36): one line per request, X-Request-Id taken or made and
// echoed, secrets never in the log corpus, a CR/LF in the path stays inside one JSON line.
import { Writable } from "node:stream";
import { type Context, Flagon, type FlagonOptions } from "@flagon/core";
import { afterEach, describe, expect, it } from "vitest";
import { deferred, harness, HOST, sleep, waitFor, within } from "../socket/helpers.js";

interface Sink {
  stream: Writable;
  /** Everything written, as text: the corpus the secret checks grep. */
  text(): string;
  lines(): Array<Record<string, unknown>>;
  requests(): Array<Record<string, unknown>>;
}

function sink(): Sink {
  let text = "";
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString("utf8");
      callback();
    },
  });
  const lines = (): Array<Record<string, unknown>> =>
    text
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return {
    stream,
    text: () => text,
    lines,
    requests: () =>
      lines().filter((line) => line["msg"] === "request completed" || line["msg"] === "request aborted"),
  };
}

function appWithLog(options: FlagonOptions = {}): { app: Flagon; log: Sink } {
  const log = sink();
  const app = new Flagon({
    configFile: false,
    ...options,
    logger: { level: "info", stream: log.stream },
    config: { env: "production", ...options.config },
  });
  return { app, log };
}

const h = harness();
afterEach(() => h.cleanup());

describe("one line per request", () => {
  it("carries reqId, method, path (no query), status, durationMs and remoteAddress", async () => {
    const { app, log } = appWithLog();
    app.get("/items", () => ({ ok: true }));
    const res = await app.inject({ url: "/items?page=2", remoteAddress: "192.0.2.7" });
    expect(res.statusCode).toBe(200);
    const lines = log.requests();
    expect(lines).toHaveLength(1);
    const [line] = lines as [Record<string, unknown>];
    expect(line).toMatchObject({
      level: 30,
      msg: "request completed",
      reqId: res.headers["x-request-id"],
      method: "GET",
      path: "/items",
      status: 200,
      remoteAddress: "192.0.2.7",
    });
    expect(typeof line["durationMs"]).toBe("number");
    expect(line["durationMs"]).toBeGreaterThanOrEqual(0);
    expect(log.text()).not.toContain("page=2");
  });

  it("logs 404s, 405s, errors (5xx as warnings) and early answers alike", async () => {
    const { app, log } = appWithLog();
    app.get("/boom", () => {
      throw new Error("kaput");
    });
    app.get("/ok", () => "ok");
    await app.inject({ url: "/nowhere" });
    await app.inject({ method: "POST", url: "/ok" });
    await app.inject({ url: "/boom" });
    expect(log.requests().map((line) => [line["path"], line["status"], line["level"]])).toEqual([
      ["/nowhere", 404, 30],
      ["/ok", 405, 30],
      ["/boom", 500, 40],
    ]);
  });

  it("ctx.log lines carry the same request id as the request line", async () => {
    const { app, log } = appWithLog();
    app.get("/work", (ctx: Context) => {
      ctx.log.info({ step: 1 }, "working");
      return "done";
    });
    const res = await app.inject({ url: "/work" });
    const work = log.lines().find((line) => line["msg"] === "working");
    expect(work?.["reqId"]).toBe(res.headers["x-request-id"]);
    expect(log.requests()[0]?.["reqId"]).toBe(res.headers["x-request-id"]);
  });

  it("requestLog: false turns the request lines off (ctx.log still works)", async () => {
    const { app, log } = appWithLog({ config: { requestLog: false } });
    app.get("/work", (ctx: Context) => {
      ctx.log.info("working");
      return "done";
    });
    await app.inject({ url: "/work" });
    expect(log.requests()).toEqual([]);
    expect(log.lines().map((line) => line["msg"])).toEqual(["working"]);
  });

  it("requestLog must be a boolean", () => {
    expect(() => new Flagon({ logger: false, config: { requestLog: "yes" as unknown as boolean } })).toThrow(
      /FLAGON_ERR_INVALID_CONFIG: config\.requestLog/,
    );
  });
});

describe("X-Request-Id", () => {
  it("a valid incoming id is used for the logs and echoed", async () => {
    const { app, log } = appWithLog();
    app.get("/", (ctx: Context) => ctx.id);
    const res = await app.inject({ url: "/", headers: { "x-request-id": "edge-42.a_b:c" } });
    expect(res.headers["x-request-id"]).toBe("edge-42.a_b:c");
    expect(res.body).toBe("edge-42.a_b:c");
    expect(log.requests()[0]?.["reqId"]).toBe("edge-42.a_b:c");
  });

  it("without one, an id is generated, echoed, and differs per request", async () => {
    const { app } = appWithLog();
    app.get("/", () => "x");
    const a = await app.inject("/");
    const b = await app.inject("/");
    expect(a.headers["x-request-id"]).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
    expect(b.headers["x-request-id"]).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
    expect(a.headers["x-request-id"]).not.toBe(b.headers["x-request-id"]);
  });

  it.each([
    ["too long", "x".repeat(129)],
    ["spaces", "a b"],
    ["a JSON fragment", '","level":60,"x":"'],
    ["non-ASCII", "ids-é"],
  ])("an invalid incoming id (%s) is replaced", async (_what, id) => {
    const { app, log } = appWithLog();
    app.get("/", () => "x");
    const res = await app.inject({ url: "/", headers: { "x-request-id": id } });
    const echoed = res.headers["x-request-id"] as string;
    expect(echoed).not.toBe(id);
    expect(echoed).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
    expect(log.requests()[0]?.["reqId"]).toBe(echoed);
    expect(log.text()).not.toContain(id);
  });

  it("error responses and hook answers echo it too", async () => {
    const { app } = appWithLog();
    app.addHook("onRequest", (ctx: Context) => (ctx.request.path === "/early" ? "early" : undefined));
    const early = await app.inject({ url: "/early", headers: { "x-request-id": "r-1" } });
    const missing = await app.inject({ url: "/missing", headers: { "x-request-id": "r-2" } });
    expect(early.headers["x-request-id"]).toBe("r-1");
    expect(missing.headers["x-request-id"]).toBe("r-2");
  });
});

describe("secrets never reach the log corpus", () => {
  it("Authorization, Cookie, Set-Cookie, passwords, tokens, API keys, CSRF tokens, whatever logs them", async () => {
    const { app, log } = appWithLog();
    app.post("/login", async (ctx: Context) => {
      const body = await ctx.request.json();
      ctx.log.info({ body }, "login attempt");
      ctx.log.info({ req: { method: ctx.request.method, headers: ctx.request.headers } }, "headers");
      ctx.log.info(
        { cookies: ctx.request.cookies, query: ctx.request.query.toObject() },
        "cookies and query",
      );
      ctx.response.setCookie("session", "SECRET-set-cookie-value", { httpOnly: true });
      ctx.log.info(
        { res: { headers: { "set-cookie": ctx.response.headers.get("set-cookie") } } },
        "response",
      );
      const error = Object.assign(new Error("upstream refused"), {
        config: { headers: { Authorization: "Bearer SECRET-upstream" } },
      });
      ctx.log.warn({ err: error }, "upstream call failed");
      return { ok: true };
    });
    const res = await app.inject({
      method: "POST",
      url: "/login?access_token=SECRET-query-token&next=/home",
      headers: {
        authorization: "Bearer SECRET-bearer",
        cookie: "session=SECRET-cookie; theme=dark",
        "x-api-key": "SECRET-api-key",
        "x-csrf-token": "SECRET-csrf-header",
      },
      json: {
        user: "bob",
        password: "SECRET-password",
        csrf_token: "SECRET-csrf",
        profile: { apiKey: "SECRET-apikey", nested: { deeper: { token: "SECRET-deep-token" } } },
        newPassword: "SECRET-new-password",
      },
    });
    expect(res.statusCode).toBe(200);
    const corpus = log.text();
    expect(corpus).toContain("login attempt");
    expect(corpus).toContain("[redacted]");
    expect(corpus).toContain('"user":"bob"');
    expect(corpus.match(/SECRET[-\w]*/g) ?? []).toEqual([]);
    // Every line stays valid JSON after redaction.
    expect(log.lines().length).toBeGreaterThanOrEqual(6);
  });

  it("a CR/LF in the path stays inside one JSON line", async () => {
    const { app, log } = appWithLog();
    const res = await app.inject({ url: '/a\r\n{"level":60,"msg":"forged"}\r\nb' });
    expect(res.statusCode).toBe(404);
    const raw = log
      .text()
      .split("\n")
      .filter((line) => line !== "");
    const requestLines = raw.filter((line) => line.includes("request completed"));
    expect(requestLines).toHaveLength(1);
    expect(raw.every((line) => line.startsWith("{") && line.endsWith("}"))).toBe(true);
    expect(log.lines().some((line) => line["msg"] === "forged")).toBe(false);
    expect(log.requests()[0]?.["path"]).toBe('/a\r\n{"level":60,"msg":"forged"}\r\nb');
  });
});

describe("over a real socket", () => {
  function socketApp(): { app: Flagon; log: Sink } {
    const log = sink();
    const app = h.app({ logger: { level: "info", stream: log.stream } });
    return { app, log };
  }

  it("logs when the response finished, with the peer address and an encoded CR/LF path as sent", async () => {
    const { app, log } = socketApp();
    app.get("/hello", () => "hi");
    const port = await h.listen(app);
    const res = await fetch(`http://${HOST}:${port}/hello?token=SECRET-q`, {
      headers: { "x-request-id": "sock-1" },
    });
    expect(await res.text()).toBe("hi");
    expect(res.headers.get("x-request-id")).toBe("sock-1");
    const raw = await h.raw(port);
    await raw.write(`GET /a%0d%0a%7B%22level%22%3A60%7D HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`);
    expect((await raw.readResponse()).status).toBe(404);
    expect(await waitFor(() => log.requests().length === 2, 2000)).toBe(true);
    const [first, second] = log.requests() as [Record<string, unknown>, Record<string, unknown>];
    expect(first).toMatchObject({
      reqId: "sock-1",
      method: "GET",
      path: "/hello",
      status: 200,
      remoteAddress: HOST,
    });
    expect(second).toMatchObject({ path: "/a%0d%0a%7B%22level%22%3A60%7D", status: 404 });
    expect(log.text()).not.toContain("SECRET");
  });

  it("a client that leaves mid-stream is logged as aborted", async () => {
    const { app, log } = socketApp();
    const release = deferred();
    h.defer(() => release.resolve());
    app.get("/slow", () =>
      (async function* () {
        yield "part";
        await release.promise;
        yield "rest";
      })(),
    );
    const port = await h.listen(app);
    const raw = await h.raw(port);
    await raw.write(`GET /slow HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`);
    await waitFor(() => raw.received > 0, 2000);
    raw.destroy();
    expect(await waitFor(() => log.requests().length === 1, 2000)).toBe(true);
    expect(log.requests()[0]).toMatchObject({
      msg: "request aborted",
      aborted: true,
      path: "/slow",
      status: 200,
    });
  });

  it("a request refused with 503 while closing is logged, with its X-Request-Id echoed", async () => {
    const { app, log } = socketApp();
    const slowStarted = deferred();
    const release = deferred();
    h.defer(() => release.resolve());
    app.get("/fast", () => "fast");
    app.get("/slow", async () => {
      slowStarted.resolve();
      await release.promise;
      return "slow";
    });
    const port = await h.listen(app);
    const a = await h.raw(port);
    await a.write(`GET /fast HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`);
    expect((await a.readResponse()).status).toBe(200);
    await a.write(`GET /fast HTTP/1.1\r\nHost: ${HOST}\r\nX-Request-Id: late-1\r\n`);
    const b = await h.raw(port);
    await b.write(`GET /slow HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`);
    await within(slowStarted.promise, 3000, "the slow handler to start");
    await sleep(100);
    const closing = app.close();
    await sleep(100);
    await a.write("\r\n");
    const refused = await a.readResponse();
    expect(refused.status).toBe(503);
    expect(refused.headers["x-request-id"]).toBe("late-1");
    release.resolve();
    await within(closing, 3000, "close()");
    const lines = log.requests();
    expect(lines.find((line) => line["reqId"] === "late-1")).toMatchObject({
      path: "/fast",
      status: 503,
      level: 40,
    });
    expect(lines.map((line) => line["status"]).sort()).toEqual([200, 200, 503]);
  });
});
