import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, test } from "vitest";
import { CENSOR, createLogger, isSecretName, redactLine } from "./logger.js";

function capture(): { stream: Writable; text: () => string; lines: () => Record<string, unknown>[] } {
  let text = "";
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString("utf8");
      callback();
    },
  });
  return {
    stream,
    text: () => text,
    lines: () =>
      text
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe("isSecretName", () => {
  test.each([
    "password",
    "Password",
    "newPassword",
    "password_confirmation",
    "passwd",
    "pass",
    "pwd",
    "secret",
    "clientSecret",
    "client_secret",
    "token",
    "access_token",
    "refreshToken",
    "x-auth-token",
    "csrf_token",
    "_csrf",
    "x-xsrf-token",
    "apiKey",
    "api_key",
    "x-api-key",
    "authorization",
    "Proxy-Authorization",
    "cookie",
    "set-cookie",
    "cookies",
    "sessionId",
    "session_id",
    "privateKey",
    "credentials",
  ])("%s is a secret", (name) => {
    expect(isSecretName(name)).toBe(true);
  });

  test.each(["user", "email", "path", "method", "status", "passenger", "compass", "host", "accept", "reqId"])(
    "%s is not",
    (name) => {
      expect(isSecretName(name)).toBe(false);
    },
  );
});

describe("redactLine", () => {
  test("a line without a secret-like word is returned as is (the same string)", () => {
    const line = '{"level":30,"reqId":"a","path":"/x","msg":"request completed"}\n';
    expect(redactLine(line)).toBe(line);
  });

  test("secret fields are censored at any depth, in arrays too, and the line ending is kept", () => {
    const line = `${JSON.stringify({
      a: { b: { c: { d: { e: { password: "p1" } } } } },
      list: [{ token: "t1" }, { fine: "ok" }],
      headers: { Authorization: "Bearer b1", accept: "*/*" },
      cookies: { sid: "s1" },
      msg: "m",
    })}\n`;
    const out = redactLine(line);
    expect(out.endsWith("}\n")).toBe(true);
    expect(out).not.toMatch(/p1|t1|b1|s1/);
    const parsed = JSON.parse(out) as Record<string, unknown>;
    expect(parsed).toEqual({
      a: { b: { c: { d: { e: { password: CENSOR } } } } },
      list: [{ token: CENSOR }, { fine: "ok" }],
      headers: { Authorization: CENSOR, accept: "*/*" },
      cookies: CENSOR,
      msg: "m",
    });
  });

  test('a "__proto__" key stays a plain key', () => {
    const out = redactLine('{"__proto__":{"token":"t"},"msg":"x"}');
    expect(out).toBe('{"__proto__":{"token":"[redacted]"},"msg":"x"}');
  });

  test("a secret-looking word in a value alone changes nothing", () => {
    const line = '{"path":"/password-reset","msg":"token refreshed"}\n';
    expect(redactLine(line)).toBe(line);
  });
});

describe("createLogger", () => {
  test("writes JSON lines to the given stream with secrets redacted, never mutating the logged object", () => {
    const out = capture();
    const log = createLogger({ level: "info", stream: out.stream }, "production");
    const body = { user: "bob", password: "hunter2", profile: { apiKey: "k-123" } };
    log
      .child({ reqId: "r1" })
      .info({ body, req: { headers: { authorization: "Bearer abc", cookie: "sid=1" } } }, "hi");
    log.info({ res: { headers: { "set-cookie": ["sid=2; HttpOnly"] } } }, "sent");
    expect(body.password).toBe("hunter2");
    expect(out.text()).not.toMatch(/hunter2|k-123|Bearer abc|sid=1|sid=2/);
    const [first, second] = out.lines();
    expect(first).toMatchObject({
      reqId: "r1",
      msg: "hi",
      body: { user: "bob", password: CENSOR, profile: { apiKey: CENSOR } },
      req: { headers: { authorization: CENSOR, cookie: CENSOR } },
    });
    expect(second).toMatchObject({ res: { headers: { "set-cookie": CENSOR } } });
  });

  test("redacts secrets in the properties of a logged error", () => {
    const out = capture();
    const log = createLogger({ level: "info", stream: out.stream }, "production");
    const error = Object.assign(new Error("upstream failed"), {
      config: { headers: { Authorization: "Bearer from-axios" } },
    });
    log.error({ err: error }, "call failed");
    expect(out.text()).not.toContain("from-axios");
    expect(out.lines()[0]).toMatchObject({ err: { message: "upstream failed", type: "Error" } });
  });

  test("keeps the user's own redact paths and streamWrite hook", () => {
    const out = capture();
    const log = createLogger(
      {
        level: "info",
        stream: out.stream,
        redact: ["user.email"],
        hooks: { streamWrite: (line) => line.replace("bob", "b**") },
      },
      "production",
    );
    log.info({ user: { name: "bob", email: "bob@example.com", password: "pw" } }, "x");
    expect(out.lines()[0]).toMatchObject({ user: { name: "b**", email: CENSOR, password: CENSOR } });
  });

  test("pretty: true prints human lines (still redacted)", async () => {
    const out = capture();
    const log = createLogger({ level: "info", stream: out.stream, pretty: true }, "production");
    log.info({ password: "pw-9", n: 1 }, "hello pretty");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(out.text()).toContain("hello pretty");
    expect(out.text()).toContain("INFO");
    expect(out.text()).not.toContain("pw-9");
    expect(() => JSON.parse(out.text().split("\n")[0] ?? "")).toThrow();
  });

  test("in production, standard output is written through pino's asynchronous destination", () => {
    // A synchronous write per line would block the event loop under load (issue 16's request-log row).
    const log = createLogger({ level: "info" }, "production");
    const destination = (log as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] as {
      sync?: boolean;
      fd?: number;
      minLength?: number;
    };
    expect(destination.sync).toBe(false);
    expect(destination.fd).toBe(1);
    expect(destination.minLength).toBe(0);
  });

  test("a stream in development gets JSON unless pretty is asked for", () => {
    const out = capture();
    createLogger({ level: "info", stream: out.stream }, "development").info("plain");
    expect(out.lines()[0]).toMatchObject({ msg: "plain" });
  });
});
