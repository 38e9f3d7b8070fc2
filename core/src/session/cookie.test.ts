import { describe, expect, test } from "vitest";
import { FlagonResponse } from "../http/response.js";
import { markPrivate, MAX_COOKIE_BYTES, writeSessionCookie } from "./cookie.js";

function marked(headers: Record<string, string>): Record<string, unknown> {
  const response = new FlagonResponse(null, { headers });
  markPrivate(response);
  return { vary: response.headers.get("vary"), cacheControl: response.headers.get("cache-control") };
}

describe("markPrivate", () => {
  test.each([
    [{}, "Cookie", "private"],
    [{ vary: "Accept-Encoding" }, "Accept-Encoding, Cookie", "private"],
    [{ vary: "accept, COOKIE" }, "accept, COOKIE", "private"],
    [{ vary: "*" }, "*", "private"],
    [{ "cache-control": "max-age=60" }, "Cookie", "private, max-age=60"],
    [{ "cache-control": "public, max-age=60, s-maxage=600" }, "Cookie", "private, max-age=60"],
    [{ "cache-control": 'private="set-cookie", max-age=5' }, "Cookie", "private, max-age=5"],
    [{ "cache-control": "private" }, "Cookie", "private"],
    [{ "cache-control": "no-store" }, "Cookie", "no-store"],
    [{ "cache-control": "public, no-store" }, "Cookie", "no-store"],
  ])("%j → Vary %s, Cache-Control %s", (headers, vary, cacheControl) => {
    expect(marked(headers)).toEqual({ vary, cacheControl });
  });
});

describe("writeSessionCookie", () => {
  const cookie = { name: "session", attributes: { httpOnly: true, path: "/", sameSite: "lax" as const } };

  test("refuses a cookie browsers would not keep", () => {
    const response = new FlagonResponse();
    expect(() => writeSessionCookie(response, cookie, "x".repeat(MAX_COOKIE_BYTES), 60)).toThrow(
      /FLAGON_ERR_INVALID_RESPONSE: the session cookie would be \d+ bytes/,
    );
    expect(response.headers.get("set-cookie")).toBeUndefined();
  });

  test("Max-Age is a whole number of seconds, at least 1, with a matching Expires", () => {
    const response = new FlagonResponse();
    writeSessionCookie(response, cookie, "v", 0.2);
    const line = response.headers.get("set-cookie") as string;
    expect(line).toMatch(/^session=v; Max-Age=1; Path=\/; Expires=[^;]+ GMT; HttpOnly; SameSite=Lax$/);
  });
});
