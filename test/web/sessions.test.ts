// Signed-cookie sessions and flash messages through the app (issue 4 items 2 and 3; RELIABILITY
// rows 18, 19, 24, 32, 38): set/get across requests, tampering, key rotation, maxAge, cookie
// attributes, Secure through TLS or a trusted proxy only, Vary/Cache-Control, the size limit,
// start-up rules for the secret, flashes, and no cross-request leakage.
import "reflect-metadata";
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { abort, Flagon, FlagonError, json } from "@flagon/core";
import {
  captureLog,
  cookieValue,
  type InjectResponse,
  OLD_SECRET,
  SECRET,
  sessionApp,
  setCookieFor,
  sleep,
} from "./sessions-helpers.js";

function header(res: InjectResponse, name: string): string | undefined {
  const value = res.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

/** Flips one character of a base64url text at `index` (to another base64url character). */
function flip(text: string, index: number): string {
  const c = text[index] as string;
  return text.slice(0, index) + (c === "A" ? "B" : "A") + text.slice(index + 1);
}

describe("signed-cookie sessions", () => {
  it("keeps values across requests and reports isNew", async () => {
    const client = sessionApp().testClient();
    const first = await client.get("/get");
    expect(first.json()).toEqual({ isNew: true, data: {} });
    await client.get("/set?name=ada&lang=ts");
    const again = await client.get("/get");
    expect(again.json()).toEqual({ isNew: false, data: { name: "ada", lang: "ts" } });
    expect((await client.get("/bump")).json()).toEqual({ count: 1 });
    expect((await client.get("/bump")).json()).toEqual({ count: 2 });
  });

  it("a route that never touches the session loads and writes nothing", async () => {
    const client = sessionApp().testClient();
    await client.get("/set?name=ada");
    const res = await client.get("/plain");
    expect(res.statusCode).toBe(200);
    expect(res.headers["set-cookie"]).toBeUndefined();
    expect(res.headers["vary"]).toBeUndefined();
    expect(res.headers["cache-control"]).toBeUndefined();
  });

  it("reading the session sends no cookie but marks the response private", async () => {
    const client = sessionApp().testClient();
    await client.get("/set?name=ada");
    const res = await client.get("/get");
    expect(res.headers["set-cookie"]).toBeUndefined();
    expect(header(res, "vary")).toBe("Cookie");
    expect(header(res, "cache-control")).toBe("private");
    // Even a new, empty session that was only read.
    const fresh = await sessionApp().inject("/get");
    expect(header(fresh, "vary")).toBe("Cookie");
    expect(header(fresh, "cache-control")).toBe("private");
    expect(fresh.headers["set-cookie"]).toBeUndefined();
  });

  it("keeps existing Vary values, turns public caching private, keeps no-store", async () => {
    const app = sessionApp();
    app.get("/cached", async (ctx) => {
      (await ctx.session()).set("x", 1);
      return json(
        { ok: true },
        { headers: { vary: "Accept-Encoding", "cache-control": "public, max-age=600, s-maxage=3600" } },
      );
    });
    app.get("/nostore", async (ctx) => {
      await ctx.session();
      ctx.response.headers.set("cache-control", "no-store");
      ctx.response.headers.set("vary", "Accept, cookie");
      return { ok: true };
    });
    const cached = await app.inject("/cached");
    expect(header(cached, "vary")).toBe("Accept-Encoding, Cookie");
    expect(header(cached, "cache-control")).toBe("private, max-age=600");
    const noStore = await app.inject("/nostore");
    expect(header(noStore, "cache-control")).toBe("no-store");
    expect(header(noStore, "vary")).toBe("Accept, cookie");
  });

  it("default cookie attributes: HttpOnly, SameSite=Lax, Path=/, no Domain, no Secure over HTTP", async () => {
    const res = await sessionApp().inject("/set?a=1");
    const line = setCookieFor(res, "session") as string;
    expect(line).toBeDefined();
    const attributes = line
      .split("; ")
      .slice(1)
      .map((a) => a.split("=")[0]);
    expect(attributes.sort()).toEqual(["Expires", "HttpOnly", "Max-Age", "Path", "SameSite"]);
    expect(line).toContain("; Path=/;");
    expect(line).toContain("; HttpOnly");
    expect(line).toContain("; SameSite=Lax");
    expect(line).toContain(`; Max-Age=${14 * 86400};`);
    expect(line).not.toMatch(/Domain|Secure/i);
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(4096);
  });

  it("over HTTPS: Secure and the __Host- prefix", async () => {
    const client = sessionApp().testClient();
    const res = await client.get("/set?a=1", { encrypted: true });
    const line = setCookieFor(res, "__Host-session") as string;
    expect(line).toMatch(
      /^__Host-session=[^;]+; Max-Age=\d+; Path=\/; Expires=[^;]+; HttpOnly; Secure; SameSite=Lax$/,
    );
    expect((await client.get("/get", { encrypted: true })).json()).toMatchObject({ data: { a: "1" } });
  });

  it("Secure follows X-Forwarded-Proto only from a trusted proxy", async () => {
    const headers = { "x-forwarded-proto": "https" };
    const trusted = sessionApp({ trustProxy: ["10.0.0.0/8"] });
    const viaProxy = await trusted.inject({ url: "/set?a=1", headers, remoteAddress: "10.1.2.3" });
    expect(setCookieFor(viaProxy, "__Host-session")).toContain("; Secure");
    // The same header straight from an untrusted peer is ignored.
    const direct = await trusted.inject({ url: "/set?a=1", headers, remoteAddress: "203.0.113.9" });
    expect(setCookieFor(direct, "session")).not.toContain("Secure");
    // With trustProxy off (the default), even a loopback peer is not believed.
    const off = await sessionApp().inject({ url: "/set?a=1", headers, remoteAddress: "127.0.0.1" });
    expect(setCookieFor(off, "session")).not.toContain("Secure");
  });

  it("configured attributes: SameSite=Strict, a domain and path, secure: true over HTTP", async () => {
    const app = sessionApp({
      session: { cookieName: "sid", sameSite: "strict", domain: "example.test", path: "/app", secure: true },
    });
    app.get("/app/set", async (ctx) => {
      (await ctx.session()).set("a", 1);
    });
    const line = setCookieFor(await app.inject("/app/set"), "sid") as string;
    expect(line).toContain("; Domain=example.test;");
    expect(line).toContain("; Path=/app;");
    expect(line).toContain("; Secure");
    expect(line).toContain("; SameSite=Strict");
  });

  it("a tampered cookie gives an empty session silently (200), logged at debug", async () => {
    const { logger, lines } = captureLog();
    const app = sessionApp({}, { logger });
    const good = cookieValue(await app.inject("/set?role=user"), "session") as string;
    const dot = good.lastIndexOf(".");
    const variants = {
      payloadByte: flip(good, 5),
      signatureByte: flip(good, dot + 3),
      truncated: good.slice(0, -1),
      noSignature: good.slice(0, dot),
      garbage: "not-a-session",
      forged: `${Buffer.from(JSON.stringify({ t: Date.now(), d: { role: "admin" } })).toString("base64url")}.${createHmac("sha256", SECRET).update("x").digest("base64url")}`,
    };
    for (const [name, value] of Object.entries(variants)) {
      const res = await app.inject({ url: "/get", cookies: { session: value } });
      expect(res.statusCode, name).toBe(200);
      expect(res.json(), name).toEqual({ isNew: true, data: {} });
    }
    expect((await app.inject({ url: "/get", cookies: { session: good } })).json()).toEqual({
      isNew: false,
      data: { role: "user" },
    });
    const debug = lines.filter((l) => l.level === 20 && /session cookie ignored/.test(l.msg ?? ""));
    expect(debug.length).toBe(Object.keys(variants).length);
    expect(lines.filter((l) => l.level >= 40)).toEqual([]);
  });

  it("maxAge is enforced on the server from the signed issued-at time", async () => {
    const app = sessionApp({ session: { maxAge: 0.4 } });
    const value = cookieValue(await app.inject("/set?a=1"), "session") as string;
    expect((await app.inject({ url: "/get", cookies: { session: value } })).json()).toMatchObject({
      isNew: false,
    });
    await sleep(450);
    // The client still sends it (it ignores Max-Age here); the server refuses it.
    expect((await app.inject({ url: "/get", cookies: { session: value } })).json()).toEqual({
      isNew: true,
      data: {},
    });
  });

  it("absoluteTimeout ends a cookie session that long after it began, however often it changed; regenerate() restarts it", async () => {
    const app = sessionApp({ session: { maxAge: 60, absoluteTimeout: 0.6 } });
    const client = app.testClient();
    await client.get("/bump");
    // Changed every 150 ms, so maxAge (counted from the last change) never runs out…
    for (let i = 0; i < 3; i++) {
      await sleep(150);
      await client.get("/bump");
    }
    const late = client.cookies.get("session") as string;
    await sleep(200);
    // …but 650 ms after it began the session is over, even the cookie issued last.
    expect((await app.inject({ url: "/get", cookies: { session: late } })).json()).toEqual({
      isNew: true,
      data: {},
    });
    // A regenerated session counts from its regeneration.
    const fresh = app.testClient();
    await fresh.get("/set?a=1");
    await sleep(400);
    await fresh.get("/regenerate");
    await sleep(400);
    expect((await fresh.get("/get")).json()).toEqual({ isNew: false, data: { a: "1" } });
  });

  it("clear() on a loaded session deletes the cookie", async () => {
    const client = sessionApp().testClient();
    await client.get("/set?a=1");
    const res = await client.get("/clear");
    expect(setCookieFor(res, "session")).toMatch(/^session=; Max-Age=0; Path=\/; Expires=Thu, 01 Jan 1970/);
    expect(client.cookies.has("session")).toBe(false);
  });

  it("destroy() clears the cookie; regenerate() re-issues it with the data kept", async () => {
    const client = sessionApp().testClient();
    await client.get("/set?a=1");
    const before = client.cookies.get("session");
    const regenerated = await client.get("/regenerate");
    expect(cookieValue(regenerated, "session")).toBeDefined();
    expect(client.cookies.get("session")).not.toBe(before);
    expect((await client.get("/get")).json()).toMatchObject({ data: { a: "1" } });
    const destroyed = await client.get("/destroy");
    expect(setCookieFor(destroyed, "session")).toMatch(/^session=; Max-Age=0/);
    expect((await client.get("/get")).json()).toEqual({ isNew: true, data: {} });
  });
});

describe("key rotation (RELIABILITY 38)", () => {
  it("old key verifies, new key signs, removed key is rejected", async () => {
    const oldApp = sessionApp({ secretKey: OLD_SECRET });
    const oldCookie = cookieValue(await oldApp.inject("/set?user=ada"), "session") as string;

    const rotated = sessionApp({ secretKey: SECRET, secretKeyFallbacks: [OLD_SECRET] });
    const read = await rotated.inject({ url: "/get", cookies: { session: oldCookie } });
    expect(read.json()).toEqual({ isNew: false, data: { user: "ada" } });
    // Verified by a fallback: re-signed with the current key although nothing changed...
    const resigned = cookieValue(read, "session") as string;
    expect(resigned).toBeDefined();
    expect(resigned).not.toBe(oldCookie);
    // ...with the same payload (issued-at kept: rotation never extends a session).
    expect(resigned.split(".")[0]).toBe(oldCookie.split(".")[0]);
    // A write signs with the current key too.
    const written = cookieValue(
      await rotated.inject({ url: "/set?x=1", cookies: { session: oldCookie } }),
      "session",
    ) as string;

    const newOnly = sessionApp({ secretKey: SECRET });
    for (const value of [resigned, written]) {
      expect((await newOnly.inject({ url: "/get", cookies: { session: value } })).json()).toMatchObject({
        isNew: false,
        data: { user: "ada" },
      });
    }
    // The old key removed: its cookies are rejected.
    expect((await newOnly.inject({ url: "/get", cookies: { session: oldCookie } })).json()).toEqual({
      isNew: true,
      data: {},
    });
    // A cookie signed by the current key is not re-issued on a read.
    const current = await rotated.inject({ url: "/get", cookies: { session: resigned } });
    expect(current.headers["set-cookie"]).toBeUndefined();
  });
});

describe("too large for a cookie: an error, never a silent drop", () => {
  const big = "x".repeat(5000);

  it("development: 500 with a message that says what to do", async () => {
    const app = sessionApp({ env: "development" });
    app.get("/big", async (ctx) => {
      (await ctx.session()).set("big", big);
      return { ok: true };
    });
    const res = await app.inject({ url: "/big", headers: { accept: "application/json" } });
    expect(res.statusCode).toBe(500);
    expect(res.body).toMatch(/session cookie would be \d+ bytes, over the 4093 bytes/);
    expect(res.headers["set-cookie"]).toBeUndefined();
  });

  it("production: 500 with a generic body and a logged error", async () => {
    const { logger, lines } = captureLog();
    const app = sessionApp({ env: "production" }, { logger });
    app.get("/big", async (ctx) => {
      (await ctx.session()).set("big", big);
      return { ok: true };
    });
    const res = await app.inject({ url: "/big", headers: { accept: "application/json" } });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain("4093");
    expect(res.headers["set-cookie"]).toBeUndefined();
    const errors = lines.filter((l) => l.level === 50);
    expect(errors.some((l) => /4093 bytes/.test(l.err?.message ?? ""))).toBe(true);
  });

  it("just under the limit is sent", async () => {
    const app = sessionApp();
    app.get("/fit", async (ctx) => {
      (await ctx.session()).set("v", "y".repeat(2800));
    });
    const res = await app.inject("/fit");
    expect(res.statusCode).toBe(204);
    expect(Buffer.byteLength(setCookieFor(res, "session") as string)).toBeLessThanOrEqual(4093);
  });
});

describe("the secret key at start-up", () => {
  const base = { configFile: false as const, logger: false as const };

  it("a short secret stops start-up outside development, naming the key but not the value", () => {
    for (const env of ["production", "test"] as const) {
      let caught: unknown;
      try {
        new Flagon({ ...base, config: { env, secretKey: "short-secret-value" } });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(FlagonError);
      expect((caught as FlagonError).code).toBe("FLAGON_ERR_INVALID_CONFIG");
      expect((caught as Error).message).toContain("config.secretKey");
      expect((caught as Error).message).not.toContain("short-secret-value");
    }
    expect(
      () =>
        new Flagon({
          ...base,
          config: { env: "production", secretKey: SECRET, secretKeyFallbacks: ["tiny"] },
        }),
    ).toThrow(/secretKeyFallbacks\[0\]/);
    // Development accepts a short one.
    expect(() => new Flagon({ ...base, config: { env: "development", secretKey: "dev" } })).not.toThrow();
  });

  it("a session section without a secret stops start-up in production", async () => {
    const app = new Flagon({ ...base, config: { env: "production", session: { store: "memory" } } });
    await expect(app.ready()).rejects.toThrow(/FLAGON_ERR_INVALID_CONFIG: config\.secretKey must be set/);
  });

  it("without sessions declared, an app starts without a secret; a session route answers 500 (logged)", async () => {
    const { logger, lines } = captureLog();
    const app = new Flagon({ ...base, logger, config: { env: "production", static: false } });
    app.get("/api", () => ({ ok: true }));
    app.get("/me", async (ctx) => (await ctx.session()).get("user") ?? null);
    expect((await app.inject("/api")).statusCode).toBe(200);
    const res = await app.inject({ url: "/me", headers: { accept: "application/json" } });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain("secretKey");
    const logged = lines.find((l) => l.level === 50 && /secretKey/.test(l.err?.message ?? ""));
    expect(logged?.err?.message).toMatch(/FLAGON_ERR_INVALID_CONFIG: config\.secretKey must be set/);
  });

  it("the secret from the environment: FLAGON_SECRET_KEY and FLAGON_SECRET_KEY_FALLBACKS", async () => {
    const saved = { ...process.env };
    try {
      process.env["FLAGON_SECRET_KEY"] = SECRET;
      process.env["FLAGON_SECRET_KEY_FALLBACKS"] = JSON.stringify([OLD_SECRET]);
      const oldCookie = cookieValue(
        await sessionApp({ secretKey: OLD_SECRET }).inject("/set?a=1"),
        "session",
      );
      const app = new Flagon({ ...base, config: { env: "production", static: false, session: {} } });
      app.get("/get", async (ctx) => ({ a: (await ctx.session()).get("a") }));
      expect((await app.inject({ url: "/get", cookies: { session: oldCookie as string } })).json()).toEqual({
        a: "1",
      });

      process.env["FLAGON_SECRET_KEY"] = "from-env-but-short";
      const short = new Flagon({ ...base, config: { env: "production", static: false } });
      const failure = await short.ready().then(
        () => undefined,
        (error: unknown) => error as Error,
      );
      expect(failure?.message).toContain("config.secretKey");
      expect(failure?.message).not.toContain("from-env-but-short");
    } finally {
      for (const key of ["FLAGON_SECRET_KEY", "FLAGON_SECRET_KEY_FALLBACKS"]) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
  });

  it("development without a secret: a random per-process key and a warning", async () => {
    const { logger, lines } = captureLog();
    const app = sessionApp({ env: "development", secretKey: undefined }, { logger });
    const client = app.testClient();
    await client.get("/set?a=1");
    expect((await client.get("/get")).json()).toMatchObject({ data: { a: "1" } });
    // Another app in the same process shares the key.
    const other = sessionApp({ env: "development", secretKey: undefined });
    const value = client.cookies.get("session") as string;
    expect((await other.inject({ url: "/get", cookies: { session: value } })).json()).toMatchObject({
      data: { a: "1" },
    });
    expect(lines.filter((l) => l.level === 40 && /secretKey is not set/.test(l.msg ?? ""))).toHaveLength(1);
  });

  it("rejects bad session options, naming the key", () => {
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ cookieName: "a b" }, /session\.cookieName/],
      [{ store: "disk" }, /session\.store/],
      [{ store: { redis: "http://x" } }, /session\.store\.redis/],
      [{ maxAge: 0 }, /session\.maxAge/],
      [{ idleTimeout: -1 }, /session\.idleTimeout/],
      [{ storeTimeout: 0 }, /session\.storeTimeout/],
      [{ sameSite: "none" }, /session\.sameSite/],
      [{ secure: "yes" }, /session\.secure/],
      [{ path: "app" }, /session\.path/],
      [{ domain: "a;b" }, /session\.domain/],
      [{ cookieName: "__Host-s", domain: "a.test", secure: true }, /session\.cookieName/],
      [{ colour: "blue" }, /session\.colour/],
    ];
    for (const [session, message] of bad) {
      expect(() => new Flagon({ ...base, config: { env: "test", secretKey: SECRET, session } })).toThrow(
        message,
      );
    }
    expect(() => new Flagon({ ...base, config: { trustProxy: ["not-an-ip"] } })).toThrow(
      /config\.trustProxy/,
    );
    expect(() => new Flagon({ ...base, config: { trustProxy: ["10.0.0.0/33"] } })).toThrow(
      /config\.trustProxy/,
    );
  });
});

describe("flash messages", () => {
  it("shown once, with categories, in order", async () => {
    const client = sessionApp().testClient();
    await client.get("/flash?m=Saved");
    await client.get("/flash?m=Disk%20full&c=error");
    await client.get("/flash?m=Hello&c=info");
    expect((await client.get("/flashes?with=1")).json()).toEqual([
      ["message", "Saved"],
      ["error", "Disk full"],
      ["info", "Hello"],
    ]);
    expect((await client.get("/flashes")).json()).toEqual([]);
  });

  it("a category filter takes only those; the others wait for a later request", async () => {
    const client = sessionApp().testClient();
    await client.get("/flash?m=a&c=error");
    await client.get("/flash?m=b&c=info");
    await client.get("/flash?m=c&c=error");
    expect((await client.get("/flashes?cats=error")).json()).toEqual(["a", "c"]);
    expect((await client.get("/flashes?with=1")).json()).toEqual([["info", "b"]]);
    expect((await client.get("/flashes")).json()).toEqual([]);
  });

  it("flash then redirect, shown on the next page; repeated reads in one request agree", async () => {
    const app = sessionApp();
    app.get("/save", async (ctx) => {
      await ctx.flash("Saved!", "success");
      return ctx.urlFor("page");
    });
    app.get("/page", async function page(ctx) {
      const session = await ctx.session();
      return { first: session.flashes(), second: session.flashes({ withCategories: true }) };
    });
    const client = app.testClient();
    await client.get("/save");
    expect((await client.get("/page")).json()).toEqual({
      first: ["Saved!"],
      second: [["success", "Saved!"]],
    });
    expect((await client.get("/page")).json()).toEqual({ first: [], second: [] });
  });

  it("a flash before an error response is kept (the session is saved for errors too)", async () => {
    const app = sessionApp();
    app.get("/fail", async (ctx) => {
      await ctx.flash("That did not work", "error");
      abort(400, "bad input");
    });
    const client = app.testClient();
    const res = await client.get("/fail");
    expect(res.statusCode).toBe(400);
    expect(header(res, "vary")).toBe("Cookie");
    expect((await client.get("/flashes?with=1")).json()).toEqual([["error", "That did not work"]]);
  });

  it("taking the last flash of a session deletes the cookie", async () => {
    const client = sessionApp().testClient();
    await client.get("/flash?m=bye");
    const res = await client.get("/flashes");
    expect(setCookieFor(res, "session")).toMatch(/^session=; Max-Age=0/);
  });
});

describe("no state shared between requests (RELIABILITY 34)", () => {
  it("500 interleaved clients each see only their own session", async () => {
    const app = sessionApp();
    app.get("/slow-echo", async (ctx) => {
      const session = await ctx.session();
      await sleep(Math.random() * 5);
      return { mine: session.get("who") };
    });
    const clients = Array.from({ length: 500 }, () => app.testClient());
    await Promise.all(clients.map((c, i) => c.get(`/set?who=${i}`)));
    const answers = await Promise.all(clients.map((c) => c.get("/slow-echo")));
    answers.forEach((res, i) => expect(res.json()).toEqual({ mine: String(i) }));
  });
});
