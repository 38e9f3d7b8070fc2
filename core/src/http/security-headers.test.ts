import { describe, expect, test } from "vitest";
import { ErrorCodes, FlagonError } from "../errors/codes.js";
import { FlagonResponse } from "./response.js";
import { DEFAULT_SECURITY_HEADERS, SecurityHeaders } from "./security-headers.js";
import { toWire, wireHeadersObject } from "./wire.js";

const http = { protocol: "http" } as const;
const https = { protocol: "https" } as const;

/** The headers that go on the wire once the app's security headers were applied. */
function applied(config: unknown, response: FlagonResponse, request: { protocol: "http" | "https" } = http) {
  const defaults = SecurityHeaders.compile(config).defaultsFor(response, request.protocol);
  return wireHeadersObject(toWire(response, "GET", defaults).headers);
}

function configError(config: unknown): string {
  try {
    SecurityHeaders.compile(config);
  } catch (error) {
    expect(error).toBeInstanceOf(FlagonError);
    expect((error as FlagonError).code).toBe(ErrorCodes.INVALID_CONFIG);
    return (error as Error).message;
  }
  return expect.fail("expected FLAGON_ERR_INVALID_CONFIG");
}

describe("SecurityHeaders", () => {
  test("helmet's set on any response; CSP only on documents; HSTS only over HTTPS", () => {
    const jsonRes = applied(
      undefined,
      new FlagonResponse("{}", { headers: { "content-type": "application/json" } }),
    );
    expect(jsonRes["x-content-type-options"]).toBe("nosniff");
    expect(jsonRes["x-frame-options"]).toBe("SAMEORIGIN");
    expect(jsonRes["content-security-policy"]).toBeUndefined();
    expect(jsonRes["strict-transport-security"]).toBeUndefined();
    expect(jsonRes["x-powered-by"]).toBeUndefined();
    for (const type of ["text/html; charset=utf-8", "TEXT/HTML", "application/xhtml+xml", "image/svg+xml"]) {
      const page = applied(undefined, new FlagonResponse("", { headers: { "content-type": type } }));
      expect(page["content-security-policy"], type).toBe(DEFAULT_SECURITY_HEADERS["content-security-policy"]);
    }
    const secure = applied(
      undefined,
      new FlagonResponse("<p>", { headers: { "content-type": "text/html" } }),
      https,
    );
    expect(secure["strict-transport-security"]).toBe("max-age=31536000; includeSubDomains");
    expect(secure["content-security-policy"]).toMatch(/; upgrade-insecure-requests$/);
  });

  test("never overrides a header the response already has", () => {
    const res = new FlagonResponse("<p>", {
      headers: {
        "content-type": "text/html",
        "x-frame-options": "DENY",
        "content-security-policy": "default-src 'none'",
        "strict-transport-security": "max-age=1",
      },
    });
    const raw = applied(undefined, res, https);
    expect(raw["x-frame-options"]).toBe("DENY");
    expect(raw["content-security-policy"]).toBe("default-src 'none'");
    expect(raw["strict-transport-security"]).toBe("max-age=1");
  });

  test("false: none; an object: replaced, removed and added headers; camelCase keys", () => {
    expect(Object.keys(applied(false, new FlagonResponse("x")))).toEqual(["content-length"]);
    const raw = applied(
      { xFrameOptions: "DENY", "Referrer-Policy": false, "permissions-policy": "camera=()" },
      new FlagonResponse("x"),
    );
    expect(raw["x-frame-options"]).toBe("DENY");
    expect(raw["referrer-policy"]).toBeUndefined();
    expect(raw["permissions-policy"]).toBe("camera=()");
  });

  test("a custom CSP is sent as given, without upgrade-insecure-requests", () => {
    const raw = applied(
      { "content-security-policy": "default-src 'self'" },
      new FlagonResponse("<p>", { headers: { "content-type": "text/html" } }),
      https,
    );
    expect(raw["content-security-policy"]).toBe("default-src 'self'");
  });

  test("headersFor lists what a response of a type and protocol would get", () => {
    const headers = SecurityHeaders.compile(undefined).headersFor("text/html", "https");
    expect(Object.keys(headers).sort()).toEqual(Object.keys(DEFAULT_SECURITY_HEADERS).sort());
  });

  test.each([
    [{ "x-frame-options": "DENY\r\nx: y" }, "x-frame-options"],
    [{ "x-frame-options": 1 }, "x-frame-options"],
    [{ "bad name": "x" }, "bad name"],
    [{ "content-length": "1" }, "content-length"],
    [{ "referrer-policy": "" }, "referrer-policy"],
    ["yes", "config.securityHeaders must be"],
    [null, "config.securityHeaders must be"],
  ])("%j → FLAGON_ERR_INVALID_CONFIG naming %s", (config, named) => {
    expect(configError(config)).toContain(named);
  });
});
