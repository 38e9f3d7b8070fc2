// RELIABILITY rows 16 (session fixation) and 17 (expiry and logout), and the remember-me cookie,
// with server-side sessions: a replayed cookie is checked against the store, not trusted.
import "reflect-metadata";
import { inject, testClient, type TestClient } from "@flagon/core/testing";
import { afterEach, describe, expect, it, vi } from "vitest";
import { login } from "../src/index.js";
import { loginAs } from "../src/testing.js";
import { fixture, JSON_ACCEPT, setCookie } from "./fixture.js";

const cookiesOf = (client: TestClient) => Object.fromEntries(client.cookies.entries());
const accountStatus = async (app: Parameters<typeof inject>[0], cookies: Record<string, string>) =>
  (await inject(app, { url: "/account", cookies, headers: JSON_ACCEPT })).statusCode;

async function passwordLogin(client: TestClient, email: string, remember = false) {
  const res = await client.post("/login", { json: { email, password: "correct horse", remember } });
  expect(res.json()).toEqual({ ok: true });
  return res;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("row 16: session fixation", () => {
  it("a session planted before the login has another id after it, and the old id gives 401", async () => {
    const { app, directory } = fixture();
    await directory.add("ann@example.com");
    app.post("/cart", async (ctx) => {
      (await ctx.session()).set("cart", ["tea"]);
      return { ok: true };
    });
    const client = testClient(app);
    await client.post("/cart"); // the attacker's session, planted in the victim's browser
    const planted = cookiesOf(client);
    expect(planted["session"]).toBeDefined();
    await passwordLogin(client, "ann@example.com");
    const after = cookiesOf(client);
    expect(after["session"]).toBeDefined();
    expect(after["session"]).not.toBe(planted["session"]);
    expect(await accountStatus(app, after)).toBe(200);
    expect(await accountStatus(app, planted)).toBe(401);
  });

  it("a second login (a privilege change) regenerates again: the previous logged-in id gives 401", async () => {
    const { app, directory } = fixture();
    const user = await directory.add("bob@example.com");
    app.post("/promote", async (ctx) => {
      user.roles = ["admin"];
      await login(ctx, user);
      return { ok: true };
    });
    const client = testClient(app);
    await passwordLogin(client, "bob@example.com");
    const before = cookiesOf(client);
    await client.post("/promote");
    const after = cookiesOf(client);
    expect(after["session"]).not.toBe(before["session"]);
    expect(await accountStatus(app, after)).toBe(200);
    expect(await accountStatus(app, before)).toBe(401);
  });

  it("a password change ends every other session and remember cookie; the device that made it logs in anew", async () => {
    const { app, directory } = fixture();
    const user = await directory.add("cat@example.com");
    app.post("/password", async (ctx) => {
      user.sessionVersion += 1;
      await login(ctx, user);
      return { ok: true };
    });
    const laptop = testClient(app);
    const phone = testClient(app);
    await passwordLogin(laptop, "cat@example.com");
    const phoneLogin = await passwordLogin(phone, "cat@example.com", true);
    const remember = setCookie(phoneLogin, "remember_token")!;
    const laptopBefore = cookiesOf(laptop);
    await laptop.post("/password");
    expect(await accountStatus(app, cookiesOf(laptop))).toBe(200);
    expect(await accountStatus(app, laptopBefore)).toBe(401);
    expect(await accountStatus(app, cookiesOf(phone))).toBe(401);
    expect(await accountStatus(app, { remember_token: remember })).toBe(401);
  });
});

describe("row 17: expiry and logout", () => {
  it("logout: the session and remember cookies replayed right after give 401 (validity window 0 s)", async () => {
    const { app, directory } = fixture();
    await directory.add("dan@example.com");
    const client = testClient(app);
    const res = await passwordLogin(client, "dan@example.com", true);
    const remember = setCookie(res, "remember_token")!;
    const session = cookiesOf(client)["session"]!;
    const out = await client.post("/logout");
    const cleared = out.cookies.find((c) => c.name === "remember_token");
    expect(cleared?.value).toBe("");
    expect(Number(cleared?.attributes["max-age"] ?? 0)).toBeLessThanOrEqual(0);
    expect(await accountStatus(app, { session })).toBe(401);
    // A copy of the remember cookie kept from before the logout is revoked server-side.
    expect(await accountStatus(app, { remember_token: remember })).toBe(401);
  });

  it("idle timeout: a session not used for session.idleTimeout gives 401; one in use lives on", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.UTC(2026, 5, 1, 12));
    const { app, directory } = fixture({
      session: { store: "memory", idleTimeout: 600, absoluteTimeout: 3600 },
    });
    await directory.add("eve@example.com");
    const active = testClient(app);
    const idle = testClient(app);
    await passwordLogin(active, "eve@example.com");
    await passwordLogin(idle, "eve@example.com");
    const idleCookies = cookiesOf(idle);
    for (let minute = 5; minute <= 15; minute += 5) {
      vi.setSystemTime(Date.UTC(2026, 5, 1, 12, minute));
      expect(await accountStatus(app, cookiesOf(active)), `active at ${minute} min`).toBe(200);
    }
    expect(await accountStatus(app, idleCookies)).toBe(401);
  });

  it("absolute timeout: however active, a login ends session.absoluteTimeout after it began", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.UTC(2026, 5, 1, 12));
    const { app, directory } = fixture({
      session: { store: "memory", idleTimeout: 600, absoluteTimeout: 1800 },
    });
    await directory.add("fay@example.com");
    const client = testClient(app);
    await passwordLogin(client, "fay@example.com");
    const cookies = cookiesOf(client);
    for (let minute = 5; minute < 30; minute += 5) {
      vi.setSystemTime(Date.UTC(2026, 5, 1, 12, minute));
      expect(await accountStatus(app, cookies), `at ${minute} min`).toBe(200);
    }
    vi.setSystemTime(Date.UTC(2026, 5, 1, 12, 30, 1));
    expect(await accountStatus(app, cookies)).toBe(401);
  });

  it("signed-cookie sessions: a login ends session.absoluteTimeout after it, even a cookie re-issued since", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.UTC(2026, 5, 1, 12));
    const { app, directory } = fixture({ session: { store: "cookie", absoluteTimeout: 1800 } });
    await directory.add("kim@example.com");
    app.post("/note", async (ctx) => {
      (await ctx.session()).set("note", Date.now());
      return { ok: true };
    });
    const client = testClient(app);
    await passwordLogin(client, "kim@example.com");
    for (let minute = 5; minute < 30; minute += 5) {
      vi.setSystemTime(Date.UTC(2026, 5, 1, 12, minute));
      await client.post("/note"); // a new cookie each time
      expect(await accountStatus(app, cookiesOf(client)), `at ${minute} min`).toBe(200);
    }
    vi.setSystemTime(Date.UTC(2026, 5, 1, 12, 30, 1));
    expect(await accountStatus(app, cookiesOf(client))).toBe(401);
  });

  it("a deactivated user's session and remember cookie stop working at their next request", async () => {
    const { app, directory } = fixture();
    const user = await directory.add("gus@example.com");
    const client = testClient(app);
    const res = await passwordLogin(client, "gus@example.com", true);
    const remember = setCookie(res, "remember_token")!;
    user.isActive = false;
    expect(await accountStatus(app, cookiesOf(client))).toBe(401);
    expect(await accountStatus(app, { remember_token: remember })).toBe(401);
    const again = await client.post("/login", {
      json: { email: "gus@example.com", password: "correct horse" },
    });
    expect(again.json()).toEqual({ error: "wrong email or password" });
  });
});

describe("remember-me", () => {
  const https = { "x-forwarded-proto": "https" };

  it("is HttpOnly, SameSite=Lax, Path=/; Secure over HTTPS through a trusted proxy only", async () => {
    const { app, directory } = fixture({ trustProxy: ["127.0.0.1"] });
    await directory.add("hal@example.com");
    const json = { email: "hal@example.com", password: "correct horse", remember: true };
    const viaProxy = await inject(app, { method: "POST", url: "/login", json, headers: https });
    const cookie = viaProxy.cookies.find((c) => c.name === "remember_token")!;
    expect(cookie.attributes).toMatchObject({ httponly: true, samesite: "Lax", path: "/", secure: true });
    const plain = await inject(app, { method: "POST", url: "/login", json });
    expect(plain.cookies.find((c) => c.name === "remember_token")!.attributes["secure"]).toBeUndefined();
    // The same header from a peer that is not a trusted proxy proves nothing.
    const spoofed = await inject(app, {
      method: "POST",
      url: "/login",
      json,
      headers: https,
      remoteAddress: "198.51.100.7",
    });
    expect(spoofed.cookies.find((c) => c.name === "remember_token")!.attributes["secure"]).toBeUndefined();
  });

  it("restores a non-fresh login into a new session, and is revoked server-side by a version bump", async () => {
    const { app, directory } = fixture();
    const user = await directory.add("ivy@example.com");
    const res = await inject(app, {
      method: "POST",
      url: "/login",
      json: { email: "ivy@example.com", password: "correct horse", remember: true },
    });
    const remember = setCookie(res, "remember_token")!;
    const restored = await inject(app, { url: "/whoami", cookies: { remember_token: remember } });
    expect(restored.json()).toMatchObject({ authenticated: true, via: "remember" });
    const session = setCookie(restored, "session");
    expect(session).toBeDefined();
    expect((await inject(app, { url: "/whoami", cookies: { session: session! } })).json()).toMatchObject({
      via: "session",
    });
    user.sessionVersion += 1;
    const revoked = await inject(app, { url: "/whoami", cookies: { remember_token: remember } });
    expect(revoked.json()).toMatchObject({ authenticated: false });
    expect(revoked.cookies.find((c) => c.name === "remember_token")?.value).toBe("");
  });

  it("loginAs(…, { remember: true, fresh: false }) in tests behaves as a restored login", async () => {
    const { app, directory } = fixture();
    const user = await directory.add("jo@example.com");
    const client = testClient(app);
    await loginAs(app, client, user, { remember: true, fresh: false });
    expect(client.cookies.get("remember_token")).toBeDefined();
    expect((await client.get("/whoami")).json()).toMatchObject({ authenticated: true, via: "session" });
  });
});
