import { describe, expect, test } from "vitest";
import { z } from "zod";
import { Flagon, definePlugin, json, type AppState } from "@flagon/core";

// Seam 8 (plugin options) and seam 10 (health) through the public API: app.state and the /healthz recipe of docs/plugins.md.

function healthz(app: Flagon): void {
  app.get("/healthz", () => json({ state: app.state }, { status: app.state === "ready" ? 200 : 503 }));
}

describe("app.state", () => {
  test("starting → ready → closing → closed", async () => {
    const seen: AppState[] = [];
    const app = new Flagon({
      configFile: false,
      plugins: [
        definePlugin({
          name: "watcher",
          register(app) {
            seen.push(app.state);
            app.addHook("onReady", () => void seen.push(app.state));
            app.addHook("onClose", () => void seen.push(app.state));
          },
        }),
      ],
    });
    expect(app.state).toBe("starting");
    await app.build();
    expect(app.state).toBe("starting");
    await app.ready();
    expect(app.state).toBe("ready");
    const closing = app.close();
    expect(app.state).toBe("closing");
    await closing;
    expect(app.state).toBe("closed");
    expect(seen).toEqual(["starting", "starting", "closing"]);
  });

  test("a failed start stays starting", async () => {
    const app = new Flagon({ configFile: false });
    app.addHook("onReady", () => {
      throw new Error("no database");
    });
    await expect(app.ready()).rejects.toThrow("no database");
    expect(app.state).toBe("starting");
  });
});

describe("the /healthz recipe", () => {
  test("200 when ready; 503 for a request still running when close() begins", async () => {
    const app = new Flagon({ configFile: false });
    healthz(app);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    app.get("/slow-health", async () => {
      await gate;
      return json({ state: app.state }, { status: app.state === "ready" ? 200 : 503 });
    });
    const ok = await app.inject("/healthz");
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ state: "ready" });
    const pending = app.inject("/slow-health");
    await new Promise((resolve) => setTimeout(resolve, 10));
    const closing = app.close();
    release();
    const late = await pending;
    expect(late.statusCode).toBe(503);
    expect(late.json()).toEqual({ state: "closing" });
    await closing;
  });
});

describe("validated plugin options", () => {
  const cache = definePlugin<{ ttl: number; prefix: string }>({
    name: "cache",
    configKey: "cache",
    configSchema: z.object({ ttl: z.coerce.number().default(60), prefix: z.string().default("c:") }),
    register(app, options) {
      // register gets the validated, defaulted options, as pluginOptions does
      expect(options).toEqual({ ttl: 30, prefix: "c:" });
      expect(app.pluginOptions("cache")).toEqual(options);
    },
  });

  test("app.pluginOptions(name) and app.config.<configKey> show what the schema produced", async () => {
    const app = new Flagon({ configFile: false, config: { cache: { ttl: "30" } }, plugins: [cache] });
    expect(app.pluginOptions("cache")).toBeUndefined();
    await app.ready();
    expect(app.pluginOptions<{ ttl: number; prefix: string }>("cache")).toEqual({ ttl: 30, prefix: "c:" });
    expect(app.config["cache"]).toEqual({ ttl: 30, prefix: "c:" });
    expect(app.pluginOptions("not-installed")).toBeUndefined();
    await app.close();
  });
});

describe("requires", () => {
  const auth = definePlugin({ name: "auth", requires: ["sessions"], register() {} });

  test('requires: ["sessions"] makes the secret key mandatory at start-up, as a session section does', async () => {
    const app = new Flagon({ configFile: false, config: { env: "production" }, plugins: [auth] });
    await expect(app.ready()).rejects.toMatchObject({
      code: "FLAGON_ERR_INVALID_CONFIG",
      message: expect.stringContaining("config.secretKey must be set to use sessions") as unknown,
    });
    const without = new Flagon({ configFile: false, config: { env: "production" } });
    await without.ready(); // no plugin requires sessions: start-up does not ask for the key
    await without.close();
    const keyed = new Flagon({
      configFile: false,
      config: { env: "production", secretKey: "k".repeat(40) },
      plugins: [auth],
    });
    await keyed.ready();
    await keyed.close();
  });

  test("an unknown feature stops start-up, naming the plugin", async () => {
    const odd = definePlugin({ name: "odd", requires: ["telepathy" as "sessions"], register() {} });
    const app = new Flagon({ configFile: false, plugins: [odd] });
    await expect(app.ready()).rejects.toMatchObject({
      code: "FLAGON_ERR_PLUGIN_REQUIRES",
      message: expect.stringContaining('plugin odd requires unknown core feature "telepathy"') as unknown,
    });
  });

  test('requires: ["templates"] needs the template folder', async () => {
    const mailer = definePlugin({ name: "mailer", requires: ["templates"], register() {} });
    const app = new Flagon({ configFile: false, root: "/nonexistent-flagon-root", plugins: [mailer] });
    await expect(app.ready()).rejects.toMatchObject({
      code: "FLAGON_ERR_PLUGIN_REQUIRES",
      message: expect.stringContaining("plugin mailer requires templates") as unknown,
    });
  });
});
