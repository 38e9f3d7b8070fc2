import { describe, expect, test } from "vitest";
import { FORM_TYPE, isJsonType, parseMediaType } from "./media-type.js";

describe("parseMediaType", () => {
  test("no header or an empty one → undefined", () => {
    expect(parseMediaType(undefined)).toBeUndefined();
    expect(parseMediaType("")).toBeUndefined();
  });

  test("a bare type, lower-cased, with no parameters", () => {
    const parsed = parseMediaType("Application/JSON");
    expect(parsed?.type).toBe("application/json");
    expect({ ...parsed?.parameters }).toEqual({});
  });

  test("parameter names are lower-cased, values kept", () => {
    const parsed = parseMediaType("text/html; Charset=UTF-8; Level=1");
    expect(parsed?.type).toBe("text/html");
    expect({ ...parsed?.parameters }).toEqual({ charset: "UTF-8", level: "1" });
  });

  test("quoted parameter values are unquoted and unescaped", () => {
    const parsed = parseMediaType('multipart/form-data; boundary="a b;c"; x="q\\"d"');
    expect(parsed?.parameters["boundary"]).toBe("a b;c");
    expect(parsed?.parameters["x"]).toBe('q"d');
  });

  test("whitespace around the type and around ; is tolerated", () => {
    expect(parseMediaType("  text/plain ; charset=utf-8")).toMatchObject({
      type: "text/plain",
      parameters: { charset: "utf-8" },
    });
  });

  test("the parameters object is prototype-less", () => {
    const parsed = parseMediaType("text/plain; charset=utf-8");
    expect(Object.getPrototypeOf(parsed?.parameters)).toBeNull();
  });

  test.each([
    // A trailing `;` with no parameter is refused (RFC 7231's grammar; RFC 9110 would allow it).
    ["text/plain;", "trailing semicolon"],
    ["text/plain; charset=utf-8;", "trailing semicolon after a parameter"],
    ["application/json garbage", "garbage after the subtype"],
    ["application/json, text/plain", "a duplicated header joined with ', '"],
    ["application/json, application/json", "the same type twice"],
    ["application", "no subtype"],
    ["application/", "empty subtype"],
    ["/json", "empty type"],
    ["text/plain; charset", "parameter without a value"],
    ["text/plain; charset=", "parameter with an empty value"],
    ["text/plain; =utf-8", "parameter without a name"],
    ['text/plain; charset="utf-8', "unterminated quoted value"],
    ["text/pl ain", "space inside the subtype"],
    ["text/plain\r\nx: y", "CR LF"],
    ["té/plain", "non-ASCII type"],
  ])("%j (%s) → null", (header) => {
    expect(parseMediaType(header)).toBeNull();
  });
});

describe("isJsonType", () => {
  test.each([
    ["application/json", true],
    ["application/problem+json", true],
    ["application/vnd.api+json", true],
    ["application/ld+json", true],
    ["text/json", false],
    ["text/plain+json", false],
    ["application/jsonp", false],
    ["application/json-seq", false],
    ["application/x-www-form-urlencoded", false],
    ["application/+jsonx", false],
  ])("%s → %s", (type, expected) => {
    expect(isJsonType(type)).toBe(expected);
  });
});

test("FORM_TYPE", () => {
  expect(FORM_TYPE).toBe("application/x-www-form-urlencoded");
});
