import { Readable } from "node:stream";
import { describe, expect, test } from "vitest";
import { compileTrustProxy, forwardedFor, headerList, nearestValue } from "./proxy.js";
import { FlagonRequest } from "./request.js";

function request(
  remoteAddress: string,
  headers: Record<string, string>,
  trustProxy?: unknown,
): FlagonRequest {
  return new FlagonRequest(
    {
      method: "GET",
      url: "/",
      headers: { host: "app.test", ...headers },
      body: Readable.from([]),
      remoteAddress,
      encrypted: false,
    },
    1024,
    compileTrustProxy(trustProxy),
  );
}

const forwarded = {
  "x-forwarded-proto": "https",
  "x-forwarded-host": "public.example",
  "x-forwarded-for": "198.51.100.7",
};

describe("compileTrustProxy", () => {
  test("false, undefined: nobody; true: everybody", () => {
    expect(compileTrustProxy(undefined)).toBeUndefined();
    expect(compileTrustProxy(false)).toBeUndefined();
    expect(compileTrustProxy(true)?.("203.0.113.1")).toBe(true);
  });

  test("addresses, CIDR ranges (IPv4, IPv6, IPv4-mapped) and named ranges", () => {
    const trust = compileTrustProxy(["10.0.0.0/8", "192.0.2.1", "fd00::/8", "loopback"]);
    expect(trust).toBeDefined();
    const check = trust as (address: string | undefined) => boolean;
    for (const yes of ["10.1.2.3", "::ffff:10.9.9.9", "192.0.2.1", "fd12::1", "127.0.0.1", "::1"])
      expect(check(yes), yes).toBe(true);
    for (const no of ["11.0.0.1", "192.0.2.2", "fe80::1", "2001:db8::1", "localhost", "", undefined])
      expect(check(no), String(no)).toBe(false);
    expect(compileTrustProxy(["uniquelocal"])?.("172.20.0.5")).toBe(true);
    expect(compileTrustProxy(["linklocal"])?.("169.254.1.1")).toBe(true);
  });

  test.each([["10.0.0.0/33"], ["::/129"], ["10.0.0.0/x"], ["example.com"], [""], [7]])(
    "refuses %j",
    (entry) => {
      expect(() => compileTrustProxy([entry])).toThrow(/FLAGON_ERR_INVALID_CONFIG: config\.trustProxy/);
    },
  );

  test("refuses values that are not a boolean or a list", () => {
    expect(() => compileTrustProxy("10.0.0.1")).toThrow(/config\.trustProxy/);
  });
});

describe("forwarded headers", () => {
  test("lists are split on commas; the nearest value is the last", () => {
    expect(headerList("a, b,,c ")).toEqual(["a", "b", "c"]);
    expect(nearestValue(["https", "http"])).toBe("http");
    expect(nearestValue(undefined)).toBeUndefined();
  });

  test("X-Forwarded-For is read from the right, past trusted hops only", () => {
    const trust = compileTrustProxy(["10.0.0.0/8"]) as (a: string | undefined) => boolean;
    expect(forwardedFor("10.0.0.1", "1.1.1.1, 198.51.100.7, 10.0.0.2", trust)).toBe("198.51.100.7");
    expect(forwardedFor("10.0.0.1", "spoofed, 198.51.100.7", trust)).toBe("198.51.100.7");
    expect(forwardedFor("10.0.0.1", "10.0.0.3", trust)).toBe("10.0.0.3");
    expect(forwardedFor("10.0.0.1", "not-an-ip", trust)).toBe("10.0.0.1");
    expect(forwardedFor("10.0.0.1", undefined, trust)).toBe("10.0.0.1");
  });

  test("an untrusted peer's X-Forwarded-* are ignored (RELIABILITY 24)", () => {
    for (const trustProxy of [undefined, false, ["10.0.0.0/8"]]) {
      const req = request("203.0.113.9", forwarded, trustProxy);
      expect(req.protocol).toBe("http");
      expect(req.host).toBe("app.test");
      expect(req.ip).toBe("203.0.113.9");
      expect(req.fromTrustedProxy).toBe(false);
    }
  });

  test("a trusted proxy's X-Forwarded-* are used", () => {
    const req = request("10.0.0.1", forwarded, ["10.0.0.0/8"]);
    expect(req.fromTrustedProxy).toBe(true);
    expect(req.protocol).toBe("https");
    expect(req.host).toBe("public.example");
    expect(req.ip).toBe("198.51.100.7");
  });

  test("from a trusted proxy, invalid values fall back to the connection's", () => {
    const req = request(
      "10.0.0.1",
      { "x-forwarded-proto": "gopher", "x-forwarded-host": "evil:x@good", "x-forwarded-for": "junk" },
      true,
    );
    expect(req.protocol).toBe("http");
    expect(req.host).toBe("app.test");
    expect(req.ip).toBe("10.0.0.1");
    // The value the nearest proxy wrote wins over one the client put first.
    const chained = request(
      "10.0.0.1",
      { "x-forwarded-proto": "https, http", "x-forwarded-host": "evil.test, good.test" },
      true,
    );
    expect(chained.protocol).toBe("http");
    expect(chained.host).toBe("good.test");
  });
});
