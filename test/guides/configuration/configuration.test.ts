// The code of docs/configuration.md, run as the guide says it behaves.
import "reflect-metadata";
import { afterEach, describe, expect, test, vi } from "vitest";
import { createApp } from "./app.js";

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("docs/configuration.md: layers", () => {
  test("the config file is found in root; app.config is the merged result", async () => {
    const app = createApp();
    await app.ready();
    expect(app.config.bodyLimit).toBe(2_000_000);
    expect((await app.inject("/greet")).body).toBe("Hello");
  });

  test("an environment variable wins over the file; numbers are coerced", async () => {
    vi.stubEnv("FLAGON_GREETING__TIMES", "3");
    vi.stubEnv("FLAGON_BODY_LIMIT", "5000");
    const app = createApp();
    await app.ready();
    expect(app.config.bodyLimit).toBe(5000);
    expect((await app.inject("/greet")).body).toBe("Hello Hello Hello");
  });

  test("config given in code wins over both", async () => {
    vi.stubEnv("FLAGON_BODY_LIMIT", "5000");
    const app = createApp({ config: { bodyLimit: 100 } });
    await app.ready();
    expect(app.config.bodyLimit).toBe(100);
  });

  test("configFile: false reads no file", async () => {
    const app = createApp({ configFile: false });
    await app.ready();
    expect(app.config.bodyLimit).toBe(1_048_576);
    expect((await app.inject("/greet")).body).toBe("Hi");
  });
});

describe("docs/configuration.md: a plugin's validated section", () => {
  test("app.config.greeting and app.pluginOptions show the schema's output", async () => {
    const app = createApp();
    await app.ready();
    expect(app.pluginOptions("flagon-plugin-greeting")).toEqual({ word: "Hello", times: 1 });
    expect(app.config.greeting).toEqual({ word: "Hello", times: 1 });
  });

  test("a value that fails the schema stops start-up, naming the key and its source", async () => {
    vi.stubEnv("FLAGON_GREETING__TIMES", "0");
    const app = createApp();
    const error = await app.ready().then(
      () => undefined,
      (e: unknown) => e as Error & { code: string },
    );
    expect(error?.code).toBe("FLAGON_ERR_INVALID_CONFIG");
    expect(error?.message).toContain("config.greeting.times");
    expect(error?.message).toContain("FLAGON_GREETING__TIMES");
  });
});

describe("docs/configuration.md: env and secrets", () => {
  test("env comes from config.env, else FLAGON_ENV or NODE_ENV, else production", async () => {
    vi.stubEnv("NODE_ENV", undefined);
    vi.stubEnv("FLAGON_ENV", undefined);
    const app = createApp();
    await app.ready();
    expect(app.config.env).toBe("production");
    vi.stubEnv("FLAGON_ENV", "development");
    const dev = createApp();
    await dev.ready();
    expect(dev.config.env).toBe("development");
  });

  test("outside development a secretKey shorter than 32 characters is refused", async () => {
    expect(() => createApp({ config: { env: "production", secretKey: "too short" } })).toThrow(
      /config.secretKey must be at least 32 characters outside development/,
    );
    vi.stubEnv("FLAGON_SECRET_KEY", "too short");
    const app = createApp({ config: { env: "production" } });
    await expect(app.ready()).rejects.toMatchObject({ code: "FLAGON_ERR_INVALID_CONFIG" });
  });

  test("FLAGON_SECRET_KEY sets secretKey; fallbacks come as a JSON list", async () => {
    vi.stubEnv("FLAGON_SECRET_KEY", "k".repeat(32));
    vi.stubEnv("FLAGON_SECRET_KEY_FALLBACKS", JSON.stringify(["o".repeat(32)]));
    const app = createApp({ config: { env: "production" } });
    await app.ready();
    expect(app.config.secretKey).toBe("k".repeat(32));
    expect(app.config.secretKeyFallbacks).toEqual(["o".repeat(32)]);
  });
});
