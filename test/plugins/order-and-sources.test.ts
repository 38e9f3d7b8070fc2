// Review findings from writing the CORS plugin against the public API, each pinned here.
import "reflect-metadata";
import { describe, expect, test } from "vitest";
import { z } from "zod";
import { definePlugin, Flagon, FlagonError } from "@flagon/core";

function recorder(log: string[], name: string) {
  return definePlugin({
    name,
    register(app) {
      app.addHook("onRequest", () => {
        log.push(name);
      });
    },
  });
}

describe("plugin hooks take the place where the plugin was registered", () => {
  test("register(a); addHook(x); register(b) runs a, x, b — although plugins register during ready()", async () => {
    const log: string[] = [];
    const app = new Flagon({ configFile: false });
    app.register(recorder(log, "a"));
    app.addHook("onRequest", () => {
      log.push("app");
    });
    app.register(recorder(log, "b"));
    app.get("/", () => "ok");
    await app.inject("/");
    expect(log).toEqual(["a", "app", "b"]);
  });

  test("a plugin registered inside another runs its hooks within the parent's place", async () => {
    const log: string[] = [];
    const inner = recorder(log, "inner");
    const outer = definePlugin({
      name: "outer",
      register(app) {
        app.addHook("onRequest", () => {
          log.push("outer-before");
        });
        app.register(inner);
        app.addHook("onRequest", () => {
          log.push("outer-after");
        });
      },
    });
    const app = new Flagon({ configFile: false, plugins: [outer] });
    app.addHook("onRequest", () => {
      log.push("app");
    });
    app.get("/", () => "ok");
    await app.inject("/");
    expect(log).toEqual(["outer-before", "inner", "outer-after", "app"]);
  });
});

describe("config errors name where the bad value came from", () => {
  const strict = definePlugin({
    name: "strict",
    configKey: "strict",
    configSchema: z.object({ origins: z.array(z.string()) }).strict(),
    register() {},
  });

  async function failure(app: Flagon): Promise<FlagonError> {
    const error: unknown = await app.ready().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FlagonError);
    return error as FlagonError;
  }

  test("an unknown key set in code is reported as from code, not from the register options", async () => {
    const app = new Flagon({ configFile: false, config: { strict: { origins: [], origin: "x" } } });
    app.register(strict);
    const error = await failure(app);
    expect(error.code).toBe("FLAGON_ERR_INVALID_CONFIG");
    expect(error.message).toContain("(from code)");
    expect(error.message).not.toContain("options given to register");
  });

  test("a required key nobody set is reported as not set", async () => {
    const app = new Flagon({ configFile: false });
    app.register(strict);
    const error = await failure(app);
    expect(error.message).toContain("config.strict.origins");
    expect(error.message).toContain("(not set)");
  });
});

describe("app.matchRoute", () => {
  test("finds the route another method would reach, for hooks that run before routing", async () => {
    const app = new Flagon({ configFile: false });
    app.delete("/items/<int:id>", () => undefined, { endpoint: "drop" });
    await app.ready();
    expect(app.matchRoute("DELETE", "/items/3")?.endpoint).toBe("drop");
    expect(app.matchRoute("GET", "/items/3")).toBeUndefined();
    expect(app.matchRoute("DELETE", "/items/x")).toBeUndefined();
    expect(app.matchRoute("DELETE", "/items/%E0%A4%A")).toBeUndefined();
  });
});

describe("dependencies as the design's list form", () => {
  test('["name", "name@range"] is checked like the object form', async () => {
    const base = definePlugin({ name: "@acme/base", version: "1.4.0", register() {} });
    const ok = definePlugin({ name: "ok", dependencies: ["@acme/base@^1.2.0"], register() {} });
    const tooNew = definePlugin({ name: "too-new", dependencies: ["@acme/base@^2"], register() {} });
    const missing = definePlugin({ name: "missing", dependencies: ["flagon-plugin-absent"], register() {} });
    await expect(new Flagon({ configFile: false, plugins: [base, ok] }).ready()).resolves.toBeUndefined();
    await expect(new Flagon({ configFile: false, plugins: [base, tooNew] }).ready()).rejects.toMatchObject({
      code: "FLAGON_ERR_PLUGIN_VERSION",
    });
    await expect(new Flagon({ configFile: false, plugins: [base, missing] }).ready()).rejects.toMatchObject({
      code: "FLAGON_ERR_PLUGIN_DEPENDENCY",
    });
  });
});
