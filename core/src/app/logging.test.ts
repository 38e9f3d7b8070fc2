import "reflect-metadata";
import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, test } from "vitest";
import { abort, HttpError } from "../errors/http-errors.js";
import type { Env } from "../config/core-sections.js";
import { Flagon } from "./flagon.js";

interface LogLine {
  level: number;
  msg?: string;
  reqId?: string;
  err?: { message?: string; type?: string; stack?: string };
  [key: string]: unknown;
}

const ERROR = 50;

/** An app whose pino logger writes into `lines`, with routes that fail in different ways. */
function appWithLog(env: Env): { app: Flagon; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const destination = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      for (const line of chunk.toString().split("\n"))
        if (line.trim() !== "") lines.push(JSON.parse(line) as LogLine);
      callback();
    },
  });
  const app = new Flagon({ logger: pino({ level: "info" }, destination), config: { env } });
  app.get("/boom", () => {
    throw new Error("db exploded");
  });
  app.get("/async-boom", async () => {
    await Promise.resolve();
    throw new Error("async db exploded");
  });
  app.get("/missing", () => abort(404, "no such todo"));
  app.get("/teapot", () => {
    throw new HttpError(418, "short and stout");
  });
  app.get("/unavailable", () => {
    throw new HttpError(503, "replica lag");
  });
  app.get("/ok", () => "fine");
  return { app, lines };
}

const errorLines = (lines: readonly LogLine[]): LogLine[] => lines.filter((line) => line.level >= ERROR);

describe("error logging", () => {
  test("an unexpected error is logged exactly once, at error level, with the request id and the message", async () => {
    const { app, lines } = appWithLog("production");
    const res = await app.inject({ url: "/boom" });
    expect(res.statusCode).toBe(500);
    const errors = errorLines(lines);
    expect(errors).toHaveLength(1);
    const [line] = errors as [LogLine];
    expect(line.level).toBe(ERROR);
    expect(typeof line.reqId).toBe("string");
    expect(line.reqId).not.toBe("");
    expect(line.err?.message).toBe("db exploded");
    expect(line.err?.stack).toMatch(/db exploded/);
    expect(JSON.stringify(line)).toContain("db exploded");
    expect(line["method"]).toBe("GET");
    expect(line["path"]).toBe("/boom");
  });

  test("async throws are logged the same way", async () => {
    const { app, lines } = appWithLog("production");
    expect((await app.inject({ url: "/async-boom" })).statusCode).toBe(500);
    const errors = errorLines(lines);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.err?.message).toBe("async db exploded");
  });

  test("each request logs under its own id", async () => {
    const { app, lines } = appWithLog("production");
    await app.inject({ url: "/boom" });
    await app.inject({ url: "/boom" });
    const ids = errorLines(lines).map((line) => line.reqId);
    expect(ids).toHaveLength(2);
    expect(ids[0]).not.toBe(ids[1]);
  });

  test("in production the response does not reveal the message, as JSON or HTML", async () => {
    const { app } = appWithLog("production");
    const json = await app.inject({ url: "/boom", headers: { accept: "application/json" } });
    expect(json.statusCode).toBe(500);
    expect(json.headers["content-type"]).toBe("application/problem+json");
    expect(json.body).not.toContain("db exploded");
    expect(json.json()).toEqual({ type: "about:blank", title: "Internal Server Error", status: 500 });
    const page = await app.inject({ url: "/boom", headers: { accept: "text/html" } });
    expect(page.statusCode).toBe(500);
    expect(page.body).not.toContain("db exploded");
    expect(page.body).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  });

  test("in development the problem detail carries the message", async () => {
    const { app, lines } = appWithLog("development");
    const res = await app.inject({ url: "/boom", headers: { accept: "application/json" } });
    expect(res.statusCode).toBe(500);
    expect(res.json<{ detail?: string }>().detail).toBe("db exploded");
    expect(errorLines(lines)).toHaveLength(1);
  });

  test("HTTP errors below 500 are not logged at error level", async () => {
    const { app, lines } = appWithLog("production");
    const missing = await app.inject({ url: "/missing", headers: { accept: "application/json" } });
    expect(missing.statusCode).toBe(404);
    expect(missing.json<{ detail?: string }>().detail).toBe("no such todo");
    expect((await app.inject({ url: "/nowhere" })).statusCode).toBe(404);
    expect((await app.inject({ method: "POST", url: "/ok" })).statusCode).toBe(405);
    expect((await app.inject({ url: "/teapot" })).statusCode).toBe(418);
    expect(errorLines(lines)).toEqual([]);
  });

  test("an HttpError of 500 or more is logged at error level", async () => {
    const { app, lines } = appWithLog("production");
    const res = await app.inject({ url: "/unavailable", headers: { accept: "application/json" } });
    expect(res.statusCode).toBe(503);
    expect(res.body).not.toContain("replica lag");
    const errors = errorLines(lines);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.err?.message).toBe("replica lag");
  });

  test("a successful request logs no error", async () => {
    const { app, lines } = appWithLog("production");
    expect((await app.inject({ url: "/ok" })).body).toBe("fine");
    expect(errorLines(lines)).toEqual([]);
  });

  test("a failing error handler is logged too, and its answer is a 500 that hides the message", async () => {
    const { app, lines } = appWithLog("production");
    app.setErrorHandler(500, () => {
      throw new Error("handler broke too");
    });
    const res = await app.inject({ url: "/boom", headers: { accept: "application/json" } });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain("handler broke");
    const messages = errorLines(lines).map((line) => line.err?.message);
    expect(messages).toEqual(["db exploded", "handler broke too"]);
  });
});
