import { describe, expect, test } from "vitest";
import { describeValue, isSecretKey } from "./secrets.js";

describe("isSecretKey", () => {
  test.each([
    "password",
    "dbPassword",
    "PASS",
    "passphrase",
    "secret",
    "clientSecret",
    "SESSION_SECRET",
    "token",
    "accessToken",
    "apiKey",
    "api_key",
    "API-KEY",
    "privateKey",
    "credentials",
    "key",
    "Key",
    "keys",
    "signingKey",
    "cookieKeys",
    "SIGNING_KEY",
    "auth.key",
    "FLAGON_AUTH__SECRET",
  ])("%s is a secret", (key) => {
    expect(isSecretKey(key)).toBe(true);
  });

  test.each(["bodyLimit", "keyPrefix", "monkey", "hotkeys", "maxAge", "origins", "env", "keepAliveTimeout"])(
    "%s is not a secret",
    (key) => {
      expect(isSecretKey(key)).toBe(false);
    },
  );
});

describe("describeValue", () => {
  test.each<[unknown, string]>([
    ["abc", '"abc"'],
    [42, "42"],
    [NaN, "NaN"],
    [Infinity, "Infinity"],
    [-Infinity, "-Infinity"],
    [-0, "-0"],
    [10n, "10n"],
    [true, "true"],
    [undefined, "undefined"],
    [null, "null"],
    [[1, "a"], '[1,"a"]'],
    [{ a: 1, b: [true] }, '{"a":1,"b":[true]}'],
    [{ n: NaN }, '{"n":NaN}'],
    [new Date(0), "1970-01-01T00:00:00.000Z"],
    [/x/g, "/x/g"],
    [new Map(), "[Map]"],
    [function handler() {}, "[Function handler]"],
  ])("%s → %s", (value, text) => {
    expect(describeValue("value", value)).toBe(text);
  });

  test("a secret key's value is redacted whatever it is", () => {
    expect(describeValue("password", "hunter2")).toBe("[redacted]");
    expect(describeValue("apiKey", 12345)).toBe("[redacted]");
    expect(describeValue("session.secret", { a: "x" })).toBe("[redacted]");
  });

  test("secret keys nested in an object are redacted, the rest shown", () => {
    const text = describeValue("database", { host: "db", password: "hunter2", auth: { token: "t0k" } });
    expect(text).toBe('{"host":"db","password":[redacted],"auth":{"token":[redacted]}}');
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("t0k");
  });

  test("long, deep and circular values stay short and finite", () => {
    expect(describeValue("a", "x".repeat(1000)).length).toBeLessThanOrEqual(200);
    expect(describeValue("a", { b: { c: { d: { e: 1 } } } })).toBe('{"b":{"c":{"d":{…}}}}');
    expect(
      describeValue(
        "a",
        Array.from({ length: 20 }, (_, i) => i),
      ),
    ).toBe("[0,1,2,3,4,5,6,7,8,9,…]");
    const loop: Record<string, unknown> = {};
    loop["self"] = loop;
    expect(describeValue("a", loop)).toBe('{"self":[Circular]}');
  });
});
