import { describe, expect, test } from "vitest";
import { QueryArgs } from "./query-args.js";

describe("QueryArgs", () => {
  test("empty or missing source has no keys", () => {
    for (const args of [new QueryArgs(), new QueryArgs("")]) {
      expect(args.size).toBe(0);
      expect([...args.keys()]).toEqual([]);
      expect(args.get("a")).toBeUndefined();
      expect(args.getAll("a")).toEqual([]);
      expect(args.has("a")).toBe(false);
    }
  });

  test("get returns the first value, getAll every value in order", () => {
    const args = new QueryArgs("x=1&y=2&x=3&x=");
    expect(args.get("x")).toBe("1");
    expect(args.getAll("x")).toEqual(["1", "3", ""]);
    expect(args.get("y")).toBe("2");
    expect(args.getAll("y")).toEqual(["2"]);
  });

  test("getAll returns a copy", () => {
    const args = new QueryArgs("x=1&x=2");
    args.getAll("x").push("mutated");
    expect(args.getAll("x")).toEqual(["1", "2"]);
  });

  test("+ is a space and percent escapes are decoded, in keys and values", () => {
    const args = new QueryArgs("q=a+b%20c&na+me=%C3%A9&plus=%2B");
    expect(args.get("q")).toBe("a b c");
    expect(args.get("na me")).toBe("é");
    expect(args.get("plus")).toBe("+");
  });

  test("a key without = has an empty value and is present", () => {
    const args = new QueryArgs("flag&x=1");
    expect(args.has("flag")).toBe(true);
    expect(args.get("flag")).toBe("");
  });

  test("accepts a URLSearchParams", () => {
    const args = new QueryArgs(
      new URLSearchParams([
        ["a", "1"],
        ["a", "2"],
      ]),
    );
    expect(args.getAll("a")).toEqual(["1", "2"]);
  });

  test("keys in order of first appearance, size counts distinct keys", () => {
    const args = new QueryArgs("b=1&a=2&b=3&c=4");
    expect([...args.keys()]).toEqual(["b", "a", "c"]);
    expect(args.size).toBe(3);
  });

  test("entries yield every pair, each key's values together, keys in order of first appearance", () => {
    const args = new QueryArgs("b=1&a=2&b=3&c=4");
    expect([...args.entries()]).toEqual([
      ["b", "1"],
      ["b", "3"],
      ["a", "2"],
      ["c", "4"],
    ]);
    expect([...args]).toEqual([...args.entries()]);
  });

  test("__proto__, constructor and hasOwnProperty are plain data", () => {
    const args = new QueryArgs("__proto__=x&constructor=y&hasOwnProperty=z&toString=w");
    expect(args.get("__proto__")).toBe("x");
    expect(args.get("constructor")).toBe("y");
    expect(args.has("toString")).toBe(true);
    expect(args.has("valueOf")).toBe(false);
    expect(args.get("valueOf")).toBeUndefined();
    expect(Object.keys(Object.prototype)).toEqual([]);
  });

  describe("toObject", () => {
    test("one value → string, repeated key → array", () => {
      const obj = new QueryArgs("a=1&b=2&b=3").toObject();
      expect({ ...obj }).toEqual({ a: "1", b: ["2", "3"] });
    });

    test("is prototype-less", () => {
      const obj = new QueryArgs("a=1").toObject();
      expect(Object.getPrototypeOf(obj)).toBeNull();
      expect(obj["toString"]).toBeUndefined();
    });

    test("drops __proto__ but keeps constructor", () => {
      const obj = new QueryArgs("__proto__=x&__proto__=y&constructor=c&a=1").toObject();
      expect(Object.keys(obj)).toEqual(["constructor", "a"]);
      expect(Object.getPrototypeOf(obj)).toBeNull();
      expect(Object.getOwnPropertyDescriptor(obj, "__proto__")).toBeUndefined();
      // a careless merge cannot swap a prototype
      const target: Record<string, unknown> = {};
      Object.assign(target, obj);
      expect(Object.getPrototypeOf(target)).toBe(Object.prototype);
    });

    test("returned arrays are copies", () => {
      const args = new QueryArgs("b=2&b=3");
      (args.toObject()["b"] as string[]).push("mutated");
      expect(args.getAll("b")).toEqual(["2", "3"]);
    });

    test("keys in order of first appearance", () => {
      expect(Object.keys(new QueryArgs("z=1&a=2&z=3&m=4").toObject())).toEqual(["z", "a", "m"]);
    });
  });
});
