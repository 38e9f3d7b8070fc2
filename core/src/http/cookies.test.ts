import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { ErrorCodes, FlagonError } from "../errors/codes.js";
import { type CookieOptions, parseCookies, serializeCookie } from "./cookies.js";

function invalidCookie(fn: () => unknown): string {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(FlagonError);
  expect((caught as FlagonError).code).toBe(ErrorCodes.INVALID_COOKIE);
  return (caught as FlagonError).message;
}

describe("parseCookies", () => {
  test("no header or an empty one gives an empty prototype-less object", () => {
    for (const header of [undefined, ""]) {
      const jar = parseCookies(header);
      expect(Object.getPrototypeOf(jar)).toBeNull();
      expect(Object.keys(jar)).toEqual([]);
    }
  });

  test("parses pairs, trims whitespace and percent-decodes values", () => {
    const jar = parseCookies("a=1; b = two ;c=%3B%20x; d=");
    expect({ ...jar }).toEqual({ a: "1", b: "two", c: "; x", d: "" });
  });

  test("the result is prototype-less: inherited names are not cookies", () => {
    const jar = parseCookies("a=1");
    expect(Object.getPrototypeOf(jar)).toBeNull();
    expect(jar["toString"]).toBeUndefined();
    expect(jar["constructor"]).toBeUndefined();
    expect("hasOwnProperty" in jar).toBe(false);
  });

  test("a cookie named __proto__ is plain data and pollutes nothing", () => {
    const jar = parseCookies("__proto__=evil; constructor=x; a=1");
    expect(Object.getPrototypeOf(jar)).toBeNull();
    expect(Object.getOwnPropertyDescriptor(jar, "__proto__")?.value).toBe("evil");
    expect(jar["constructor"]).toBe("x");
    expect(jar["a"]).toBe("1");
    expect(({} as Record<string, unknown>)["evil"]).toBeUndefined();
    expect(Object.keys(Object.prototype)).toEqual([]);
  });

  test("the first of duplicate names wins", () => {
    expect(parseCookies("sid=first; sid=second; x=1; x=2")).toEqual(
      Object.assign(Object.create(null) as object, { sid: "first", x: "1" }),
    );
  });

  test("a malformed percent-escape is kept as is rather than throwing", () => {
    expect(parseCookies("a=%zz; b=%E0%A4%A")["a"]).toBe("%zz");
  });

  test("parts without = are skipped", () => {
    expect({ ...parseCookies("junk; a=1; ;") }).toEqual({ a: "1" });
  });
});

describe("serializeCookie", () => {
  test("defaults to Path=/ and nothing else", () => {
    expect(serializeCookie("sid", "abc")).toBe("sid=abc; Path=/");
  });

  test("writes every attribute", () => {
    const options: CookieOptions = {
      maxAge: 3600,
      expires: new Date(Date.UTC(2030, 0, 2, 3, 4, 5)),
      path: "/app",
      domain: "example.com",
      secure: true,
      httpOnly: true,
      sameSite: "lax",
      partitioned: true,
      priority: "high",
    };
    const header = serializeCookie("sid", "abc", options);
    const parts = header.split("; ");
    expect(parts[0]).toBe("sid=abc");
    expect(parts.slice(1).sort()).toEqual(
      [
        "Max-Age=3600",
        "Expires=Wed, 02 Jan 2030 03:04:05 GMT",
        "Path=/app",
        "Domain=example.com",
        "Secure",
        "HttpOnly",
        "SameSite=Lax",
        "Partitioned",
        "Priority=High",
      ].sort(),
    );
  });

  test.each([
    ["lax", "SameSite=Lax"],
    ["Lax", "SameSite=Lax"],
    ["strict", "SameSite=Strict"],
    ["Strict", "SameSite=Strict"],
    ["none", "SameSite=None"],
    ["None", "SameSite=None"],
  ] as const)("sameSite %s → %s", (sameSite, expected) => {
    expect(serializeCookie("a", "b", { sameSite })).toBe(`a=b; Path=/; ${expected}`);
  });

  test("an unknown sameSite throws FLAGON_ERR_INVALID_COOKIE", () => {
    invalidCookie(() => serializeCookie("a", "b", { sameSite: "sometimes" as never }));
  });

  test("maxAge 0 and negative integers are written", () => {
    expect(serializeCookie("a", "", { maxAge: 0 })).toBe("a=; Max-Age=0; Path=/");
    expect(serializeCookie("a", "", { maxAge: -1 })).toContain("Max-Age=-1");
  });

  test.each([1.5, Number.NaN, Infinity, -Infinity])("non-integer maxAge %s throws", (maxAge) => {
    expect(invalidCookie(() => serializeCookie("a", "b", { maxAge }))).toMatch(/maxAge must be an integer/);
  });

  test("an invalid expires date throws", () => {
    invalidCookie(() => serializeCookie("a", "b", { expires: new Date(Number.NaN) }));
  });

  test("a value with ; , spaces, CR/LF or non-ASCII is percent-encoded, so it cannot inject attributes", () => {
    const header = serializeCookie("a", "x; Domain=evil.test; HttpOnly\r\nSet-Cookie: b=c é");
    expect(header).not.toMatch(/[\r\n]/);
    expect(header.split(";")).toHaveLength(2);
    expect(header.endsWith("; Path=/")).toBe(true);
    expect(header).not.toContain("Domain=");
    expect(parseCookies(header.split("; ")[0])["a"]).toBe(
      "x; Domain=evil.test; HttpOnly\r\nSet-Cookie: b=c é",
    );
  });

  describe("names and attributes that would corrupt the header throw FLAGON_ERR_INVALID_COOKIE", () => {
    // issue 6: separators the cookie package lets through (`,` splits folded Set-Cookie lines).
    const bad = [
      "a;b",
      "a\rb",
      "a\nb",
      "a b",
      "a\u0000b",
      "é",
      "a=b",
      "a\tb",
      "a\u007fb",
      "",
      "a,b",
      'a"b',
      "a/b",
      "a:b",
      "a(b)",
      "a@b",
      "a\u00a0b",
    ];

    test.each(bad)("name %j", (name) => {
      invalidCookie(() => serializeCookie(name, "v"));
    });

    test.each(["/a;b", "/a\rb", "/a\nb", "/a b", "/a\u0000b", "/é", "/a,b", "/a\u007f", ""])(
      "path %j",
      (path) => {
        expect(invalidCookie(() => serializeCookie("n", "v", { path }))).toMatch(/path/);
      },
    );

    test.each(["a.com;x", "a.com\r", "a.com\n", "a .com", "a\u0000.com", "é.com", "a.com,b", ""])(
      "domain %j",
      (domain) => {
        expect(invalidCookie(() => serializeCookie("n", "v", { domain }))).toMatch(/domain/);
      },
    );

    test("the error says which attribute", () => {
      expect(invalidCookie(() => serializeCookie("n", "v", { path: "/x;y" }))).toMatch(
        /cookie path "\/x;y" is invalid/,
      );
    });
  });

  test("property: any unicode value round-trips through serialize and parse, and cannot break the header", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (value) => {
        const header = serializeCookie("k", value);
        expect(header).not.toMatch(/[\r\n\u0000]/);
        // exactly one `;` separates the pair from the only attribute, the default Path
        const firstSemicolon = header.indexOf(";");
        expect(header.slice(firstSemicolon)).toBe("; Path=/");
        const pair = header.slice(0, firstSemicolon);
        expect(pair.startsWith("k=")).toBe(true);
        expect(pair).not.toMatch(/[\s;,"\\\u007f-\uffff]/);
        expect(parseCookies(pair)["k"]).toBe(value);
      }),
      { numRuns: 500 },
    );
  });

  test("property: attacker-shaped values with ; CR LF and attribute text never add attributes", () => {
    const piece = fc.constantFrom(
      ";",
      "\r",
      "\n",
      "\r\n",
      " ",
      "=",
      "Path=/evil",
      "Domain=x",
      "HttpOnly",
      ",",
      "%",
      "%3B",
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(piece, fc.string()), { maxLength: 12 }), (pieces) => {
        const value = pieces.join("");
        const header = serializeCookie("k", value, { httpOnly: true });
        expect(header.split(";")).toEqual([expect.stringMatching(/^k=/), " Path=/", " HttpOnly"]);
        expect(parseCookies(header)["k"]).toBe(value);
      }),
      { numRuns: 300 },
    );
  });
});
