import { describe, expect, test } from "vitest";
import { ErrorCodes, FlagonError } from "../errors/codes.js";
import { builtinConverters, type ConverterFactory, NO_MATCH } from "./converters.js";
import { buildPath, joinPath, type ParsedPath, parsePath, type Segment } from "./path.js";

const parse = (source: string): ParsedPath => parsePath(source, builtinConverters);

function codeOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(FlagonError);
    return { code: (error as FlagonError).code, message: (error as FlagonError).message };
  }
  throw new Error("expected a FlagonError, nothing was thrown");
}

/** Segments without the converter objects, for exact comparisons. */
function shape(parsed: ParsedPath): unknown[] {
  return parsed.segments.map((s: Segment) =>
    s.kind === "static" ? { static: s.text } : { param: s.name, key: s.key },
  );
}

describe("parsePath", () => {
  test("the root path has no segments and no trailing slash", () => {
    const p = parse("/");
    expect(p.segments).toEqual([]);
    expect(p.trailingSlash).toBe(false);
    expect(p.paramNames).toEqual([]);
    expect(p.source).toBe("/");
  });

  test("static and variable segments, in order", () => {
    const p = parse("/users/<int:id>/posts/<slug>");
    expect(shape(p)).toEqual([
      { static: "users" },
      { param: "id", key: "int():id" },
      { static: "posts" },
      { param: "slug", key: "default():slug" },
    ]);
    expect(p.paramNames).toEqual(["id", "slug"]);
    expect(p.trailingSlash).toBe(false);
  });

  test("a trailing slash is recorded, not turned into a segment", () => {
    const p = parse("/users/");
    expect(shape(p)).toEqual([{ static: "users" }]);
    expect(p.trailingSlash).toBe(true);
    expect(parse("/users").trailingSlash).toBe(false);
  });

  test("the converter of a variable is the named one, built with its arguments", () => {
    const p = parse("/n/<int(min=1, max=5):n>");
    const seg = p.segments[1];
    expect(seg?.kind).toBe("param");
    if (seg?.kind !== "param") return;
    expect(seg.converter.weight).toBe(50);
    expect(seg.converter.match("3")).toBe(3);
    expect(seg.converter.match("9")).toBe(NO_MATCH);
    // whitespace in the arguments does not change the key: equal variables share a router branch
    expect(seg.key).toBe("int(min=1,max=5):n");
  });

  test(":name is an alias of <name>", () => {
    const colon = parse("/users/:name");
    const angle = parse("/users/<name>");
    expect(shape(colon)).toEqual(shape(angle));
    expect(colon.paramNames).toEqual(["name"]);
    const seg = colon.segments[1];
    expect(seg?.kind === "param" && seg.converter.match("bob")).toBe("bob");
  });

  test("a colon not at the start of a segment is static text", () => {
    expect(shape(parse("/a:b"))).toEqual([{ static: "a:b" }]);
  });

  test("custom converters are looked up by name", () => {
    const slug: ConverterFactory = () => ({
      weight: 10,
      match: (t) => (/^[a-z-]+$/.test(t) ? t : NO_MATCH),
      toUrl: String,
    });
    const p = parsePath("/p/<slug:s>", { ...builtinConverters, slug });
    const seg = p.segments[1];
    expect(seg?.kind === "param" && seg.converter.weight).toBe(10);
  });

  describe("errors (FLAGON_ERR_BAD_PATH, naming the path)", () => {
    test.each([
      ["users", /must start with \//],
      ["", /must start with \//],
      ["/a//b", /empty segment/],
      ["//", /empty segment/],
      ["/a/x<id>", /exactly one variable/],
      ["/a/<id>x", /exactly one variable/],
      ["/a/<a><b>", /exactly one variable/],
      ["/a/<id", /exactly one variable/],
      ["/a/id>", /exactly one variable/],
      ["/a/<>", /exactly one variable/],
      ["/a/<int:>", /exactly one variable/],
      ["/a/<1x>", /exactly one variable/],
      ["/<id>/<int:id>", /variable "id" appears twice/],
      ["/:id/<id>", /variable "id" appears twice/],
      ["/<nope:x>", /unknown converter "nope"/],
      ["/<int(min=a):x>", /min must be a number/],
      ["/<int(size=3):x>", /no argument "size"/],
      ["/<any():x>", /at least one word/],
      ["/<int(n=1, 2):x>", /positional converter arguments must come first/],
      ["/:1bad", /not a valid :name/],
      ["/:", /not a valid :name/],
    ])("%s", (source, message) => {
      const { code, message: text } = codeOf(() => parse(source));
      expect(code).toBe(ErrorCodes.BAD_PATH);
      expect(text).toMatch(message);
      expect(text).toContain(`route path "${source}"`);
    });
  });
});

describe("joinPath", () => {
  test.each([
    ["/todos", "/", "/todos/"],
    ["/todos", "", "/todos"],
    ["/todos", "/<int:id>", "/todos/<int:id>"],
    ["/todos", "<int:id>", "/todos/<int:id>"],
    ["/todos/", "/x", "/todos/x"],
    ["/todos//", "/x", "/todos/x"],
    ["", "", "/"],
    ["", "/", "/"],
    ["", "/x", "/x"],
    ["/", "", "/"],
    ["/", "/", "/"],
    ["/", "/x/", "/x/"],
  ])("joinPath(%j, %j) → %j", (prefix, path, expected) => {
    expect(joinPath(prefix, path)).toBe(expected);
  });
});

describe("buildPath", () => {
  const build = (source: string, values: Record<string, unknown>): string => buildPath(parse(source), values);

  function buildError(source: string, values: Record<string, unknown>): string {
    const { code, message } = codeOf(() => build(source, values));
    expect(code).toBe(ErrorCodes.URL_BUILD);
    return message;
  }

  test("static paths, root and trailing slash", () => {
    expect(build("/", {})).toBe("/");
    expect(build("/about", {})).toBe("/about");
    expect(build("/users/", {})).toBe("/users/");
  });

  test("fills variables and keeps the trailing slash", () => {
    expect(build("/users/<int:id>", { id: 3 })).toBe("/users/3");
    expect(build("/dir/<name>/", { name: "bob" })).toBe("/dir/bob/");
    expect(build("/:a/and/:b", { a: "x", b: "y" })).toBe("/x/and/y");
  });

  test("percent-encodes string values, slashes included", () => {
    expect(build("/s/<x>", { x: "a b/c" })).toBe("/s/a%20b%2Fc");
    expect(build("/s/<x>", { x: "é?#" })).toBe("/s/%C3%A9%3F%23");
  });

  test("path values keep their slashes, each piece encoded", () => {
    expect(build("/p/<path:p>", { p: "a b/c/d" })).toBe("/p/a%20b/c/d");
    expect(build("/p/<path:p>/edit", { p: "x/y" })).toBe("/p/x/y/edit");
  });

  test("pads fixed_digits", () => {
    expect(build("/y/<int(fixed_digits=4):y>", { y: 7 })).toBe("/y/0007");
  });

  test("lower-case and upper-case uuids both build", () => {
    const id = "2F1C9F3E-8A4B-4C2D-9E6F-0123456789AB";
    expect(build("/u/<uuid:id>", { id })).toBe(`/u/${id}`);
  });

  test("refuses values the converter would not match", () => {
    expect(buildError("/i/<int:x>", { x: "abc" })).toMatch(/does not fit "x"/);
    expect(buildError("/i/<int:x>", { x: -1 })).toMatch(/does not fit/);
    expect(buildError("/i/<int:x>", { x: 1.5 })).toMatch(/does not fit/);
    expect(buildError("/i/<int(min=1,max=5):x>", { x: 6 })).toMatch(/does not fit/);
    expect(buildError("/y/<int(fixed_digits=2):y>", { y: 123 })).toMatch(/does not fit/);
    expect(buildError("/s/<string(length=2):c>", { c: "abc" })).toMatch(/does not fit/);
    expect(buildError("/s/<x>", { x: "" })).toMatch(/does not fit/);
    expect(buildError("/p/<path:p>", { p: "" })).toMatch(/does not fit/);
    expect(buildError("/u/<uuid:u>", { u: "not-a-uuid" })).toMatch(/does not fit/);
    expect(buildError("/a/<any(red,blue):c>", { c: "green" })).toMatch(/not one of red, blue/);
  });

  test("a missing (or null) value names the variable", () => {
    expect(buildError("/users/<int:id>", {})).toMatch(/needs a value for "id"/);
    expect(buildError("/users/<int:id>", { id: null })).toMatch(/needs a value for "id"/);
    expect(buildError("/users/<int:id>", { other: 1 })).toMatch(/route "\/users\/<int:id>"/);
  });

  test("a built URL matches back to the same values", () => {
    const p = parse("/x/<int(fixed_digits=3):n>/<name>/<path:rest>");
    const url = buildPath(p, { n: 5, name: "a b", rest: "c/d" });
    expect(url).toBe("/x/005/a%20b/c/d");
  });
});
