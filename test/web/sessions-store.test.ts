// Server-side sessions in a Keyv store (issue 4 item 2; RELIABILITY rows 16, 17, 29, 31): the
// in-memory default, idle and absolute expiry, regenerate() and destroy() with replayed old
// cookies, and stores that fail: throwing, hanging, and 10k requests with injected faults.
import "reflect-metadata";
import { performance } from "node:perf_hooks";
import { Keyv } from "keyv";
import { describe, expect, it } from "vitest";
import { captureLog, cookieValue, sessionApp, setCookieFor, sleep } from "./sessions-helpers.js";

type Mode = "ok" | "throw" | "hang";

/** A Keyv store adapter over a Map whose calls can be made to throw or never answer. */
class FaultyStore {
  readonly opts = { dialect: "faulty" };
  namespace: string | undefined;
  readonly entries = new Map<string, unknown>();
  mode: Mode = "ok";
  /** Decides per call when set: lets a test inject faults at random. */
  decide: ((op: string) => Mode) | undefined;
  calls = 0;

  private run<T>(op: string, action: () => T): Promise<T> {
    this.calls += 1;
    const mode = this.decide?.(op) ?? this.mode;
    if (mode === "throw") return Promise.reject(new Error(`injected ${op} failure`));
    if (mode === "hang") return new Promise<T>(() => undefined);
    return Promise.resolve(action());
  }

  get(key: string): Promise<unknown> {
    return this.run("get", () => this.entries.get(key));
  }
  set(key: string, value: unknown): Promise<boolean> {
    return this.run("set", () => (this.entries.set(key, value), true));
  }
  delete(key: string): Promise<boolean> {
    return this.run("delete", () => this.entries.delete(key));
  }
  clear(): Promise<void> {
    return this.run("clear", () => this.entries.clear());
  }
  on(): this {
    return this;
  }
}

function storeApp(session: Record<string, unknown> = {}) {
  const store = new FaultyStore();
  // A plain Keyv as a user would build it (throwOnErrors off): Flagon must still fail closed.
  const keyv = new Keyv({ store });
  const app = sessionApp({ session }, { sessionStore: keyv });
  return { app, store, keyv };
}

const ID_COOKIE = /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/;

describe("server-side sessions (memory store by default)", () => {
  it('store: "memory" keeps data on the server; the cookie holds only a signed 128-bit id', async () => {
    const client = sessionApp({ session: { store: "memory" } }).testClient();
    const res = await client.get("/set?name=ada&secret=hunter2");
    const value = cookieValue(res, "session") as string;
    expect(value).toMatch(ID_COOKIE);
    expect(Buffer.from(value.split(".")[0] as string, "base64url").length).toBe(16);
    expect(value).not.toContain(Buffer.from("hunter2").toString("base64url").slice(0, 6));
    expect((await client.get("/get")).json()).toEqual({
      isNew: false,
      data: { name: "ada", secret: "hunter2" },
    });
    const line = setCookieFor(res, "session") as string;
    expect(line).toContain("; HttpOnly");
    expect(line).toContain("; SameSite=Lax");
  });

  it("routes that never touch the session make no store call; an unsigned or forged id makes none either", async () => {
    const { app, store } = storeApp();
    const client = app.testClient();
    await client.get("/set?a=1");
    const calls = store.calls;
    await client.get("/plain");
    expect(store.calls).toBe(calls);
    const [id] = (client.cookies.get("session") as string).split(".");
    for (const forged of [id as string, `${id}.${"A".repeat(43)}`, "x.y"]) {
      const res = await app.inject({ url: "/get", cookies: { session: forged } });
      expect(res.json()).toEqual({ isNew: true, data: {} });
    }
    expect(store.calls).toBe(calls);
  });

  it("a read-only request on a new session writes nothing", async () => {
    const { app, store } = storeApp();
    await app.inject("/get");
    expect(store.calls).toBe(0);
    expect(store.entries.size).toBe(0);
  });

  it("idle expiry is refreshed on use and enforced on the server", async () => {
    const { app } = storeApp({ idleTimeout: 0.6, absoluteTimeout: 60 });
    const client = app.testClient();
    await client.get("/set?a=1");
    // Four uses 200 ms apart: 800 ms in all, longer than the idle time, each within it.
    for (let i = 0; i < 4; i += 1) {
      await sleep(200);
      expect((await client.get("/get")).json(), `use ${i}`).toMatchObject({ isNew: false });
    }
    await sleep(700);
    expect((await client.get("/get")).json()).toEqual({ isNew: true, data: {} });
  });

  it("absolute expiry ends an active session", async () => {
    const { app, store } = storeApp({ idleTimeout: 60, absoluteTimeout: 0.5 });
    const client = app.testClient();
    await client.get("/set?a=1");
    const started = performance.now();
    let ended = 0;
    while (performance.now() - started < 1500) {
      await sleep(100);
      const body = (await client.get("/get")).json<{ isNew: boolean }>();
      if (body.isNew) {
        ended = performance.now() - started;
        break;
      }
    }
    expect(ended).toBeGreaterThanOrEqual(400);
    expect(ended).toBeLessThan(1200);
    expect(store.entries.size).toBe(0); // the expired record was deleted
  });

  it("regenerate(): a new id, data kept, and the old id gives an empty session (RELIABILITY 16)", async () => {
    const { app, store } = storeApp();
    const client = app.testClient();
    await client.get("/set?cart=3");
    const oldCookie = client.cookies.get("session") as string;
    const res = await client.get("/regenerate");
    const newCookie = cookieValue(res, "session") as string;
    expect(newCookie).toMatch(ID_COOKIE);
    expect(newCookie.split(".")[0]).not.toBe(oldCookie.split(".")[0]);
    expect((await client.get("/get")).json()).toEqual({ isNew: false, data: { cart: "3" } });
    expect((await app.inject({ url: "/get", cookies: { session: oldCookie } })).json()).toEqual({
      isNew: true,
      data: {},
    });
    expect(store.entries.size).toBe(1);
  });

  it("destroy(): the record is gone and a replayed cookie is worthless at once (RELIABILITY 17)", async () => {
    const { app, store } = storeApp();
    const client = app.testClient();
    await client.get("/set?user=ada");
    const cookie = client.cookies.get("session") as string;
    const res = await client.get("/destroy");
    expect(setCookieFor(res, "session")).toMatch(/^session=; Max-Age=0/);
    expect(store.entries.size).toBe(0);
    expect((await app.inject({ url: "/get", cookies: { session: cookie } })).json()).toEqual({
      isNew: true,
      data: {},
    });
  });

  it("clear() deletes the record and the cookie", async () => {
    const { app, store } = storeApp();
    const client = app.testClient();
    await client.get("/set?a=1");
    const res = await client.get("/clear");
    expect(setCookieFor(res, "session")).toMatch(/^session=; Max-Age=0/);
    expect(store.entries.size).toBe(0);
  });

  it("key rotation applies to the signed id too", async () => {
    const store = new Keyv();
    const old = sessionApp(
      { secretKey: "an-old-secret-key-that-is-long-enough-00" },
      { sessionStore: store },
    );
    const cookie = cookieValue(await old.inject("/set?a=1"), "session") as string;
    const rotated = sessionApp(
      { secretKeyFallbacks: ["an-old-secret-key-that-is-long-enough-00"] },
      { sessionStore: store },
    );
    const res = await rotated.inject({ url: "/get", cookies: { session: cookie } });
    expect(res.json()).toMatchObject({ isNew: false, data: { a: "1" } });
    const resigned = cookieValue(res, "session") as string;
    expect(resigned.split(".")[0]).toBe(cookie.split(".")[0]);
    expect(resigned).not.toBe(cookie);
    const current = sessionApp({}, { sessionStore: store });
    expect((await current.inject({ url: "/get", cookies: { session: cookie } })).json()).toMatchObject({
      isNew: true,
    });
    expect((await current.inject({ url: "/get", cookies: { session: resigned } })).json()).toMatchObject({
      isNew: false,
    });
  });

  it("session ids: unique, 128 bits, no visible bias (10k sessions)", async () => {
    const app = sessionApp({ session: { store: "memory" } });
    const ids = await Promise.all(
      Array.from({ length: 10_000 }, async () => {
        const value = cookieValue(await app.inject("/set?a=1"), "session") as string;
        return Buffer.from(value.split(".")[0] as string, "base64url");
      }),
    );
    expect(new Set(ids.map((b) => b.toString("hex"))).size).toBe(10_000);
    const ones = new Array<number>(128).fill(0);
    for (const id of ids) {
      expect(id.length).toBe(16);
      for (let bit = 0; bit < 128; bit += 1)
        ones[bit] = (ones[bit] ?? 0) + (((id[bit >> 3] ?? 0) >> (bit & 7)) & 1);
    }
    // Each bit is set in 50 % ± 4 % of 10k ids (about 8 standard deviations).
    for (const count of ones) expect(Math.abs(count - 5000)).toBeLessThan(400);
  });

  it("a sessionStore and config.session.store together are refused", async () => {
    const app = sessionApp({ session: { store: "memory" } }, { sessionStore: new Keyv() });
    await expect(app.ready()).rejects.toThrow(/config\.session\.store must be left out/);
  });
});

describe("a failing store fails closed (RELIABILITY 29, 31)", () => {
  it("a store that throws: 503 when loading a presented session, never an anonymous session", async () => {
    const { app, store } = storeApp();
    const client = app.testClient();
    await client.get("/set?user=ada");
    store.mode = "throw";
    const res = await client.get("/get", { headers: { accept: "application/json" } });
    expect(res.statusCode).toBe(503);
    expect(res.body).not.toContain("ada");
    expect(res.body).not.toContain("injected");
    store.mode = "ok";
    expect((await client.get("/get")).json()).toEqual({ isNew: false, data: { user: "ada" } });
  });

  it("a store that throws on save: 503, not a 2xx with unsaved state", async () => {
    const { app, store } = storeApp();
    store.mode = "throw";
    const res = await app.inject("/set?user=ada");
    expect(res.statusCode).toBe(503);
    expect(res.headers["set-cookie"]).toBeUndefined();
    // Without a cookie, loading needs no store call: a read-only page still works.
    expect((await app.inject("/get")).statusCode).toBe(200);
  });

  it("regenerate() and destroy() whose delete fails: 503", async () => {
    const { app, store } = storeApp();
    const client = app.testClient();
    await client.get("/set?user=ada");
    store.decide = (op) => (op === "delete" ? "throw" : "ok");
    expect((await client.get("/regenerate")).statusCode).toBe(503);
    expect((await client.get("/destroy")).statusCode).toBe(503);
    store.decide = undefined;
    expect((await client.get("/get")).json()).toMatchObject({ data: { user: "ada" } });
  });

  it("a failed idle refresh of an unchanged session is logged, not fatal; the next write still fails closed", async () => {
    const { logger, lines } = captureLog();
    const store = new FaultyStore();
    const app = sessionApp({ session: { idleTimeout: 0.5 } }, { sessionStore: new Keyv({ store }), logger });
    const client = app.testClient();
    await client.get("/set?user=ada");
    await sleep(80); // past the refresh interval (a tenth of the idle time)
    store.decide = (op) => (op === "set" ? "throw" : "ok");
    const read = await client.get("/get");
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({ data: { user: "ada" } });
    expect(lines.some((l) => l.level === 40 && l.msg === "session idle refresh failed")).toBe(true);
    expect((await client.get("/bump")).statusCode).toBe(503);
  });

  it("a store that never answers: 503 within the store timeout, not a hang", async () => {
    const { app, store } = storeApp({ storeTimeout: 100 });
    const client = app.testClient();
    await client.get("/set?user=ada");
    store.mode = "hang";
    for (const url of ["/get", "/bump"]) {
      const started = performance.now();
      const res = await client.get(url);
      const ms = performance.now() - started;
      expect(res.statusCode, url).toBe(503);
      expect(ms, url).toBeLessThan(1000);
      expect(ms, url).toBeGreaterThanOrEqual(95);
    }
    const saving = app.testClient();
    const started = performance.now();
    expect((await saving.get("/set?a=1")).statusCode).toBe(503);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("10k requests with injected faults: 0 lost session writes", async () => {
    const { app, store } = storeApp({ storeTimeout: 5 });
    const client = app.testClient();
    expect((await client.get("/bump")).json()).toEqual({ count: 1 });
    let seed = 42;
    const random = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    store.decide = () => {
      const r = random();
      return r < 0.1 ? "throw" : r < 0.11 ? "hang" : "ok";
    };
    let confirmed = 1;
    let lost = 0;
    let ok = 0;
    let unavailable = 0;
    for (let i = 0; i < 10_000; i += 1) {
      const res = await client.get("/bump");
      if (res.statusCode === 200) {
        ok += 1;
        const { count } = res.json<{ count: number }>();
        // Each confirmed write must be seen by the next successful read.
        if (count !== confirmed + 1) lost += 1;
        confirmed = count;
      } else {
        expect(res.statusCode).toBe(503);
        unavailable += 1;
      }
    }
    store.decide = undefined;
    const stored = (await client.get("/get")).json<{ data: { count: number } }>();
    expect(stored.data.count).toBe(confirmed);
    expect(lost).toBe(0);
    expect(ok).toBeGreaterThan(7000);
    expect(unavailable).toBeGreaterThan(1000);
    console.log(`fault injection: ${ok} × 200, ${unavailable} × 503, lost session writes: ${lost}`);
  }, 60_000);
});
