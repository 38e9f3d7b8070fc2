import fc from "fast-check";
import { afterEach, describe, expect, test, vi } from "vitest";
import { appSigner } from "./app-signer.js";

const CURRENT = "current-secret-key-0123456789abcdefghij";
const OLD = "previous-secret-key-9876543210zyxwvuts";
const OTHER = "unrelated-secret-key-abcdefghij0123456789";

const signer = (purpose: string, secrets: readonly string[] = [CURRENT]) => appSigner(purpose, () => secrets);
const BASE64URL_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";

afterEach(() => {
  vi.useRealTimers();
});

describe("appSigner", () => {
  test("property: sign then unsign gives the value back, with the time it was signed", () => {
    const csrf = signer("csrf");
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 200 }), (value) => {
        const before = Date.now();
        const result = csrf.unsign(csrf.sign(value), { maxAge: 60 });
        expect(result).toMatchObject({ ok: true, value, stale: false });
        if (!result.ok) return;
        expect(result.signedAt.getTime()).toBeGreaterThanOrEqual(before);
        expect(result.signedAt.getTime()).toBeLessThanOrEqual(Date.now());
      }),
    );
  });

  test("property: changing any one character of a token makes it refused", () => {
    const csrf = signer("csrf");
    fc.assert(
      fc.property(
        fc.string({ maxLength: 40 }),
        fc.nat(),
        fc.constantFrom(...BASE64URL_CHARS),
        (value, at, replacement) => {
          const token = csrf.sign(value);
          const index = at % token.length;
          fc.pre(token[index] !== replacement);
          const tampered = token.slice(0, index) + replacement + token.slice(index + 1);
          const result = csrf.unsign(tampered);
          expect(result.ok).toBe(false);
        },
      ),
    );
  });

  test("property: a token for one purpose never verifies for another (bad-signature)", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 30 }),
        fc.string({ minLength: 1, maxLength: 30 }),
        fc.string(),
        (a, b, value) => {
          fc.pre(a !== b);
          expect(signer(b).unsign(signer(a).sign(value))).toEqual({ ok: false, reason: "bad-signature" });
        },
      ),
    );
  });

  test("property: a fallback key verifies (stale) but never signs", () => {
    const old = signer("remember-me", [OLD]);
    const rotated = signer("remember-me", [CURRENT, OLD]);
    fc.assert(
      fc.property(fc.string(), (value) => {
        expect(rotated.unsign(old.sign(value))).toMatchObject({ ok: true, value, stale: true });
        const fresh = rotated.sign(value);
        expect(rotated.unsign(fresh)).toMatchObject({ ok: true, value, stale: false });
        expect(old.unsign(fresh)).toEqual({ ok: false, reason: "bad-signature" });
      }),
    );
    expect(signer("remember-me", [OTHER]).unsign(old.sign("x"))).toEqual({
      ok: false,
      reason: "bad-signature",
    });
  });

  test("property: a token older than maxAge is expired; within maxAge it verifies", () => {
    vi.useFakeTimers();
    const reset = signer("password-reset");
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 1, max: 10_000_000 }),
        (maxAge, extraMs) => {
          vi.setSystemTime(new Date("2026-12-07T07:00:00Z"));
          const token = reset.sign("user-42");
          vi.setSystemTime(Date.now() + maxAge * 1000);
          expect(reset.unsign(token, { maxAge })).toMatchObject({ ok: true, value: "user-42" });
          vi.setSystemTime(Date.now() + extraMs);
          expect(reset.unsign(token, { maxAge })).toEqual({ ok: false, reason: "expired" });
          expect(reset.unsign(token)).toMatchObject({ ok: true }); // no maxAge: no age check
        },
      ),
    );
  });

  test("a token dated more than a minute in the future is expired when maxAge is asked", () => {
    vi.useFakeTimers();
    const reset = signer("password-reset");
    vi.setSystemTime(new Date("2026-12-07T07:02:00Z"));
    const ahead = reset.sign("v");
    vi.setSystemTime(new Date("2026-12-07T07:00:30Z"));
    const soon = reset.sign("v");
    vi.setSystemTime(new Date("2026-12-07T07:00:00Z"));
    expect(reset.unsign(ahead, { maxAge: 3600 })).toEqual({ ok: false, reason: "expired" });
    expect(reset.unsign(soon, { maxAge: 3600 })).toMatchObject({ ok: true });
  });

  test("malformed tokens say so: cut, empty, no dot, not base64url, too long, not a string", () => {
    const csrf = signer("csrf");
    const token = csrf.sign("v");
    for (const bad of [
      "",
      "abc",
      token.slice(0, token.indexOf(".")),
      `${token}!`,
      "a b.c",
      "x".repeat(9000),
    ]) {
      expect(csrf.unsign(bad)).toEqual({ ok: false, reason: "malformed" });
    }
    expect(csrf.unsign(undefined as unknown as string)).toEqual({ ok: false, reason: "malformed" });
  });

  test("a well-formed token with the wrong MAC is a bad signature", () => {
    const csrf = signer("csrf");
    const [payload] = csrf.sign("v").split(".");
    const forged = `${payload as string}.${Buffer.alloc(32).toString("base64url")}`;
    expect(csrf.unsign(forged)).toEqual({ ok: false, reason: "bad-signature" });
  });

  test("sign refuses lone surrogates (no UTF-8 form) and values whose token would be too long", () => {
    const csrf = signer("csrf");
    expect(() => csrf.sign("a\uD800")).toThrow(TypeError);
    expect(() => csrf.sign(3 as unknown as string)).toThrow(TypeError);
    expect(() => csrf.sign("x".repeat(7000))).toThrow(/too long/);
    expect(csrf.unsign(csrf.sign("x".repeat(6000)))).toMatchObject({ ok: true });
  });

  test("maxAge must be a number of seconds; purpose a short non-empty string", () => {
    const csrf = signer("csrf");
    expect(() => csrf.unsign("a.b", { maxAge: Number.NaN })).toThrow(/maxAge/);
    expect(() => csrf.unsign("a.b", { maxAge: -1 })).toThrow(/maxAge/);
    expect(() => signer("")).toThrow(/purpose/);
    expect(() => signer("p".repeat(201))).toThrow(/purpose/);
  });

  test("the keys are read once, on first use, not when the signer is made", () => {
    const secrets = vi.fn((_use: string) => [CURRENT]);
    const csrf = appSigner("csrf", secrets);
    expect(secrets).not.toHaveBeenCalled();
    csrf.unsign(csrf.sign("v"));
    expect(secrets).toHaveBeenCalledTimes(1);
    expect(secrets).toHaveBeenCalledWith('app.signer("csrf")');
  });
});
