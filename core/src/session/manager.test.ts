import "reflect-metadata";
import { describe, expect, test } from "vitest";
import { Flagon } from "../app/flagon.js";
import type { Context } from "../http/context.js";

const SECRET = "current-secret-key-0123456789abcdefghij";

function app(config: Record<string, unknown> = {}): Flagon {
  const flagon = new Flagon({
    configFile: false,
    logger: false,
    config: { env: "test", secretKey: SECRET, static: false, ...config },
  });
  const kind = (ctx: Context): string => {
    const found = ctx.app.door.sessions.forRender(ctx);
    return found === undefined ? "none" : found instanceof Promise ? "loading" : "loaded";
  };
  flagon.get("/set", async (ctx) => {
    (await ctx.session()).set("a", 1);
  });
  flagon.get("/render", (ctx) => ({ kind: kind(ctx) }));
  flagon.get("/render-after-load", async (ctx) => {
    await ctx.session();
    return { kind: kind(ctx) };
  });
  flagon.get("/twice", async (ctx) => {
    const [a, b] = await Promise.all([ctx.session(), ctx.session()]);
    return { same: a === b, loaded: ctx.app.door.sessions.loaded(ctx) === a };
  });
  return flagon;
}

describe("SessionManager", () => {
  test("one load per request, shared by every caller", async () => {
    expect((await app().inject("/twice")).json()).toEqual({ same: true, loaded: true });
  });

  test("forRender: nothing without a cookie, a load with one, the loaded session after a load", async () => {
    const flagon = app();
    expect((await flagon.inject("/render")).json()).toEqual({ kind: "none" });
    const cookie = (await flagon.inject("/set")).cookies[0]?.value as string;
    const withCookie = await flagon.inject({ url: "/render", cookies: { session: cookie } });
    expect(withCookie.json()).toEqual({ kind: "loading" });
    expect(withCookie.headers["vary"]).toBe("Cookie");
    expect((await flagon.inject("/render-after-load")).json()).toEqual({ kind: "loaded" });
  });

  test("forRender never fails for a missing secret: templates show no session", async () => {
    const flagon = app({ env: "production", secretKey: undefined });
    const res = await flagon.inject({ url: "/render", cookies: { session: "x.y" } });
    expect(res.json()).toEqual({ kind: "none" });
  });

  test("the session manager (the app's front door) exists only once the app is ready", () => {
    expect(() => app().door).toThrow(/FLAGON_ERR_APP_STATE/);
  });
});
