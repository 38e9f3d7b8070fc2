import { describe, expect, test } from "vitest";
import { type CoreConfig, parseConfig } from "../config/schema.js";
import { FlagonError } from "../errors/codes.js";
import { checkSecrets, resolveSessionOptions } from "./options.js";

const LONG = "k".repeat(32);

function error(run: () => unknown): FlagonError {
  try {
    run();
  } catch (caught) {
    expect(caught).toBeInstanceOf(FlagonError);
    return caught as FlagonError;
  }
  throw new Error("expected a FlagonError");
}

const resolveConfig = (config: CoreConfig) => parseConfig(config).config;

describe("resolveSessionOptions", () => {
  test("defaults", () => {
    expect(resolveSessionOptions(undefined)).toEqual({
      cookieName: "session",
      store: "cookie",
      maxAge: 14 * 86400,
      idleTimeout: 7200,
      absoluteTimeout: 14 * 86400,
      sameSite: "lax",
      domain: undefined,
      path: "/",
      secure: "auto",
      storeTimeout: 200,
    });
  });

  test("accepts the documented forms", () => {
    expect(resolveSessionOptions({ store: { redis: "rediss://h:6380/1", namespace: "app" } }).store).toEqual({
      redis: "rediss://h:6380/1",
      namespace: "app",
    });
    expect(resolveSessionOptions({ sameSite: "none", secure: true }).sameSite).toBe("none");
    expect(resolveSessionOptions({ cookieName: "__Host-sid", secure: true }).cookieName).toBe("__Host-sid");
    expect(resolveSessionOptions({ idleTimeout: 0.5 }).idleTimeout).toBe(0.5);
  });

  test.each([
    [[], "session"],
    [{ store: { redis: "redis://h", db: 1 } }, "session.store.db"],
    [{ store: { redis: "redis://h", namespace: "" } }, "session.store.namespace"],
    [{ maxAge: Number.NaN }, "session.maxAge"],
    [{ absoluteTimeout: "1h" }, "session.absoluteTimeout"],
    [{ storeTimeout: 1.5 }, "session.storeTimeout"],
    [{ storeTimeout: 120_000 }, "session.storeTimeout"],
    [{ cookieName: "" }, "session.cookieName"],
    [{ cookieName: "a=b" }, "session.cookieName"],
    [{ cookieName: "__Secure-s" }, "session.cookieName"],
    [{ cookieName: "__Host-s", secure: true, path: "/app" }, "session.cookieName"],
    [{ sameSite: "Lax" }, "session.sameSite"],
    [{ path: "/a b" }, "session.path"],
    [{ domain: "" }, "session.domain"],
  ])("%j is refused, naming config.%s", (value, key) => {
    const caught = error(() => resolveSessionOptions(value));
    expect(caught.code).toBe("FLAGON_ERR_INVALID_CONFIG");
    expect(caught.message).toContain(`config.${key} must be`);
  });
});

describe("checkSecrets", () => {
  test("outside development: at least 32 characters, the value never shown", () => {
    for (const env of ["production", "test"]) {
      const caught = error(() => checkSecrets("s3cr3t-value", undefined, env));
      expect(caught.message).toContain("config.secretKey");
      expect(caught.message).toContain("(it has 12)");
      expect(caught.message).not.toContain("s3cr3t-value");
    }
    expect(() => checkSecrets(LONG, [LONG], "production")).not.toThrow();
    expect(() => checkSecrets("short", ["short"], "development")).not.toThrow();
  });

  test("fallbacks: a list of strings, each long enough, and only beside a secretKey", () => {
    expect(error(() => checkSecrets(LONG, "old", "production")).message).toContain(
      "config.secretKeyFallbacks",
    );
    expect(error(() => checkSecrets(LONG, [LONG, 7], "production")).message).toContain(
      "config.secretKeyFallbacks[1]",
    );
    expect(error(() => checkSecrets(LONG, [LONG, "old-key"], "production")).message).not.toContain("old-key");
    expect(error(() => checkSecrets(undefined, [LONG], "production")).message).toContain("config.secretKey");
  });

  test("a secret must be a non-empty string", () => {
    expect(error(() => checkSecrets(42, undefined, "development")).message).toContain("config.secretKey");
    expect(error(() => checkSecrets("", undefined, "development")).message).toContain("config.secretKey");
  });

  test("parseConfig runs the checks (env from the config)", () => {
    expect(() => resolveConfig({ env: "production", secretKey: "short" })).toThrow(/config\.secretKey/);
    expect(() =>
      resolveConfig({ env: "production", secretKey: LONG, session: { store: "memory" } }),
    ).not.toThrow();
    expect(() => resolveConfig({ env: "production", session: { bogus: 1 } as never })).toThrow(
      /session\.bogus/,
    );
  });
});
