import "reflect-metadata";
import { inject } from "@flagon/core/testing";
import { describe, expect, it } from "vitest";
import {
  ApiTokens,
  ApiTokenStore,
  hashApiToken,
  LoginRequired,
  MemoryApiTokenStore,
  Scopes,
  TOUCH_EVERY_MS,
} from "../src/index.js";
import { bearer } from "../src/testing.js";
import { fixture, JSON_ACCEPT } from "./fixture.js";

/** A clock the test moves. */
function clock(start = Date.UTC(2026, 0, 1)) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe("ApiTokens", () => {
  it("issues a token once; the store keeps only its hash, and list() shows neither", async () => {
    const store = new MemoryApiTokenStore();
    const tokens = new ApiTokens(store);
    const issued = await tokens.issue("7", { name: "CI deploy", scopes: ["read", "read"] });
    expect(issued.token).toMatch(/^flg_[A-Za-z0-9_-]{43}$/);
    expect(issued.preview).toBe(issued.token.slice(0, 8) + "…");
    expect(issued.scopes).toEqual(["read"]);
    const stored = await store.findById(issued.id);
    expect(stored?.hash).toBe(hashApiToken(issued.token));
    expect(JSON.stringify(stored)).not.toContain(issued.token);
    const listed = await tokens.list("7");
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ id: issued.id, name: "CI deploy", lastUsedAt: null, revokedAt: null });
    expect(JSON.stringify(listed)).not.toContain(issued.token);
    expect(listed[0]).not.toHaveProperty("hash");
    expect(listed[0]).not.toHaveProperty("token");
    expect(await tokens.list("8")).toEqual([]);
  });

  it("refuses bad names and scopes, naming the problem", async () => {
    const tokens = new ApiTokens(new MemoryApiTokenStore());
    await expect(tokens.issue("7", { name: " " })).rejects.toThrow(/needs a name/);
    await expect(tokens.issue("7", { name: "x", scopes: ["a b"] })).rejects.toThrow(/"a b" is not a scope/);
    await expect(tokens.issue("", { name: "x" })).rejects.toThrow(/owner's user id/);
    await expect(tokens.issue("7", { name: "x", expiresIn: -1 })).rejects.toThrow(/expiresIn/);
  });

  it("records the last use at most once a minute per token, not a write per request", async () => {
    const time = clock();
    const store = new MemoryApiTokenStore();
    const tokens = new ApiTokens(store, "flg", time.now);
    const { token, id } = await tokens.issue("7", { name: "laptop" });
    for (let i = 0; i < 50; i++) {
      expect(await tokens.verify(token)).toBeDefined();
      time.advance(1000);
    }
    // 50 uses over 50 s: one write.
    expect(store.touches).toBe(1);
    expect((await store.findById(id))?.lastUsedAt?.getTime()).toBe(Date.UTC(2026, 0, 1));
    time.advance(TOUCH_EVERY_MS);
    await tokens.verify(token);
    expect(store.touches).toBe(2);
    expect((await tokens.list("7"))[0]?.lastUsedAt?.getTime()).toBe(time.now());
  });

  it("refuses a revoked token at once and an expired one; revoke(id, owner) guards other users' tokens", async () => {
    const time = clock();
    const tokens = new ApiTokens(new MemoryApiTokenStore(), "flg", time.now);
    const a = await tokens.issue("7", { name: "a" });
    const b = await tokens.issue("7", { name: "b", expiresIn: 3600 });
    expect(await tokens.revoke(a.id, "8")).toBe(false);
    expect(await tokens.verify(a.token)).toBeDefined();
    expect(await tokens.revoke(a.id, "7")).toBe(true);
    expect(await tokens.verify(a.token)).toBeUndefined();
    expect((await tokens.list("7")).find((t) => t.id === a.id)?.revokedAt).not.toBeNull();
    expect(await tokens.revoke("no-such-id")).toBe(false);
    expect(await tokens.verify(b.token)).toBeDefined();
    time.advance(3600 * 1000);
    expect(await tokens.verify(b.token)).toBeUndefined();
    expect(await tokens.verify("flg_not-a-token")).toBeUndefined();
  });

  it("keeps authenticating when the last-used write fails", async () => {
    class Flaky extends MemoryApiTokenStore {
      override touch(): Promise<void> {
        return Promise.reject(new Error("database is down"));
      }
    }
    const tokens = new ApiTokens(new Flaky());
    const { token } = await tokens.issue("7", { name: "x" });
    expect(await tokens.verify(token)).toBeDefined();
  });

  it("an ApiTokenStore that is not implemented says which method is missing", async () => {
    await expect(new ApiTokens(new ApiTokenStore()).list("1")).rejects.toThrow(/must implement listByUser/);
  });
});

describe("API tokens in requests", () => {
  async function tokenApp() {
    const store = new MemoryApiTokenStore();
    const { app, directory } = fixture({ auth: { tokenPrefix: "acme" } });
    app.provide({ provide: ApiTokenStore, useValue: store });
    app.get("/write", () => "written", { decorators: [LoginRequired(), Scopes("write")] });
    await app.ready();
    const tokens = app.container.resolve(ApiTokens);
    const user = await directory.add("ann@example.com");
    return { app, directory, store, tokens, user };
  }

  it("authenticates a live token as its owner, without a session cookie; revoked tokens get 401", async () => {
    const { app, tokens, user } = await tokenApp();
    const issued = await tokens.issue(String(user.id), { name: "cli" });
    expect(issued.token.startsWith("acme_")).toBe(true);
    const res = await inject(app, { url: "/whoami", headers: bearer(issued.token) });
    expect(res.json()).toEqual({ authenticated: true, email: "ann@example.com", via: "token" });
    expect(res.headers["set-cookie"]).toBeUndefined();
    expect((await tokens.list(String(user.id)))[0]?.lastUsedAt).not.toBeNull();
    await tokens.revoke(issued.id);
    const after = await inject(app, {
      url: "/account",
      headers: { ...bearer(issued.token), ...JSON_ACCEPT },
    });
    expect(after.statusCode).toBe(401);
    expect(after.headers["www-authenticate"]).toBe('Bearer realm="app"');
  });

  it("refuses the token of a deactivated owner", async () => {
    const { app, tokens, user } = await tokenApp();
    const issued = await tokens.issue(String(user.id), { name: "cli" });
    user.isActive = false;
    const res = await inject(app, { url: "/account", headers: { ...bearer(issued.token), ...JSON_ACCEPT } });
    expect(res.statusCode).toBe(401);
  });

  it("@Scopes: a token issued with scopes needs them (403), an unscoped token passes", async () => {
    const { app, tokens, user } = await tokenApp();
    const read = await tokens.issue(String(user.id), { name: "read", scopes: ["read"] });
    const write = await tokens.issue(String(user.id), { name: "write", scopes: ["read", "write"] });
    const all = await tokens.issue(String(user.id), { name: "all" });
    const status = async (token: string) =>
      (await inject(app, { url: "/write", headers: { ...bearer(token), ...JSON_ACCEPT } })).statusCode;
    expect(await status(read.token)).toBe(403);
    expect(await status(write.token)).toBe(200);
    expect(await status(all.token)).toBe(200);
  });
});
