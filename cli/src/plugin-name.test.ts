import { describe, expect, it } from "vitest";
import { camelCase, normalizePluginName, PluginNameError } from "./plugin-name.js";

describe("normalizePluginName", () => {
  it.each([
    ["x", "flagon-plugin-x", "x", "flagon-plugin-x", "x"],
    ["flagon-plugin-x", "flagon-plugin-x", "x", "flagon-plugin-x", "x"],
    ["rate-limit", "flagon-plugin-rate-limit", "rate-limit", "flagon-plugin-rate-limit", "rateLimit"],
    ["@acme/x", "@acme/flagon-plugin-x", "x", "flagon-plugin-x", "x"],
    ["@acme/flagon-plugin-x", "@acme/flagon-plugin-x", "x", "flagon-plugin-x", "x"],
    [
      "@my-org/open_api.v3",
      "@my-org/flagon-plugin-open_api.v3",
      "open_api.v3",
      "flagon-plugin-open_api.v3",
      "openApiV3",
    ],
    ["2fa", "flagon-plugin-2fa", "2fa", "flagon-plugin-2fa", "2fa"],
    ["  probe  ", "flagon-plugin-probe", "probe", "flagon-plugin-probe", "probe"],
  ])("%s → %s", (input, packageName, shortName, unscopedName, configKey) => {
    expect(normalizePluginName(input)).toEqual({ packageName, shortName, unscopedName, configKey });
  });

  it.each([
    ["", /empty/],
    ["   ", /empty/],
    ["Probe", /lower case/],
    ["@Acme/x", /scope .*lower case/],
    ["flagon-plugin-", /nothing after "flagon-plugin-"/],
    ["@acme/flagon-plugin-", /nothing after/],
    ["@acme", /scope but no name/],
    ["@/x", /scope .* is empty/],
    ["a/b", /contains "\/"/],
    ["@acme/a/b", /url-safe/],
    [".hidden", /must not start with "\." or "_"/],
    ["_x", /must not start with/],
    ["-x", /must start with a letter or a digit/],
    ["my plugin", /url-safe/],
    ["café", /url-safe/],
    ["x!", /url-safe/],
    ["x~y", /url-safe/],
    ["a".repeat(210), /longer than npm's 214/],
  ])("rejects %j", (input, message) => {
    expect(() => normalizePluginName(input)).toThrow(PluginNameError);
    expect(() => normalizePluginName(input)).toThrow(message);
  });
});

describe("camelCase", () => {
  it.each([
    ["probe", "probe"],
    ["rate-limit", "rateLimit"],
    ["a--b", "aB"],
    ["x-1", "x1"],
    ["open_api.v3", "openApiV3"],
  ])("%s → %s", (input, expected) => {
    expect(camelCase(input)).toBe(expected);
  });
});
