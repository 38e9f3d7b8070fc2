import path from "node:path";
import { describe, expect, test } from "vitest";
import { isAutoescaped, resolveInFolder, templateContentType, templateSegments } from "./names.js";

describe("template names", () => {
  test("relative /-separated names are split into segments", () => {
    expect(templateSegments("page.html")).toEqual(["page.html"]);
    expect(templateSegments("admin/users/list.html")).toEqual(["admin", "users", "list.html"]);
    expect(templateSegments("..hidden.html")).toEqual(["..hidden.html"]);
  });

  test.each([
    "",
    "/abs.html",
    "a/../b",
    "..",
    "./a",
    "a/./b",
    "a//b",
    "a/",
    "a\\b",
    "a\0b",
    "C:/x",
    "x".repeat(1025),
  ])("%j is refused", (name) => {
    expect(templateSegments(name)).toBeUndefined();
  });

  test("resolveInFolder stays inside the folder", () => {
    const folder = path.resolve("/srv/app/templates");
    expect(resolveInFolder(folder, "a/b.html")).toBe(path.join(folder, "a", "b.html"));
    expect(resolveInFolder(folder, "../app.ts")).toBeUndefined();
  });
});

describe("by extension", () => {
  test.each([
    ["a.html", true, "text/html; charset=utf-8"],
    ["a.HTM", true, "text/html; charset=utf-8"],
    ["a.xhtml", true, "application/xhtml+xml; charset=utf-8"],
    ["a.njk", true, "text/html; charset=utf-8"],
    ["a.xml", true, "application/xml; charset=utf-8"],
    ["a.svg", true, "image/svg+xml; charset=utf-8"],
    ["a.txt", false, "text/plain; charset=utf-8"],
    ["a.json", false, "application/json; charset=utf-8"],
    ["a.css", false, "text/css; charset=utf-8"],
    ["a.shtml", true, "text/html; charset=utf-8"],
    ["a.rss", true, "application/rss+xml; charset=utf-8"],
    ["a.js", false, "text/javascript; charset=utf-8"],
    ["dir.d/noext", false, "text/plain; charset=utf-8"],
    ["a.weird-ext", false, "text/plain; charset=utf-8"],
  ])("%s: autoescape %s, %s", (name, escaped, type) => {
    expect(isAutoescaped(name)).toBe(escaped);
    expect(templateContentType(name)).toBe(type);
  });
});
