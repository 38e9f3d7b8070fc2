import { describe, expect, test } from "vitest";
import { orderPlugins } from "./plugin-order.js";

type P = {
  name: string;
  dependencies?: readonly string[];
  before?: readonly string[];
  after?: readonly string[];
};
const names = (list: P[]): string[] => orderPlugins(list, (p) => p).map((p) => p.name);

describe("orderPlugins", () => {
  test("keeps the given order when nothing constrains it", () => {
    expect(names([{ name: "c" }, { name: "a" }, { name: "b" }])).toEqual(["c", "a", "b"]);
  });

  test("moves only what has to move, transitively", () => {
    expect(
      names([
        { name: "x" },
        { name: "a", dependencies: ["b"] },
        { name: "y" },
        { name: "b", after: ["c"] },
        { name: "c" },
      ]),
    ).toEqual(["x", "c", "b", "a", "y"]);
  });

  test("before pulls the plugin ahead of the named one", () => {
    expect(names([{ name: "cache" }, { name: "other" }, { name: "auth", before: ["cache"] }])).toEqual([
      "auth",
      "cache",
      "other",
    ]);
  });

  test("unknown names are ignored", () => {
    expect(names([{ name: "a", before: ["nope"], after: ["nope2"], dependencies: ["nope3"] }])).toEqual([
      "a",
    ]);
  });

  test("a three-plugin cycle is named in registration direction", () => {
    // a needs b, b needs c, c needs a: "c before b before a before c".
    expect(() =>
      names([
        { name: "a", dependencies: ["b"] },
        { name: "b", dependencies: ["c"] },
        { name: "c", dependencies: ["a"] },
      ]),
    ).toThrow(/a → c → b → a/);
  });

  test("a plugin naming itself is no cycle", () => {
    expect(names([{ name: "a", before: ["a"] }])).toEqual(["a"]);
  });
});
