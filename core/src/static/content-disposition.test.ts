import { describe, expect, it } from "vitest";
import { contentDisposition } from "./content-disposition.js";

describe("contentDisposition", () => {
  it.each([
    ["data.bin", "inline", "inline; filename=data.bin"],
    ["report.pdf", "attachment", "attachment; filename=report.pdf"],
    ["my report.pdf", "attachment", 'attachment; filename="my report.pdf"'],
    ['a"b.txt', "attachment", 'attachment; filename="a\\"b.txt"'],
    ["100%.txt", "attachment", 'attachment; filename="100%.txt"'],
    ["dir/sub/x.txt", "inline", "inline; filename=x.txt"],
    ["..\\x.txt", "inline", "inline; filename=x.txt"],
    ["résumé.bin", "attachment", "attachment; filename=resume.bin; filename*=UTF-8''r%C3%A9sum%C3%A9.bin"],
    ["日本.txt", "attachment", "attachment; filename=.txt; filename*=UTF-8''%E6%97%A5%E6%9C%AC.txt"],
    ["日本", "attachment", "attachment; filename=download; filename*=UTF-8''%E6%97%A5%E6%9C%AC"],
    ["it's (1)*.txt", "attachment", `attachment; filename="it's (1)*.txt"`],
    ["a\r\nSet-Cookie: x=1.txt", "attachment", 'attachment; filename="aSet-Cookie: x=1.txt"'],
    ["", "attachment", "attachment"],
  ] as const)("%j", (name, type, expected) => {
    expect(contentDisposition(name, type)).toBe(expected);
  });

  it("encodes filename* with RFC 8187 attr-chars only", () => {
    const value = contentDisposition("ü'()*.txt", "attachment");
    expect(value).toContain("filename*=UTF-8''%C3%BC%27%28%29%2A.txt");
  });
});
