import { Keyv } from "keyv";
import { afterEach, describe, expect, test } from "vitest";
import { MemoryStore } from "./memory-store.js";

const stores: MemoryStore[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.disconnect();
});

describe("MemoryStore", () => {
  test("works as a Keyv store, with TTLs", async () => {
    const store = new MemoryStore();
    stores.push(store);
    const keyv = new Keyv({ store });
    await keyv.set("a", { x: 1 }, 50);
    await keyv.set("b", { x: 2 });
    expect(await keyv.get("a")).toEqual({ x: 1 });
    await new Promise((resolve) => setTimeout(resolve, 70));
    expect(await keyv.get("a")).toBeUndefined();
    expect(await keyv.get("b")).toEqual({ x: 2 });
    expect(await keyv.delete("b")).toBe(true);
    expect(await keyv.get("b")).toBeUndefined();
  });

  test("the sweep drops expired entries that are never read again", async () => {
    const store = new MemoryStore(20);
    stores.push(store);
    for (let i = 0; i < 1000; i += 1) await store.set(`k${i}`, "v", 10);
    await store.set("kept", "v", 60_000);
    expect(store.size).toBe(1001);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(store.size).toBe(1);
    expect(store.sweep(Date.now() + 120_000)).toBe(1);
  });
});
