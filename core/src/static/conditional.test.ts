import { describe, expect, it } from "vitest";
import {
  evaluatePreconditions,
  httpDate,
  ifRangeAllows,
  makeEtag,
  parseEntityTags,
  parseHttpDate,
  toSeconds,
  type Validators,
} from "./conditional.js";

const MTIME = Date.UTC(2024, 0, 2, 3, 4, 5) + 678;
const V: Validators = { etag: makeEtag(1024, MTIME), lastModified: toSeconds(MTIME) };
const LM = httpDate(V.lastModified as number);
const EARLIER = httpDate((V.lastModified as number) - 1000);
const LATER = httpDate((V.lastModified as number) + 1000);

const reader = (headers: Record<string, string>) => (name: string) => headers[name];
const pre = (headers: Record<string, string>, method = "GET", v = V) =>
  evaluatePreconditions(reader(headers), method, v);

describe("validators", () => {
  it("ETag is size and mtime in hex, quoted", () => {
    expect(makeEtag(1024, 1_700_000_000_123.9)).toBe(`"400-${(1_700_000_000_123).toString(16)}"`);
  });
  it("Last-Modified is an IMF-fixdate at second precision", () => {
    expect(LM).toBe("Tue, 02 Jan 2024 03:04:05 GMT");
    expect(parseHttpDate(LM)).toBe(V.lastModified);
    expect(parseHttpDate("Tuesday, 02-Jan-24 03:04:05 GMT")).toBe(V.lastModified);
    expect(parseHttpDate("Tue Jan  2 03:04:05 2024")).toBeDefined();
    expect(parseHttpDate("yesterday")).toBeUndefined();
    expect(parseHttpDate("x".repeat(100))).toBeUndefined();
  });
  it("parses entity-tag lists leniently", () => {
    expect(parseEntityTags("*")).toBe("*");
    expect(parseEntityTags(' "a" , W/"b",c,,"d,e"')).toEqual([
      { weak: false, opaque: '"a"' },
      { weak: true, opaque: '"b"' },
      { weak: false, opaque: '"c"' },
      { weak: false, opaque: '"d,e"' },
    ]);
    expect(parseEntityTags('"a", "unterminated')).toEqual([{ weak: false, opaque: '"a"' }]);
    expect(parseEntityTags("")).toEqual([]);
  });
});

describe("evaluatePreconditions (the 304 matrix)", () => {
  const etag = V.etag as string;
  it.each<[string, Record<string, string>, number]>([
    ["no conditionals", {}, 200],
    ["INM match", { "if-none-match": etag }, 304],
    ["INM mismatch", { "if-none-match": '"nope"' }, 200],
    ["INM in a list", { "if-none-match": `"x", ${etag}` }, 304],
    ["INM star", { "if-none-match": "*" }, 304],
    ["INM weak form of our tag (weak comparison)", { "if-none-match": `W/${etag}` }, 304],
    ["IMS equal", { "if-modified-since": LM }, 304],
    ["IMS newer", { "if-modified-since": LATER }, 304],
    ["IMS older", { "if-modified-since": EARLIER }, 200],
    ["IMS garbage", { "if-modified-since": "not a date" }, 200],
    ["INM mismatch beats IMS match", { "if-none-match": '"nope"', "if-modified-since": LATER }, 200],
    ["INM match beats IMS older", { "if-none-match": etag, "if-modified-since": EARLIER }, 304],
    ["If-Match match", { "if-match": etag }, 200],
    ["If-Match star", { "if-match": "*" }, 200],
    ["If-Match mismatch", { "if-match": '"nope"' }, 412],
    ["If-Match weak never matches", { "if-match": `W/${etag}` }, 412],
    ["IUS older", { "if-unmodified-since": EARLIER }, 412],
    ["IUS equal", { "if-unmodified-since": LM }, 200],
    ["If-Match beats IUS", { "if-match": etag, "if-unmodified-since": EARLIER }, 200],
  ])("%s", (_name, headers, expected) => {
    expect(pre(headers)).toBe(expected);
    expect(pre(headers, "HEAD")).toBe(expected);
  });

  it("unsafe methods get 412 where GET would get 304, and IMS is ignored for them", () => {
    expect(pre({ "if-none-match": V.etag as string }, "POST")).toBe(412);
    expect(pre({ "if-modified-since": LATER }, "POST")).toBe(200);
  });

  it("with validators switched off only * can match", () => {
    const off: Validators = { etag: undefined, lastModified: undefined };
    expect(pre({ "if-none-match": V.etag as string }, "GET", off)).toBe(200);
    expect(pre({ "if-modified-since": LATER }, "GET", off)).toBe(200);
    expect(pre({ "if-none-match": "*" }, "GET", off)).toBe(304);
  });
});

describe("ifRangeAllows", () => {
  it.each<[string | undefined, boolean]>([
    [undefined, true],
    [V.etag, true],
    [`W/${V.etag as string}`, false],
    ['"other"', false],
    [LM, true],
    [EARLIER, false],
    [LATER, false],
    ["garbage", false],
  ])("%j → %s", (value, expected) => {
    expect(ifRangeAllows(value, V)).toBe(expected);
  });
});
