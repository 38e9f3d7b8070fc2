import { describe, expect, test } from "vitest";
import { FlagonResponse } from "./response.js";
import { setWireHeader, toWire, wireHeadersObject } from "./wire.js";

describe("toWire", () => {
  test("the response's headers, then each default header it lacks; Content-Length from the body", () => {
    const response = new FlagonResponse("héllo", { headers: { "content-type": "text/plain", "x-a": "1" } });
    expect(toWire(response, "GET", ["x-a", "default", "x-b", "2"]).headers).toEqual([
      "content-type",
      "text/plain",
      "x-a",
      "1",
      "content-length",
      "6",
      "x-b",
      "2",
    ]);
  });

  test("204 and 304 carry no Content-Length and no body; HEAD keeps the length but sends nothing", () => {
    const empty = toWire(new FlagonResponse("x", { status: 204, headers: { "content-length": "1" } }), "GET");
    expect(empty.headers).not.toContain("content-length");
    expect(empty.sendBody).toBe(false);
    const head = toWire(new FlagonResponse("abc"), "HEAD");
    expect(wireHeadersObject(head.headers)["content-length"]).toBe("3");
    expect(head.sendBody).toBe(false);
  });
});

describe("setWireHeader", () => {
  test("replaces a header of the same name instead of sending it twice", () => {
    const headers = ["connection", "keep-alive", "x-a", "1"];
    setWireHeader(headers, "connection", "close");
    setWireHeader(headers, "x-b", "2");
    expect(headers).toEqual(["connection", "close", "x-a", "1", "x-b", "2"]);
  });
});

describe("wireHeadersObject", () => {
  test("repeated headers keep every value; a header named __proto__ stays plain data", () => {
    const headers = wireHeadersObject(["set-cookie", ["a=1", "b=2"], "__proto__", ["x"], "x-a", "1"]);
    expect(headers["set-cookie"]).toEqual(["a=1", "b=2"]);
    expect(Object.getPrototypeOf(headers)).toBe(Object.prototype);
    expect(Object.keys(headers)).toEqual(["set-cookie", "__proto__", "x-a"]);
  });
});

describe("response headers", () => {
  test("names that are Object.prototype members are plain headers, absent until set", () => {
    const response = new FlagonResponse("x");
    expect(response.headers.has("constructor")).toBe(false);
    expect(response.headers.has("toString")).toBe(false);
    expect(response.headers.get("__proto__")).toBeUndefined();
    response.headers.set("Constructor", "c");
    expect(response.headers.get("constructor")).toBe("c");
    expect(wireHeadersObject(toWire(response, "GET").headers)["constructor"]).toBe("c");
  });
});
