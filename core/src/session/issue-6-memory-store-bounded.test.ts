import "reflect-metadata";
// Issue 6 (RELIABILITY row 33, every internal structure keyed by input is bounded): the memory
// session store kept every session until its idle timeout (2 h by default) with no limit on their
// number — about 940 bytes each, measured in the fixture app of test/reliability — so a flood of
// new visitors on a page that writes the session grew the heap without bound. It now holds at
// most MEMORY_STORE_MAX_ENTRIES and drops the least recently saved session first.
import { afterEach, describe, expect, test } from "vitest";
import { MEMORY_STORE_MAX_ENTRIES, MemoryStore } from "./memory-store.js";

const stores: MemoryStore[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.disconnect();
});

function store(maxEntries: number): MemoryStore {
  const created = new MemoryStore(60_000, maxEntries);
  stores.push(created);
  return created;
}

describe("issue 6: the memory session store is bounded", () => {
  test("past maxEntries, the least recently saved entry is dropped", async () => {
    const s = store(3);
    for (const key of ["a", "b", "c", "d", "e"]) await s.set(key, key, 60_000);
    expect(s.size).toBe(3);
    expect(await s.get("a")).toBeUndefined();
    expect(await s.get("b")).toBeUndefined();
    expect(await s.get("e")).toBe("e");
  });

  test("saving a session again makes it the most recent: active sessions survive a flood", async () => {
    const s = store(3);
    await s.set("active", 1, 60_000);
    for (let i = 0; i < 1000; i++) {
      await s.set(`flood-${i}`, i, 60_000);
      if (i % 2 === 0) await s.set("active", i, 60_000); // the store backend re-saves on use
    }
    expect(s.size).toBe(3);
    expect(await s.get("active")).toBe(998);
  });

  test("the default bound: 100 000 sessions (~100 MB at ~1 KB each)", () => {
    expect(MEMORY_STORE_MAX_ENTRIES).toBe(100_000);
  });
});
