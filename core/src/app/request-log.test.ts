import { performance } from "node:perf_hooks";
import { Writable } from "node:stream";
import { type Logger, pino } from "pino";
import { describe, expect, test } from "vitest";
import { incomingRequestId, writeRequestLine } from "./request-log.js";

describe("incomingRequestId", () => {
  test.each(["abc", "A-1.2_3:4", "x".repeat(128), "0f8fad5b-d9cb-469f-a165-70867728950e"])(
    "accepts %s",
    (id) => {
      expect(incomingRequestId({ "x-request-id": id })).toBe(id);
    },
  );

  test.each([
    ["empty", ""],
    ["too long", "x".repeat(129)],
    ["a space", "a b"],
    ["CR LF", "a\r\nb"],
    ["a quote", 'a"b'],
    ["non-ASCII", "café"],
    ["two values joined by node", "a, b"],
    ["a slash", "a/b"],
  ])("refuses %s", (_what, id) => {
    expect(incomingRequestId({ "x-request-id": id })).toBeUndefined();
  });

  test("absent is undefined", () => {
    expect(incomingRequestId({})).toBeUndefined();
  });
});

function logger(level = "info"): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString("utf8")) as Record<string, unknown>);
      callback();
    },
  });
  return { log: pino({ level }, stream), lines };
}

const base = { reqId: "r", method: "GET", remoteAddress: "127.0.0.1" };

describe("writeRequestLine", () => {
  test("logs the path without the query string, the status and a duration", () => {
    const { log, lines } = logger();
    writeRequestLine(log, {
      ...base,
      url: "/items?access_token=abc",
      status: 200,
      startedAt: performance.now() - 5,
    });
    expect(lines).toHaveLength(1);
    const [line] = lines as [Record<string, unknown>];
    expect(line).toMatchObject({
      level: 30,
      msg: "request completed",
      reqId: "r",
      method: "GET",
      path: "/items",
    });
    expect(line["status"]).toBe(200);
    expect(line["remoteAddress"]).toBe("127.0.0.1");
    expect(line["durationMs"]).toBeGreaterThanOrEqual(4);
    expect(JSON.stringify(line)).not.toContain("abc");
    expect(line).not.toHaveProperty("aborted");
  });

  test("5xx lines are warnings; aborted requests say so", () => {
    const { log, lines } = logger();
    writeRequestLine(log, { ...base, url: "/", status: 503, startedAt: performance.now() });
    writeRequestLine(log, { ...base, url: "/", status: 200, startedAt: performance.now(), aborted: true });
    expect(lines[0]).toMatchObject({ level: 40, msg: "request completed", status: 503 });
    expect(lines[1]).toMatchObject({ level: 30, msg: "request aborted", aborted: true });
  });

  test("nothing is built when the level is off", () => {
    const { log, lines } = logger("warn");
    writeRequestLine(log, { ...base, url: "/", status: 200, startedAt: performance.now() });
    expect(lines).toEqual([]);
  });

  test("a very long path is cut", () => {
    const { log, lines } = logger();
    writeRequestLine(log, {
      ...base,
      url: `/${"a".repeat(5000)}`,
      status: 404,
      startedAt: performance.now(),
    });
    expect((lines[0]?.["path"] as string).length).toBeLessThan(2100);
  });
});
