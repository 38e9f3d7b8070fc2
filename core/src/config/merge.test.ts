import { describe, expect, test } from "vitest";
import { ErrorCodes, FlagonError } from "../errors/codes.js";
import { isPlainObject, mergeConfig } from "./merge.js";

describe("mergeConfig", () => {
  test("plain objects merge key by key, at every depth", () => {
    const base = { a: 1, cors: { origins: ["x"], maxAge: 1 } };
    const override = { b: 2, cors: { maxAge: 600 } };
    expect(mergeConfig(base, override)).toEqual({ a: 1, b: 2, cors: { origins: ["x"], maxAge: 600 } });
  });

  test("arrays and other values replace, they are not merged", () => {
    expect(mergeConfig({ list: [1, 2, 3] }, { list: [9] })).toEqual({ list: [9] });
    expect(mergeConfig({ cors: { maxAge: 1 } }, { cors: false })).toEqual({ cors: false });
    expect(mergeConfig({ cors: false }, { cors: { maxAge: 1 } })).toEqual({ cors: { maxAge: 1 } });
    expect(mergeConfig({ a: 1 }, { a: null })).toEqual({ a: null });
    expect(mergeConfig({ a: 1 }, 5)).toBe(5);
  });

  test("an undefined in the override keeps the base value", () => {
    expect(mergeConfig({ a: 1, b: { c: 2 } }, { a: undefined, b: undefined })).toEqual({ a: 1, b: { c: 2 } });
    expect(mergeConfig({ a: 1 }, undefined)).toEqual({ a: 1 });
  });

  test("class instances, dates and maps are single values, shared and not cloned", () => {
    class Store {
      items = new Map<string, number>();
    }
    const store = new Store();
    const when = new Date(0);
    const merged = mergeConfig({ cache: { store: { x: 1 } } }, { cache: { store }, when }) as {
      cache: { store: Store };
      when: Date;
    };
    expect(merged.cache.store).toBe(store);
    expect(merged.when).toBe(when);
  });

  test("never mutates its inputs, and returns fresh plain objects", () => {
    const base = { cors: { origins: ["x"] }, nested: { deep: { v: 1 } } };
    const override = { cors: { maxAge: 1 } };
    const before = structuredClone({ base, override });
    const merged = mergeConfig(base, override) as typeof base & typeof override;
    expect({ base, override }).toEqual(before);
    expect(merged.cors).not.toBe(base.cors);
    expect(merged.nested).not.toBe(base.nested);
    expect(merged.nested.deep).not.toBe(base.nested.deep);
    expect(Object.getPrototypeOf(merged.nested)).toBe(Object.prototype);
    merged.nested.deep.v = 2;
    expect(base.nested.deep.v).toBe(1);
  });

  test("null-prototype objects merge like literals and come out as ordinary objects", () => {
    const base = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 });
    const merged = mergeConfig(base, { b: 2 });
    expect(merged).toEqual({ a: 1, b: 2 });
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
  });

  test("__proto__, constructor and prototype keys are skipped at every depth", () => {
    const hostile = JSON.parse(
      '{"__proto__": {"polluted": 1}, "constructor": {"prototype": {"polluted": 1}}, "a": {"__proto__": {"polluted": 1}, "prototype": 1, "ok": 1}}',
    ) as Record<string, unknown>;
    const merged = mergeConfig({}, hostile) as Record<string, unknown>;
    expect(merged).toEqual({ a: { ok: 1 } });
    expect(Object.keys(merged)).toEqual(["a"]);
    expect(Object.hasOwn(merged, "__proto__")).toBe(false);
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    expect(mergeConfig(hostile, {})).toEqual({ a: { ok: 1 } });
  });

  test("a circular config is a FLAGON_ERR_INVALID_CONFIG naming where, not a stack overflow", () => {
    const loop: Record<string, unknown> = { a: 1 };
    loop["self"] = { back: loop };
    let caught: unknown;
    try {
      mergeConfig({}, { db: loop });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FlagonError);
    expect((caught as FlagonError).code).toBe(ErrorCodes.INVALID_CONFIG);
    expect((caught as FlagonError).message).toContain("config.db.self.back");
  });

  test("a shared (not circular) object is fine", () => {
    const shared = { v: 1 };
    expect(mergeConfig({}, { a: shared, b: shared })).toEqual({ a: { v: 1 }, b: { v: 1 } });
  });
});

describe("isPlainObject", () => {
  test("literals and null-prototype objects only", () => {
    expect(isPlainObject({})).toBe(true);
    expect(isPlainObject(Object.create(null))).toBe(true);
    expect(isPlainObject([])).toBe(false);
    expect(isPlainObject(new Date())).toBe(false);
    expect(isPlainObject(new (class {})())).toBe(false);
    expect(isPlainObject(null)).toBe(false);
    expect(isPlainObject(() => ({}))).toBe(false);
  });
});
