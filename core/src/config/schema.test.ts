import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { ErrorCodes, FlagonError } from "../errors/codes.js";
import { checkBodyLimit } from "../http/body.js";
import { type CoreConfig, parseConfig, type ResolvedConfig } from "./schema.js";

const resolveConfig = (config?: CoreConfig): ResolvedConfig => parseConfig(config).config;

const ENV_KEYS = ["NODE_ENV", "FLAGON_ENV"] as const;
let saved: Partial<Record<(typeof ENV_KEYS)[number], string>>;

beforeEach(() => {
  saved = {};
  for (const key of ENV_KEYS) {
    if (process.env[key] !== undefined) saved[key] = process.env[key];
    delete process.env[key];
  }
});

afterEach(() => {
  for (const key of ENV_KEYS) {
    const value = saved[key];
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

function configError(config: unknown): string {
  let caught: unknown;
  try {
    resolveConfig(config as CoreConfig);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(FlagonError);
  expect((caught as FlagonError).code).toBe(ErrorCodes.INVALID_CONFIG);
  return (caught as FlagonError).message;
}

describe("parseConfig defaults", () => {
  test("1 MiB body limit, 60 s / 120 s / 5 s / 10 s timeouts, the last-resort guard on", () => {
    const config = resolveConfig();
    expect(config.bodyLimit).toBe(1024 * 1024);
    expect(config.server).toEqual({
      headersTimeout: 60_000,
      requestTimeout: 120_000,
      keepAliveTimeout: 5_000,
      closeTimeout: 10_000,
      lastResortGuard: true,
    });
    expect(resolveConfig({})).toEqual(config);
  });

  test("given values are kept, other server keys still defaulted", () => {
    const config = resolveConfig({
      bodyLimit: 10,
      server: { keepAliveTimeout: 1_000, lastResortGuard: false },
    });
    expect(config.bodyLimit).toBe(10);
    expect(config.server).toEqual({
      headersTimeout: 60_000,
      requestTimeout: 120_000,
      keepAliveTimeout: 1_000,
      closeTimeout: 10_000,
      lastResortGuard: false,
    });
  });

  test("null or undefined values mean the default", () => {
    const config = resolveConfig({
      bodyLimit: null,
      server: { closeTimeout: null },
    } as unknown as CoreConfig);
    expect(config.bodyLimit).toBe(1024 * 1024);
    expect(config.server.closeTimeout).toBe(10_000);
  });

  test("a body limit of 0 is allowed (no body at all)", () => {
    expect(resolveConfig({ bodyLimit: 0 }).bodyLimit).toBe(0);
  });

  test("plugin sections and unknown top-level keys are passed through", () => {
    const config = resolveConfig({ cache: { url: "redis://x" }, logLevel: "debug" });
    expect(config["cache"]).toEqual({ url: "redis://x" });
    expect(config.logLevel).toBe("debug");
  });

  test("does not modify the given object", () => {
    const given: CoreConfig = { server: { headersTimeout: 1_000 } };
    resolveConfig(given);
    expect(given).toEqual({ server: { headersTimeout: 1_000 } });
  });
});

describe("env", () => {
  test("production when nothing says otherwise", () => {
    expect(resolveConfig().env).toBe("production");
  });

  test.each(["development", "test", "production"] as const)("NODE_ENV=%s", (value) => {
    process.env["NODE_ENV"] = value;
    expect(resolveConfig().env).toBe(value);
  });

  test("an unknown NODE_ENV falls back to production", () => {
    process.env["NODE_ENV"] = "staging";
    expect(resolveConfig().env).toBe("production");
  });

  test("FLAGON_ENV wins over NODE_ENV", () => {
    process.env["NODE_ENV"] = "test";
    process.env["FLAGON_ENV"] = "development";
    expect(resolveConfig().env).toBe("development");
  });

  test("config.env wins over the environment", () => {
    process.env["NODE_ENV"] = "development";
    process.env["FLAGON_ENV"] = "development";
    expect(resolveConfig({ env: "production" }).env).toBe("production");
  });

  test("an invalid config.env names the key", () => {
    expect(configError({ env: "prod" })).toMatch(/config\.env must be/);
  });
});

describe("invalid values name their key", () => {
  test.each([["abc"], [Number.NaN], [-1], [1.5], [Infinity], [2 ** 53], ["1024"]])(
    "bodyLimit %j",
    (bodyLimit) => {
      expect(configError({ bodyLimit })).toMatch(/config\.bodyLimit must be a whole number of bytes/);
    },
  );

  test("checkBodyLimit names the key it was given (for per-route limits)", () => {
    expect(checkBodyLimit("routes.upload.bodyLimit", 5)).toBe(5);
    let caught: unknown;
    try {
      checkBodyLimit("routes.upload.bodyLimit", -5);
    } catch (error) {
      caught = error;
    }
    expect((caught as FlagonError).code).toBe(ErrorCodes.INVALID_CONFIG);
    expect((caught as FlagonError).message).toMatch(/config\.routes\.upload\.bodyLimit/);
  });

  test.each(["headersTimeout", "requestTimeout", "keepAliveTimeout", "closeTimeout"])(
    "server.%s of 0, negative, fractional, NaN, Infinity or a string",
    (key) => {
      for (const value of [0, -1, 1.5, Number.NaN, Infinity, "1000"]) {
        const server: Record<string, unknown> = { [key]: value };
        // keep headersTimeout <= requestTimeout so the key under test is the one reported
        if (key === "requestTimeout" && typeof value === "number" && value > 0) server["headersTimeout"] = 1;
        expect(configError({ server }), `${key}=${String(value)}`).toMatch(
          new RegExp(`config\\.server\\.${key} must be a positive whole number of milliseconds`),
        );
      }
    },
  );

  test("headersTimeout above requestTimeout is an error naming headersTimeout", () => {
    expect(configError({ server: { headersTimeout: 5_000, requestTimeout: 1_000 } })).toMatch(
      /config\.server\.headersTimeout must be at most server\.requestTimeout \(1000\), got 5000/,
    );
    // against the default request timeout too
    expect(configError({ server: { headersTimeout: 200_000 } })).toMatch(/config\.server\.headersTimeout/);
    // equal is fine
    expect(
      resolveConfig({ server: { headersTimeout: 1_000, requestTimeout: 1_000 } }).server.headersTimeout,
    ).toBe(1_000);
  });

  test("an unknown server key is an error naming it (no insecureHTTPParser)", () => {
    expect(configError({ server: { insecureHTTPParser: true } })).toMatch(
      /config\.server\.insecureHTTPParser must be one of/,
    );
    expect(configError({ server: { keepAlive: 5 } })).toMatch(/config\.server\.keepAlive/);
  });

  test("server must be an object", () => {
    expect(configError({ server: "fast" })).toMatch(/config\.server must be an object/);
  });

  test("lastResortGuard must be a boolean", () => {
    expect(configError({ server: { lastResortGuard: "yes" } })).toMatch(
      /config\.server\.lastResortGuard must be a boolean/,
    );
  });

  test.each(["example.com", "example.com:8080", "localhost", "my_host.internal:1"])(
    "serverName %s is accepted",
    (name) => {
      expect(resolveConfig({ serverName: name }).serverName).toBe(name);
    },
  );

  test.each([
    "http://example.com",
    "example.com/",
    "a b",
    "",
    "example.com:",
    "example.com:80x",
    "evil.com\r\nX: y",
    42,
  ])("serverName %j is refused", (serverName) => {
    expect(configError({ serverName })).toMatch(/config\.serverName must be a host name/);
  });

  test("preferredScheme is http or https", () => {
    expect(resolveConfig({ preferredScheme: "https" }).preferredScheme).toBe("https");
    expect(resolveConfig({ preferredScheme: "http" }).preferredScheme).toBe("http");
    for (const preferredScheme of ["ftp", "HTTPS", ""]) {
      expect(configError({ preferredScheme })).toMatch(/config\.preferredScheme must be "http" or "https"/);
    }
  });

  test("the message shows the bad value", () => {
    expect(configError({ bodyLimit: "abc" })).toMatch(/got "abc"$/);
    expect(configError({ bodyLimit: -1 })).toMatch(/got -1$/);
  });
});

describe("parseConfig over a previous parse (new Flagon(), then ready())", () => {
  test("a section with the same inputs keeps its compiled value; a changed one is parsed again", () => {
    const code: CoreConfig = { trustProxy: ["loopback"], securityHeaders: { "x-frame-options": "DENY" } };
    const first = parseConfig(code);
    const second = parseConfig({ ...code, securityHeaders: false }, first);
    expect(second.settings.trustProxy).toBe(first.settings.trustProxy);
    expect(second.settings.securityHeaders).not.toBe(first.settings.securityHeaders);
    expect(second.settings.securityHeaders.headersFor("text/html", "https")).toEqual({});
  });

  test("a value changed in place after the first parse counts as changed", () => {
    const trustProxy = ["10.0.0.1"];
    const first = parseConfig({ trustProxy });
    trustProxy.push("not-an-address");
    expect(() => parseConfig({ trustProxy }, first)).toThrow(/config\.trustProxy/);
  });

  test("env is parsed again when NODE_ENV changed in between (a .env file may set it)", () => {
    const first = parseConfig({ templates: {} });
    expect(first.settings.templates.cache).toBe(true);
    process.env["NODE_ENV"] = "development";
    const second = parseConfig({ templates: {} }, first);
    expect(second.settings.env).toBe("development");
    expect(second.settings.templates.cache).toBe(false);
  });
});
