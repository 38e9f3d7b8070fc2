// Issue 6 (RELIABILITY row 9): `path` converters made the router try every way to split a URL
// between them. `/<path:a>/x/<path:b>/y` against 8,000 segments of "x" took 7.9 s for one
// request. The search is now bounded: these tests count converter calls, not milliseconds.
import { describe, expect, test } from "vitest";
import { HttpError } from "../errors/http-errors.js";
import { builtinConverters, type ConverterFactory, NO_MATCH } from "./converters.js";
import { parsePath } from "./path.js";
import { MAX_SEGMENTS, type MatchResult, Router } from "./router.js";

/** The builtin path converter, counting its calls. */
function counting(): { factory: ConverterFactory; calls: () => number } {
  let calls = 0;
  const factory: ConverterFactory = () => ({
    weight: 200,
    multiSegment: true,
    match: (text) => {
      calls += 1;
      return text.length > 0 && !text.startsWith("/") ? text : NO_MATCH;
    },
    toUrl: String,
  });
  return { factory, calls: () => calls };
}

function routerFor(...paths: string[]): { router: Router<string>; calls: () => number } {
  const { factory, calls } = counting();
  const converters = { ...builtinConverters, path: factory };
  const router = new Router<string>();
  for (const path of paths) router.add(parsePath(path, converters), "GET", path);
  return { router, calls };
}

function outcome(router: Router<string>, url: string): MatchResult<string> | number {
  try {
    return router.match("GET", url);
  } catch (error) {
    if (error instanceof HttpError) return error.status;
    throw error;
  }
}

const segments = (n: number, text = "x"): string => `/${Array.from({ length: n }, () => text).join("/")}`;

describe("issue 6: path converters cannot make routing quadratic", () => {
  test("a path converter followed by fixed segments tries one split, not all of them", () => {
    const { router, calls } = routerFor("/<path:a>/x/<path:b>/y");
    // No "x" to stop at: one call per end of `a`, never one for `b` — linear, not 1000² / 2.
    expect(outcome(router, segments(1000, "s"))).toEqual({ kind: "none" });
    expect(calls()).toBeLessThanOrEqual(1000);
    // An "x" after every segment (the old 7.9 s case): the budget ends it, still linear.
    expect(outcome(router, segments(1000))).toBe(414);
    expect(calls()).toBeLessThanOrEqual(1000 + 1024 + 2 * 1000);
  });

  test("three path converters in a row: the step budget ends the search with a 414", () => {
    const { router, calls } = routerFor("/<path:a>/<path:b>/<path:c>/z");
    expect(outcome(router, `${segments(1000)}/w`)).toBe(414);
    expect(calls()).toBeLessThanOrEqual(1024 + 2 * 1001);
  });

  test("matches are unchanged: the shortest first value that lets the rest match", () => {
    const { router } = routerFor("/<path:a>/x/<path:b>/y", "/p/<path:rest>", "/d/<path:rest>/");
    expect(outcome(router, "/a/b/x/c/d/y")).toMatchObject({ kind: "found", params: { a: "a/b", b: "c/d" } });
    expect(outcome(router, "/a/x/b/x/c/y")).toMatchObject({ kind: "found", params: { a: "a", b: "b/x/c" } });
    expect(outcome(router, "/p/a/b/")).toMatchObject({ kind: "found", params: { rest: "a/b/" } });
    // Issue 6 too: a path converter before a trailing-slash route redirected to a 404.
    expect(outcome(router, "/d/a/b")).toEqual({ kind: "redirect", path: "/d/a/b/" });
    expect(outcome(router, "/d/a/b/")).toMatchObject({ kind: "found", params: { rest: "a/b" } });
    const long = `${segments(1000, "s")}/x/t/y`;
    expect(outcome(router, long)).toMatchObject({ kind: "found", params: { b: "t" } });
  });

  test(`more than ${MAX_SEGMENTS} segments is a 414 before any segment is decoded`, () => {
    const { router, calls } = routerFor("/<path:p>");
    expect(outcome(router, segments(MAX_SEGMENTS))).toMatchObject({ kind: "found" });
    expect(outcome(router, segments(MAX_SEGMENTS + 1))).toBe(414);
    // Refused before decoding: malformed escapes are never looked at (414, not 400).
    expect(outcome(router, `${segments(MAX_SEGMENTS)}/%zz`)).toBe(414);
    expect(outcome(router, segments(MAX_SEGMENTS + 1, "%zz"))).toBe(414);
    expect(outcome(router, `${segments(MAX_SEGMENTS - 1)}/`)).toMatchObject({ kind: "found" });
    expect(calls()).toBe(2);
  });

  test("routes without path converters prune a long URL at once", () => {
    const { router, calls } = routerFor("/<a>/<b>/<c>");
    expect(outcome(router, segments(1000))).toEqual({ kind: "none" });
    expect(calls()).toBe(0);
  });
});
