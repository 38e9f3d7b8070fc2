import { describe, expect, it } from "vitest";
import { evaluateRange } from "./range.js";

const full = { kind: "full" };
const none = { kind: "unsatisfiable" };
const part = (start: number, end: number) => ({ kind: "partial", start, end });

describe("evaluateRange (size 1024)", () => {
  it.each<[string | undefined, object]>([
    [undefined, full],
    ["bytes=0-9", part(0, 9)],
    ["bytes=0-0", part(0, 0)],
    ["BYTES=0-9", part(0, 9)],
    ["bytes= 0-9 ", part(0, 9)],
    ["bytes=1000-", part(1000, 1023)],
    ["bytes=1000-5000", part(1000, 1023)],
    ["bytes=-4", part(1020, 1023)],
    ["bytes=-5000", part(0, 1023)],
    ["bytes=1023-1023", part(1023, 1023)],
    ["bytes=99999999999999999999999-", none],
    ["bytes=0-99999999999999999999999", part(0, 1023)],
    // unsatisfiable
    ["bytes=1024-", none],
    ["bytes=2000-3000", none],
    ["bytes=-0", none],
    ["bytes=2000-3000,5000-", none],
    // several ranges: the whole file
    ["bytes=0-1,5-6", full],
    ["bytes=0-1, 2000-3000", full],
    ["bytes=0-1,", part(0, 1)],
    // malformed or other units: ignored
    ["bytes=", full],
    ["bytes=,", full],
    ["bytes=a-b", full],
    ["bytes=5-1", full],
    ["bytes=0-1,5-1", full],
    ["bytes=--1", full],
    ["bytes=1", full],
    ["bytes=+1-2", full],
    ["bytes=0x1-2", full],
    ["bytes=1.5-2", full],
    ["items=0-9", full],
    ["bytes 0-9", full],
    ["0-9", full],
    ["", full],
    [`bytes=${"0-1,".repeat(200)}`, full],
  ])("%j", (header, expected) => {
    expect(evaluateRange(header, 1024)).toEqual(expected);
  });

  it("an empty file ignores Range (nothing to point at)", () => {
    expect(evaluateRange("bytes=0-", 0)).toEqual(full);
    expect(evaluateRange("bytes=-1", 0)).toEqual(full);
  });

  it("stays fast on a 16 KB header of commas and digits", () => {
    const header = `bytes=${"1".repeat(16_000)}-`;
    expect(evaluateRange(header, 10)).toEqual(none);
    expect(evaluateRange(`bytes=${",".repeat(16_000)}`, 10)).toEqual(full);
  });
});
