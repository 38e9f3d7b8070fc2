import { describe, expect, test } from "vitest";
import { ErrorCodes, FlagonError } from "../errors/codes.js";
import { envOverrides } from "./env.js";

function envError(env: NodeJS.ProcessEnv): FlagonError {
  let caught: unknown;
  try {
    envOverrides(env);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(FlagonError);
  expect((caught as FlagonError).code).toBe(ErrorCodes.INVALID_CONFIG);
  return caught as FlagonError;
}

describe("envOverrides: names", () => {
  test("FLAGON_ is stripped, __ nests, SNAKE_CASE becomes camelCase per segment", () => {
    const { config, sources } = envOverrides({
      FLAGON_CORS__MAX_AGE: "600",
      FLAGON_BODY_LIMIT: "5",
      FLAGON_SERVER__KEEP_ALIVE_TIMEOUT: "1000",
      FLAGON_ENV: "test",
    });
    expect(config).toEqual({
      cors: { maxAge: 600 },
      bodyLimit: 5,
      server: { keepAliveTimeout: 1000 },
      env: "test",
    });
    expect(sources).toEqual([
      [["bodyLimit"], "FLAGON_BODY_LIMIT"],
      [["env"], "FLAGON_ENV"],
      [["cors", "maxAge"], "FLAGON_CORS__MAX_AGE"],
      [["server", "keepAliveTimeout"], "FLAGON_SERVER__KEEP_ALIVE_TIMEOUT"],
    ]);
  });

  test("other variables are not read: NODE_ENV, lowercase prefixes, unset values", () => {
    expect(
      envOverrides({ NODE_ENV: "production", flagon_x: "1", FLAGONX: "1", FLAGON_Y: undefined }).config,
    ).toEqual({});
  });

  test.each(["FLAGON_", "FLAGON__X", "FLAGON_A____B", "FLAGON_A__", "FLAGON_A___B", "FLAGON___PROTO____X"])(
    "%s has an empty key: an error naming the variable",
    (name) => {
      expect(envError({ [name]: "1" }).message).toContain(name);
    },
  );

  test("constructor and prototype segments are ignored", () => {
    const { config } = envOverrides({
      FLAGON_CONSTRUCTOR__PROTOTYPE__POLLUTED: "1",
      FLAGON_A__PROTOTYPE: "1",
      FLAGON_OK: "1",
    });
    expect(config).toEqual({ ok: 1 });
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  test("FLAGON___PROTO____X=1 is refused and Object.prototype stays untouched", () => {
    envError({ FLAGON___PROTO____X: "1" });
    expect(({} as Record<string, unknown>)["x"]).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty("x");
  });

  test("JSON values cannot smuggle __proto__ in either", () => {
    const { config } = envOverrides({
      FLAGON_CORS: '{"__proto__": {"polluted": 1}, "a": [{"__proto__": 1}]}',
    });
    expect(config).toEqual({ cors: { a: [{}] } });
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });
});

describe("envOverrides: values", () => {
  test.each<[string, unknown]>([
    ["true", true],
    ["false", false],
    ["TRUE", "TRUE"],
    ["0", 0],
    ["600", 600],
    ["-5", -5],
    ["1.5", 1.5],
    ["-0.25", -0.25],
    ["007", "007"], // leading zeros: an id, a PIN, a zip code
    ["1e3", "1e3"],
    ["0x10", "0x10"],
    [" 5", " 5"],
    ["1.", "1."],
    ["12345678901234567890", "12345678901234567890"], // not a safe integer: kept exact, as text
    ["NaN", "NaN"],
    ["Infinity", "Infinity"],
    ["", ""],
    ["hello", "hello"],
    ["https://a.test", "https://a.test"],
    ['["a","b"]', ["a", "b"]],
    ['{"a":1,"b":{"c":true}}', { a: 1, b: { c: true } }],
    ["null", "null"],
  ])("%j → %j", (raw, value) => {
    expect(envOverrides({ FLAGON_X: raw }).config).toEqual({ x: value });
  });

  test("invalid JSON names the variable and the parser's reason", () => {
    const error = envError({ FLAGON_CORS__ORIGINS: "[https://a.test]" });
    expect(error.message).toContain("FLAGON_CORS__ORIGINS");
    expect(error.message).toContain("not valid JSON:");
  });

  test("invalid JSON in a secret never shows the value", () => {
    for (const name of [
      "FLAGON_AUTH__SECRET",
      "FLAGON_DB__PASSWORD",
      "FLAGON_SESSION__KEYS",
      "FLAGON_API_TOKEN",
    ]) {
      const error = envError({ [name]: "[hunter2-very-secret" });
      expect(error.message).toContain(name);
      expect(error.message).not.toContain("hunter2");
      expect(error.stack).not.toContain("hunter2");
    }
  });
});

describe("envOverrides: several variables", () => {
  test("a deeper variable refines an object given as JSON by a shallower one", () => {
    const { config } = envOverrides({
      FLAGON_CORS__MAX_AGE: "600",
      FLAGON_CORS: '{"maxAge": 1, "origins": ["a"]}',
    });
    expect(config).toEqual({ cors: { maxAge: 600, origins: ["a"] } });
  });

  test("a path through another variable's non-object value is a conflict naming both", () => {
    const error = envError({ FLAGON_CORS: "5", FLAGON_CORS__MAX_AGE: "600" });
    expect(error.message).toContain("FLAGON_CORS ");
    expect(error.message).toContain("FLAGON_CORS__MAX_AGE");
  });

  test("two spellings of one path are a conflict", () => {
    const error = envError({ FLAGON_BODY_LIMIT: "1", FLAGON_Body_Limit: "2" });
    expect(error.message).toContain("FLAGON_BODY_LIMIT");
    expect(error.message).toContain("FLAGON_Body_Limit");
  });
});
