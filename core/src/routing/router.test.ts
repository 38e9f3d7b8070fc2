import { describe, expect, test } from "vitest";
import { HttpError } from "../errors/http-errors.js";
import { builtinConverters } from "./converters.js";
import { parsePath } from "./path.js";
import { type MatchResult, Router, sortMethods } from "./router.js";

/** A router whose routes are the strings "<METHOD> <path>", for readable expectations. */
function routerWith(...routes: (readonly [method: string, path: string])[]): Router<string> {
  const router = new Router<string>();
  for (const [method, path] of routes) {
    expect(router.add(parsePath(path, builtinConverters), method, `${method} ${path}`)).toBe(true);
  }
  return router;
}

function found(result: MatchResult<string>): { route: string; params: Record<string, unknown> } {
  if (result.kind !== "found") throw new Error(`expected a match, got ${JSON.stringify(result)}`);
  return { route: result.route, params: result.params };
}

describe("sortMethods", () => {
  test("common methods in a fixed order, then the rest alphabetically, without duplicates", () => {
    expect(sortMethods(["PURGE", "OPTIONS", "POST", "GET", "HEAD", "DELETE", "LINK", "GET"])).toEqual([
      "GET",
      "HEAD",
      "POST",
      "DELETE",
      "OPTIONS",
      "LINK",
      "PURGE",
    ]);
  });
});

describe("Router.add", () => {
  test("returns false for a method and path already taken, true for a new method", () => {
    const router = new Router<string>();
    const p = parsePath("/a/<int:id>", builtinConverters);
    expect(router.add(p, "GET", "first")).toBe(true);
    expect(router.add(parsePath("/a/<int:id>", builtinConverters), "GET", "second")).toBe(false);
    expect(router.add(p, "POST", "post")).toBe(true);
    // the first registration is kept
    expect(found(router.match("GET", "/a/1")).route).toBe("first");
  });

  test("a slashed and a slash-less path are different routes", () => {
    const router = new Router<string>();
    expect(router.add(parsePath("/a", builtinConverters), "GET", "no slash")).toBe(true);
    expect(router.add(parsePath("/a/", builtinConverters), "GET", "slash")).toBe(true);
    expect(found(router.match("GET", "/a")).route).toBe("no slash");
    expect(found(router.match("GET", "/a/")).route).toBe("slash");
  });

  test("the same static path twice is a duplicate", () => {
    const router = new Router<string>();
    expect(router.add(parsePath("/s", builtinConverters), "GET", "one")).toBe(true);
    expect(router.add(parsePath("/s", builtinConverters), "GET", "two")).toBe(false);
    expect(found(router.match("GET", "/s")).route).toBe("one");
  });
});

describe("Router.match", () => {
  test("root, static and no match", () => {
    const router = routerWith(["GET", "/"], ["GET", "/about"]);
    expect(found(router.match("GET", "/")).route).toBe("GET /");
    expect(found(router.match("GET", "/about")).route).toBe("GET /about");
    expect(router.match("GET", "/nope")).toEqual({ kind: "none" });
    expect(router.match("GET", "/about/more")).toEqual({ kind: "none" });
  });

  test.each([
    [
      "dynamic first",
      [
        ["GET", "/user/<name>"],
        ["GET", "/user/me"],
      ],
    ],
    [
      "static first",
      [
        ["GET", "/user/me"],
        ["GET", "/user/<name>"],
      ],
    ],
  ] as const)("static beats dynamic regardless of insertion order (%s)", (_label, routes) => {
    const router = routerWith(...routes);
    expect(found(router.match("GET", "/user/me"))).toEqual({ route: "GET /user/me", params: {} });
    expect(found(router.match("GET", "/user/bob"))).toEqual({
      route: "GET /user/<name>",
      params: { name: "bob" },
    });
  });

  test("static beats dynamic deeper in the trie too (not only on the all-static fast path)", () => {
    const router = routerWith(["GET", "/<a>/<b>"], ["GET", "/<a>/edit"]);
    expect(found(router.match("GET", "/x/edit"))).toEqual({ route: "GET /<a>/edit", params: { a: "x" } });
    expect(found(router.match("GET", "/x/y"))).toEqual({ route: "GET /<a>/<b>", params: { a: "x", b: "y" } });
  });

  test("converters are tried by weight: int before string before path, whatever the order added", () => {
    const router = routerWith(["GET", "/v/<path:p>"], ["GET", "/v/<s>"], ["GET", "/v/<int:i>"]);
    expect(found(router.match("GET", "/v/12"))).toEqual({ route: "GET /v/<int:i>", params: { i: 12 } });
    expect(found(router.match("GET", "/v/ab"))).toEqual({ route: "GET /v/<s>", params: { s: "ab" } });
    expect(found(router.match("GET", "/v/a/b"))).toEqual({ route: "GET /v/<path:p>", params: { p: "a/b" } });
  });

  test("float weighs as int; equal weights keep insertion order", () => {
    const router = routerWith(["GET", "/w/<x>"], ["GET", "/w/<float:f>"], ["GET", "/w/<any(a,b):k>"]);
    expect(found(router.match("GET", "/w/1.5")).params).toEqual({ f: 1.5 });
    // string and any both weigh 100: the string route, added first, wins for "a"
    expect(found(router.match("GET", "/w/a")).route).toBe("GET /w/<x>");
  });

  test("a refusing converter falls through to the next candidate", () => {
    const router = routerWith(["GET", "/v/<int:x>"], ["GET", "/v/<name>"]);
    expect(found(router.match("GET", "/v/42"))).toEqual({ route: "GET /v/<int:x>", params: { x: 42 } });
    expect(found(router.match("GET", "/v/4x"))).toEqual({ route: "GET /v/<name>", params: { name: "4x" } });
  });

  test("a converter refusal with no other candidate is no match (404)", () => {
    const router = routerWith(["GET", "/i/<int(min=1,max=5):n>"]);
    expect(router.match("GET", "/i/9")).toEqual({ kind: "none" });
    expect(router.match("GET", "/i/x")).toEqual({ kind: "none" });
  });

  test("backtracks into a later branch when a deeper segment fails, without leaking params", () => {
    const router = routerWith(["GET", "/b/<int:id>/x"], ["GET", "/b/<name>/y"]);
    const result = found(router.match("GET", "/b/5/y"));
    expect(result.route).toBe("GET /b/<name>/y");
    expect(result.params).toEqual({ name: "5" });
    expect(found(router.match("GET", "/b/5/x")).params).toEqual({ id: 5 });
  });

  test("backtracks from a static branch into a dynamic one", () => {
    const router = routerWith(["GET", "/s/static/a"], ["GET", "/s/<v>/b"]);
    expect(found(router.match("GET", "/s/static/b"))).toEqual({
      route: "GET /s/<v>/b",
      params: { v: "static" },
    });
  });

  test("a path converter followed by a static segment", () => {
    const router = routerWith(["GET", "/<path:p>/edit"]);
    expect(found(router.match("GET", "/a/edit")).params).toEqual({ p: "a" });
    expect(found(router.match("GET", "/a/b/c/edit")).params).toEqual({ p: "a/b/c" });
    expect(found(router.match("GET", "/edit/edit")).params).toEqual({ p: "edit" });
    expect(router.match("GET", "/edit").kind).toBe("none");
    expect(router.match("GET", "/a/b").kind).toBe("none");
  });

  test("a path converter at the end keeps a trailing slash in its value", () => {
    const router = routerWith(["GET", "/p/<path:p>"]);
    expect(found(router.match("GET", "/p/a/b")).params).toEqual({ p: "a/b" });
    expect(found(router.match("GET", "/p/a/b/")).params).toEqual({ p: "a/b/" });
    expect(router.match("GET", "/p/").kind).toBe("none");
  });

  test("HEAD falls back to GET, static and dynamic; an explicit HEAD route wins", () => {
    const router = routerWith(["GET", "/s"], ["GET", "/d/<int:x>"], ["GET", "/h"], ["HEAD", "/h"]);
    expect(found(router.match("HEAD", "/s")).route).toBe("GET /s");
    expect(found(router.match("HEAD", "/d/3"))).toEqual({ route: "GET /d/<int:x>", params: { x: 3 } });
    expect(found(router.match("HEAD", "/h")).route).toBe("HEAD /h");
    expect(found(router.match("GET", "/h")).route).toBe("GET /h");
  });

  test("GET does not fall back to HEAD or anything else", () => {
    const router = routerWith(["HEAD", "/only-head"], ["POST", "/only-post"]);
    expect(router.match("GET", "/only-head")).toEqual({ kind: "method", allow: ["HEAD", "OPTIONS"] });
    expect(router.match("GET", "/only-post")).toEqual({ kind: "method", allow: ["POST", "OPTIONS"] });
  });

  describe("405 (kind: method)", () => {
    test("lists the path's methods, plus HEAD when GET, plus OPTIONS", () => {
      const router = routerWith(["GET", "/g"], ["POST", "/p"], ["PUT", "/m"], ["PATCH", "/m"]);
      expect(router.match("POST", "/g")).toEqual({ kind: "method", allow: ["GET", "HEAD", "OPTIONS"] });
      expect(router.match("HEAD", "/p")).toEqual({ kind: "method", allow: ["POST", "OPTIONS"] });
      expect(router.match("GET", "/m")).toEqual({ kind: "method", allow: ["PUT", "PATCH", "OPTIONS"] });
    });

    test("OPTIONS on a path without an OPTIONS route is a method result too (automatic OPTIONS)", () => {
      const router = routerWith(["GET", "/g"], ["DELETE", "/u/<int:id>"]);
      expect(router.match("OPTIONS", "/g")).toEqual({ kind: "method", allow: ["GET", "HEAD", "OPTIONS"] });
      expect(router.match("OPTIONS", "/u/1")).toEqual({ kind: "method", allow: ["DELETE", "OPTIONS"] });
    });

    test("Allow is the union across every branch that matches the path", () => {
      const router = routerWith(["GET", "/x/<int:id>"], ["DELETE", "/x/<name>"], ["PUT", "/x/<path:p>"]);
      expect(router.match("POST", "/x/5")).toEqual({
        kind: "method",
        allow: ["GET", "HEAD", "PUT", "DELETE", "OPTIONS"],
      });
      // "abc" is refused by int: only the string and path branches count
      expect(router.match("POST", "/x/abc")).toEqual({ kind: "method", allow: ["PUT", "DELETE", "OPTIONS"] });
    });

    test("a later branch that takes the method beats a 405 from an earlier one", () => {
      const router = routerWith(["GET", "/x/<int:id>"], ["POST", "/x/<name>"]);
      expect(found(router.match("POST", "/x/5"))).toEqual({ route: "POST /x/<name>", params: { name: "5" } });
    });

    test("a static sibling for other methods does not stop a dynamic route that takes the method", () => {
      const router = routerWith(["GET", "/users/new"], ["POST", "/users/<name>"]);
      expect(found(router.match("POST", "/users/new")).params).toEqual({ name: "new" });
    });
  });

  describe("trailing slash", () => {
    test("a route declared with a slash redirects the slash-less path", () => {
      const router = routerWith(["GET", "/a/"], ["GET", "/dir/<name>/"]);
      expect(router.match("GET", "/a")).toEqual({ kind: "redirect", path: "/a/" });
      expect(router.match("GET", "/dir/bob")).toEqual({ kind: "redirect", path: "/dir/bob/" });
      expect(router.match("GET", "/dir/%C3%A9")).toEqual({ kind: "redirect", path: "/dir/%C3%A9/" });
    });

    test("a route declared without a slash does not answer the slashed path", () => {
      const router = routerWith(["GET", "/a"], ["GET", "/d/<name>"]);
      expect(router.match("GET", "/a/")).toEqual({ kind: "none" });
      expect(router.match("GET", "/d/x/")).toEqual({ kind: "none" });
    });

    test("redirects for any method whose slashed twin takes it, HEAD via GET", () => {
      const router = routerWith(["POST", "/form/"], ["GET", "/page/"]);
      expect(router.match("POST", "/form")).toEqual({ kind: "redirect", path: "/form/" });
      expect(router.match("HEAD", "/page")).toEqual({ kind: "redirect", path: "/page/" });
    });

    test("a slashed twin that takes the method beats a 405 from another branch", () => {
      const router = routerWith(["POST", "/x/<int:id>"], ["GET", "/x/<name>/"]);
      expect(router.match("GET", "/x/5")).toEqual({ kind: "redirect", path: "/x/5/" });
    });

    test("a 405 beats a slashed twin that does not take the method either", () => {
      const router = routerWith(["POST", "/x/<int:id>"], ["PUT", "/x/<name>/"]);
      expect(router.match("GET", "/x/5")).toEqual({ kind: "method", allow: ["POST", "OPTIONS"] });
    });

    test("with no 405 anywhere, a slashed twin for other methods still redirects", () => {
      const router = routerWith(["POST", "/only/"]);
      expect(router.match("GET", "/only")).toEqual({ kind: "redirect", path: "/only/" });
    });

    test("the slashed path itself gives 405 for a method its route lacks", () => {
      const router = routerWith(["POST", "/orders/"], ["PUT", "/orders/"]);
      expect(router.match("GET", "/orders/")).toEqual({ kind: "method", allow: ["POST", "PUT", "OPTIONS"] });
    });
  });

  describe("percent-decoding", () => {
    test("each segment is decoded on its own: %2F stays inside one segment", () => {
      const router = routerWith(["GET", "/f/<name>"], ["GET", "/p/<path:p>/end"]);
      expect(found(router.match("GET", "/f/a%2Fb")).params).toEqual({ name: "a/b" });
      expect(router.match("GET", "/f/a/b").kind).toBe("none");
      expect(found(router.match("GET", "/f/%C3%A9%20x")).params).toEqual({ name: "é x" });
      expect(found(router.match("GET", "/p/a%2Fb/end")).params).toEqual({ p: "a/b" });
    });

    test("a path value is the same text whether or not the URL has a % anywhere", () => {
      const router = routerWith(["GET", "/w/<path:p>"], ["GET", "/d/<path:p>/end"], ["GET", "/s/<a>/<b>"]);
      for (const [plain, encoded, value] of [
        ["/w/a/b/c.txt", "/w/a/b/c%2Etxt", "a/b/c.txt"],
        ["/w/a//b", "/w/%61//b", "a//b"],
        ["/w/x/", "/w/%78/", "x/"],
        ["/d/1/2/3/4/5/6/7/8/9/10/end", "/d/1/2/3/4/5/6/7/8/9/1%30/end", "1/2/3/4/5/6/7/8/9/10"],
      ] as const) {
        expect(found(router.match("GET", plain)).params).toEqual({ p: value });
        expect(found(router.match("GET", encoded)).params).toEqual({ p: value });
      }
      expect(found(router.match("GET", "/s/x/y")).params).toEqual({ a: "x", b: "y" });
      expect(found(router.match("GET", "/s/%78/y")).params).toEqual({ a: "x", b: "y" });
    });

    test("static segments match their decoded form", () => {
      const router = routerWith(["GET", "/caf\u00e9/<x>"]);
      expect(found(router.match("GET", "/caf%C3%A9/1")).params).toEqual({ x: "1" });
    });

    test("the decoded text is what converters see", () => {
      const router = routerWith(["GET", "/i/<int:n>"]);
      expect(found(router.match("GET", "/i/%34%32")).params).toEqual({ n: 42 });
    });

    test.each(["/f/%", "/f/%zz", "/f/%E0%A4%A", "/f/%C3", "/%ff/x"])(
      "malformed percent-encoding %s → HttpError 400",
      (path) => {
        const router = routerWith(["GET", "/f/<name>"]);
        let caught: unknown;
        try {
          router.match("GET", path);
        } catch (error) {
          caught = error;
        }
        expect(caught).toBeInstanceOf(HttpError);
        expect((caught as HttpError).status).toBe(400);
      },
    );
  });

  describe("static segments through the radix tree", () => {
    test("names that are prefixes of each other, added in either order, each find their own route", () => {
      const names = ["team", "te", "teams", "t", "tea", "toast", "to", "team1", "team10"];
      const forward = routerWith(...names.map((n) => ["GET", `/${n}/<x>`] as const));
      const backward = routerWith(...[...names].reverse().map((n) => ["GET", `/${n}/<x>`] as const));
      for (const router of [forward, backward]) {
        for (const n of names) expect(found(router.match("GET", `/${n}/1`)).route).toBe(`GET /${n}/<x>`);
        for (const miss of ["tt", "tean", "team100", "teamsx", "toas", "x", "T"]) {
          expect(router.match("GET", `/${miss}/1`)).toEqual({ kind: "none" });
        }
      }
    });

    test("first characters too far apart for an array are still found", () => {
      const router = routerWith(
        ["GET", "/a/<x>"],
        ["GET", "/\u00e9t\u00e9/<x>"],
        ["GET", "/\u4e2d/<x>"],
        ["GET", "/~/<x>"],
      );
      expect(found(router.match("GET", "/a/1")).route).toBe("GET /a/<x>");
      expect(found(router.match("GET", "/%C3%A9t%C3%A9/1")).route).toBe("GET /\u00e9t\u00e9/<x>");
      expect(found(router.match("GET", "/%E4%B8%AD/1")).route).toBe("GET /\u4e2d/<x>");
      expect(found(router.match("GET", "/~/1")).route).toBe("GET /~/<x>");
      expect(router.match("GET", "/b/1")).toEqual({ kind: "none" });
    });

    test("a static name matches a whole segment, not a prefix or a run of segments", () => {
      const router = routerWith(["GET", "/ab/<x>"], ["GET", "/a/b/c"]);
      expect(router.match("GET", "/abc/1")).toEqual({ kind: "none" });
      expect(router.match("GET", "/a/1")).toEqual({ kind: "none" });
      expect(found(router.match("GET", "/a/b/c")).route).toBe("GET /a/b/c");
      expect(router.match("GET", "/a%2Fb/c")).toEqual({ kind: "none" });
    });
  });

  test("params of a match are a fresh object each time", () => {
    const router = routerWith(["GET", "/a/<x>"]);
    const first = found(router.match("GET", "/a/1")).params;
    first["x"] = "changed";
    expect(found(router.match("GET", "/a/2")).params).toEqual({ x: "2" });
    expect(found(router.match("GET", "/a/1")).params).toEqual({ x: "1" });
  });

  test("empty segments match nothing", () => {
    const router = routerWith(["GET", "/a/<x>/b"], ["GET", "/a/<x>"]);
    expect(router.match("GET", "/a//b").kind).toBe("none");
    expect(router.match("GET", "/a//").kind).toBe("none");
  });
});
