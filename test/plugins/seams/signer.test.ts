import "reflect-metadata";
// Seam 6 of issue 10: app.signer(purpose), through the public API only: itsdangerous-style
// signed tokens on the app's secret keys (a key per purpose), fallback keys that verify but
// never sign, maxAge, refusal reasons, and the per-process development key sessions use too.
import { afterEach, describe, expect, test, vi } from "vitest";
import { Flagon, FlagonError } from "@flagon/core";

const KEY = "k".repeat(40);
const OLD_KEY = "o".repeat(40);

async function readyApp(config: Record<string, unknown>): Promise<Flagon> {
  const app = new Flagon({ configFile: false, logger: false, config: { env: "test", ...config } });
  await app.ready();
  return app;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("app.signer(purpose)", () => {
  test("sign and unsign round-trip, with the signing time; the token is URL- and cookie-safe", async () => {
    const app = await readyApp({ secretKey: KEY });
    const reset = app.signer("password-reset");
    expect(reset.purpose).toBe("password-reset");
    const before = Date.now();
    const token = reset.sign("user:42 — ünïcode");
    expect(token).toMatch(/^[A-Za-z0-9_.-]+$/);
    const result = reset.unsign(token);
    expect(result).toMatchObject({ ok: true, value: "user:42 — ünïcode", stale: false });
    if (!result.ok) throw new Error("unreachable");
    expect(result.signedAt.getTime()).toBeGreaterThanOrEqual(before - 1);
    expect(reset.unsign(token, { maxAge: 60 }).ok).toBe(true);
  });

  test("a signer may be made before ready() (in register); it is used once the app is ready", async () => {
    const app = new Flagon({ configFile: false, logger: false, config: { env: "test", secretKey: KEY } });
    const early = app.signer("csrf");
    expect(() => early.sign("x")).toThrow(FlagonError);
    await app.ready();
    expect(early.unsign(early.sign("x"))).toMatchObject({ ok: true, value: "x" });
  });

  test("different purposes do not verify each other", async () => {
    const app = await readyApp({ secretKey: KEY });
    const token = app.signer("remember-me").sign("ann");
    expect(app.signer("password-reset").unsign(token)).toEqual({ ok: false, reason: "bad-signature" });
    expect(app.signer("remember-me").unsign(token).ok).toBe(true);
  });

  test("another app's key does not verify", async () => {
    const token = (await readyApp({ secretKey: KEY })).signer("p").sign("v");
    const other = await readyApp({ secretKey: "z".repeat(40) });
    expect(other.signer("p").unsign(token)).toEqual({ ok: false, reason: "bad-signature" });
  });

  test("a fallback (old) key verifies, marked stale, but never signs", async () => {
    const old = await readyApp({ secretKey: OLD_KEY });
    const oldToken = old.signer("p").sign("v");
    const rotated = await readyApp({ secretKey: KEY, secretKeyFallbacks: [OLD_KEY] });
    expect(rotated.signer("p").unsign(oldToken)).toMatchObject({ ok: true, value: "v", stale: true });
    // New tokens use the current key: an app that only has the old key refuses them.
    const newToken = rotated.signer("p").sign("v");
    expect(rotated.signer("p").unsign(newToken)).toMatchObject({ ok: true, stale: false });
    expect(old.signer("p").unsign(newToken)).toEqual({ ok: false, reason: "bad-signature" });
  });

  test("maxAge: a token older than maxAge seconds is expired (fake clock)", async () => {
    const app = await readyApp({ secretKey: KEY });
    const signer = app.signer("p");
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2030-01-01T00:00:00Z"));
    const token = signer.sign("v");
    vi.setSystemTime(new Date("2030-01-01T00:59:59Z"));
    expect(signer.unsign(token, { maxAge: 3600 }).ok).toBe(true);
    vi.setSystemTime(new Date("2030-01-01T01:00:01Z"));
    expect(signer.unsign(token, { maxAge: 3600 })).toEqual({ ok: false, reason: "expired" });
    // Without maxAge the age is not checked; the signature still is.
    expect(signer.unsign(token)).toMatchObject({ ok: true, value: "v" });
    expect(() => signer.unsign(token, { maxAge: -1 })).toThrow(TypeError);
  });

  test("a token dated more than a minute in the future is expired under maxAge", async () => {
    const app = await readyApp({ secretKey: KEY });
    const signer = app.signer("p");
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2030-01-01T00:10:00Z"));
    const token = signer.sign("v");
    vi.setSystemTime(new Date("2030-01-01T00:00:00Z"));
    expect(signer.unsign(token, { maxAge: 3600 })).toEqual({ ok: false, reason: "expired" });
  });

  test("malformed tokens and bad signatures say why; unsign never throws for a bad token", async () => {
    const signer = (await readyApp({ secretKey: KEY })).signer("p");
    for (const bad of ["", "no-dot", "a".repeat(9000), 42 as never, null as never]) {
      expect(signer.unsign(bad)).toEqual({ ok: false, reason: "malformed" });
    }
    const token = signer.sign("amount=10");
    const dot = token.lastIndexOf(".");
    // A changed signature.
    const badSig = token.slice(0, dot + 1) + (token[dot + 1] === "A" ? "B" : "A") + token.slice(dot + 2);
    expect(signer.unsign(badSig)).toEqual({ ok: false, reason: "bad-signature" });
    // A changed payload with the old signature.
    const first = token[0] === "A" ? "B" : "A";
    const tampered = first + token.slice(1);
    expect(signer.unsign(tampered)).toEqual({ ok: false, reason: "bad-signature" });
  });

  test("bad purposes and values are programming errors (thrown)", async () => {
    const app = await readyApp({ secretKey: KEY });
    expect(() => app.signer("")).toThrow(TypeError);
    expect(() => app.signer("p").sign(1 as never)).toThrow(TypeError);
    expect(() => app.signer("p").sign("\uD800")).toThrow(TypeError);
  });
});

describe("without a secret key", () => {
  test("in development: the one random per-process key (the sessions' key) signs", async () => {
    const a = await readyApp({ env: "development" });
    const b = await readyApp({ env: "development" });
    const token = a.signer("p").sign("v");
    // Every app in this process shares the random development key, as sessions do.
    expect(b.signer("p").unsign(token)).toMatchObject({ ok: true, value: "v" });
    // It is not any configured key.
    expect((await readyApp({ secretKey: KEY })).signer("p").unsign(token)).toEqual({
      ok: false,
      reason: "bad-signature",
    });
    // And sessions sign with it too, with no secretKey.
    const withSession = new Flagon({ configFile: false, logger: false, config: { env: "development" } });
    withSession.post("/s", async (ctx) => {
      (await ctx.session()).set("n", 1);
      return { ok: true };
    });
    const res = await withSession.inject({ method: "POST", url: "/s" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["set-cookie"]).toBeDefined();
  });

  test("outside development: using a signer fails with FLAGON_ERR_INVALID_CONFIG", async () => {
    const app = await readyApp({ env: "production" });
    const signer = app.signer("p");
    expect(() => signer.sign("v")).toThrow(expect.objectContaining({ code: "FLAGON_ERR_INVALID_CONFIG" }));
  });
});
