import { describe, expect, test } from "vitest";
import { Flagon, ForbiddenError, definePlugin, json } from "@flagon/core";

// Seam 8 (order between plugins) through the public API: dependencies reorder registration,
// before/after constrain hook order, cycles stop start-up naming the cycle.

function recorder(seen: string[], name: string, extra: Partial<Parameters<typeof definePlugin>[0]> = {}) {
  return definePlugin({
    name,
    version: "1.2.0",
    ...extra,
    register(app) {
      seen.push(`register ${name}`);
      app.addHook("preHandler", () => void seen.push(`preHandler ${name}`));
      app.addHook("onSend", () => void seen.push(`onSend ${name}`));
    },
  });
}

function withRoute(app: Flagon): Flagon {
  app.get("/", () => json({ ok: true }));
  return app;
}

describe("dependencies reorder registration", () => {
  test("a plugin listed before its dependency works, and the dependency's hooks come first", async () => {
    const seen: string[] = [];
    const app = withRoute(
      new Flagon({
        configFile: false,
        plugins: [recorder(seen, "users", { dependencies: ["db"] }), recorder(seen, "db")],
      }),
    );
    const res = await app.inject("/");
    expect(res.statusCode).toBe(200);
    expect(seen).toEqual([
      "register db",
      "register users",
      "preHandler db",
      "preHandler users",
      "onSend users",
      "onSend db",
    ]);
  });

  test("app.register order is sorted too; unrelated plugins keep the given order", async () => {
    const seen: string[] = [];
    const app = withRoute(new Flagon({ configFile: false }));
    app.register(recorder(seen, "a"));
    app.register(recorder(seen, "b", { dependencies: { d: "^1.0.0" } }));
    app.register(recorder(seen, "c"));
    app.register(recorder(seen, "d"));
    await app.inject("/");
    expect(seen.filter((s) => s.startsWith("preHandler"))).toEqual([
      "preHandler a",
      "preHandler d",
      "preHandler b",
      "preHandler c",
    ]);
    await app.close();
  });

  test("a cycle stops start-up naming it", async () => {
    const seen: string[] = [];
    const app = new Flagon({
      configFile: false,
      plugins: [recorder(seen, "a", { dependencies: ["b"] }), recorder(seen, "b", { dependencies: ["a"] })],
    });
    await expect(app.ready()).rejects.toMatchObject({
      code: "FLAGON_ERR_PLUGIN_DEPENDENCY",
      message: expect.stringContaining("a → b → a"),
    });
    expect(seen).toEqual([]);
  });

  test("a missing dependency keeps its error", async () => {
    const app = new Flagon({
      configFile: false,
      plugins: [recorder([], "users", { dependencies: ["db"] })],
    });
    await expect(app.ready()).rejects.toMatchObject({
      code: "FLAGON_ERR_PLUGIN_DEPENDENCY",
      message: expect.stringContaining("needs plugin db"),
    });
  });

  test("a version range mismatch is still refused after sorting", async () => {
    const app = new Flagon({
      configFile: false,
      plugins: [recorder([], "users", { dependencies: { db: "^2.0.0" } }), recorder([], "db")],
    });
    await expect(app.ready()).rejects.toMatchObject({
      code: "FLAGON_ERR_PLUGIN_VERSION",
      message: expect.stringContaining("needs db ^2.0.0, but 1.2.0 is registered"),
    });
  });
});

describe("before / after between plugins", () => {
  test("auth with before: [cache] refuses before the cache answers, whatever the order in config", async () => {
    const seen: string[] = [];
    const cache = definePlugin({
      name: "cache",
      register(app) {
        app.addHook("preHandler", () => {
          seen.push("cache");
          return json({ cached: true });
        });
      },
    });
    const auth = definePlugin({
      name: "auth",
      before: ["cache"],
      register(app) {
        app.addHook("preHandler", (ctx) => {
          seen.push("auth");
          if (ctx.request.headers["authorization"] === undefined) throw new ForbiddenError();
          return undefined;
        });
      },
    });
    const app = withRoute(new Flagon({ configFile: false, plugins: [cache, auth] }));
    const refused = await app.inject("/");
    expect(refused.statusCode).toBe(403);
    expect(seen).toEqual(["auth"]);
    const allowed = await app.inject({ url: "/", headers: { authorization: "Bearer x" } });
    expect(allowed.json()).toEqual({ cached: true });
    expect(seen).toEqual(["auth", "auth", "cache"]);
  });

  test("after: moves a plugin later; onSend (reverse order) then runs first; unknown names are ignored", async () => {
    const seen: string[] = [];
    const app = withRoute(
      new Flagon({
        configFile: false,
        plugins: [recorder(seen, "late", { after: ["early", "not-installed"] }), recorder(seen, "early")],
      }),
    );
    await app.inject("/");
    expect(seen).toEqual([
      "register early",
      "register late",
      "preHandler early",
      "preHandler late",
      "onSend late",
      "onSend early",
    ]);
  });

  test("a cycle through before and after stops start-up naming both", async () => {
    const app = new Flagon({
      configFile: false,
      plugins: [recorder([], "x", { before: ["y"] }), recorder([], "y", { before: ["x"] })],
    });
    const error = await app.ready().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(/x → y → x/);
  });

  test("before: the interceptor is the outer one, onClose runs after the other plugin's", async () => {
    const seen: string[] = [];
    const plugin = (name: string, before?: string[]) =>
      definePlugin({
        name,
        ...(before ? { before } : {}),
        register(app) {
          app.addInterceptor(async (_ctx, next) => {
            seen.push(`enter ${name}`);
            const out = await next();
            seen.push(`leave ${name}`);
            return out;
          });
          app.addHook("onClose", () => void seen.push(`onClose ${name}`));
        },
      });
    const app = withRoute(
      new Flagon({ configFile: false, plugins: [plugin("inner"), plugin("outer", ["inner"])] }),
    );
    await app.inject("/");
    await app.close();
    expect(seen).toEqual([
      "enter outer",
      "enter inner",
      "leave inner",
      "leave outer",
      "onClose inner",
      "onClose outer",
    ]);
  });

  test("plugins registered from inside a plugin are sorted among themselves", async () => {
    const seen: string[] = [];
    const parent = definePlugin({
      name: "parent",
      register(app) {
        app.register(recorder(seen, "child-b", { after: ["child-a"] }));
        app.register(recorder(seen, "child-a"));
      },
    });
    await new Flagon({ configFile: false, plugins: [parent] }).ready();
    expect(seen).toEqual(["register child-a", "register child-b"]);
  });

  test("before / after must be lists of names", () => {
    expect(() => definePlugin({ name: "p", before: "cache" as never, register() {} })).toThrow(
      "before must be a list of plugin names",
    );
  });
});
