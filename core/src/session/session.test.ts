import { describe, expect, test } from "vitest";
import { FLASH_KEY, Session, type SessionControl } from "./session.js";

function control(): SessionControl & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    regenerate: () => (calls.push("regenerate"), Promise.resolve()),
    destroy: () => (calls.push("destroy"), Promise.resolve()),
  };
}

const open = (data: Record<string, unknown> = {}, isNew = false): Session =>
  new Session(data, isNew, control());

describe("Session", () => {
  test("get, set, has, delete, keys, clear", () => {
    const session = open({ a: 1 });
    expect(session.get("a")).toBe(1);
    expect(session.get("missing")).toBeUndefined();
    session.set("b", { nested: [1, 2] });
    expect(session.has("b")).toBe(true);
    expect(session.keys()).toEqual(["a", "b"]);
    expect(session.delete("a")).toBe(true);
    expect(session.delete("a")).toBe(false);
    session.set("b", undefined);
    expect(session.has("b")).toBe(false);
    session.set("c", 3);
    session.clear();
    expect(session.keys()).toEqual([]);
  });

  test("modified compares with what was loaded, including changes made in place", () => {
    const session = open({ cart: [1], user: "ada" });
    expect(session.modified).toBe(false);
    session.get<number[]>("cart")?.push(2);
    expect(session.modified).toBe(true);
    const other = open({ user: "ada" });
    other.set("user", "ada");
    expect(other.modified).toBe(false);
    other.set("user", "bob");
    other.set("user", "ada");
    expect(other.modified).toBe(false);
  });

  test("only JSON values", () => {
    const session = open();
    expect(() => session.set("f", () => 1)).toThrow(TypeError);
    expect(() => session.set("n", 1n)).toThrow(TypeError);
    expect(() => session.set("s", Symbol("x"))).toThrow(TypeError);
    expect(session.keys()).toEqual([]);
  });

  test("keys such as __proto__ are plain keys", () => {
    const session = open(JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>);
    expect(session.keys()).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    expect(JSON.parse(session.serialize())).toEqual(JSON.parse('{"__proto__": {"polluted": true}}'));
  });

  test("regenerate() and destroy() ask the store and mark the session for saving", async () => {
    const c = control();
    const session = new Session({ a: 1 }, false, c);
    await session.regenerate();
    expect(session.modified).toBe(true);
    expect(session.get("a")).toBe(1);
    await session.destroy();
    expect(session.keys()).toEqual([]);
    expect(c.calls).toEqual(["regenerate", "destroy"]);
  });

  test("after it was saved, changes throw instead of being lost", async () => {
    const session = open({ a: 1 });
    session.seal();
    expect(session.get("a")).toBe(1);
    expect(() => session.set("a", 2)).toThrow(/already saved/);
    expect(() => session.clear()).toThrow(/already saved/);
    expect(() => session.flash("x")).toThrow(/already saved/);
    await expect(session.regenerate()).rejects.toThrow(/already saved/);
    expect(session.flashes()).toEqual([]); // nothing to take: no change, no throw
  });
});

describe("flashes", () => {
  test("stored under _flashes as [category, message] pairs, default category 'message'", () => {
    const session = open();
    session.flash("Saved");
    session.flash("Oops", "error");
    expect(session.get(FLASH_KEY)).toEqual([
      ["message", "Saved"],
      ["error", "Oops"],
    ]);
  });

  test("taken once; repeated calls in the same request return them again", () => {
    const session = open({
      [FLASH_KEY]: [
        ["message", "a"],
        ["error", "b"],
      ],
    });
    expect(session.flashes()).toEqual(["a", "b"]);
    expect(session.has(FLASH_KEY)).toBe(false);
    expect(session.modified).toBe(true);
    expect(session.flashes({ withCategories: true })).toEqual([
      ["message", "a"],
      ["error", "b"],
    ]);
  });

  test("a category filter takes only the matching ones", () => {
    const session = open({
      [FLASH_KEY]: [
        ["error", "a"],
        ["info", "b"],
        ["error", "c"],
      ],
    });
    expect(session.flashes({ categories: ["error"] })).toEqual(["a", "c"]);
    expect(session.get(FLASH_KEY)).toEqual([["info", "b"]]);
    expect(session.flashes({ categories: ["warning"] })).toEqual([]);
    expect(session.flashes({ categories: ["info"], withCategories: true })).toEqual([["info", "b"]]);
    expect(session.has(FLASH_KEY)).toBe(false);
  });

  test("malformed stored flashes are ignored", () => {
    const session = open({ [FLASH_KEY]: [["ok", "fine"], "junk", [1, 2], ["a"]] });
    expect(session.flashes()).toEqual(["fine"]);
    expect(open({ [FLASH_KEY]: "junk" }).flashes()).toEqual([]);
  });

  test("flash() takes strings", () => {
    expect(() => open().flash(42 as unknown as string)).toThrow(TypeError);
  });
});
