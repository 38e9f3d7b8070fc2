import { describe, expect, test } from "vitest";
import { ErrorCodes, FlagonError } from "../errors/codes.js";
import {
  builtinConverters,
  type Converter,
  type ConverterArgs,
  type ConverterFactory,
  NO_MATCH,
  parseConverterArgs,
} from "./converters.js";

/** Builds a builtin converter from the argument text written between its parentheses. */
function make(name: string, args = ""): Converter {
  const factory = builtinConverters[name] as ConverterFactory;
  return factory(parseConverterArgs(args));
}

function badPath(fn: () => unknown, message?: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(FlagonError);
  expect((caught as FlagonError).code).toBe(ErrorCodes.BAD_PATH);
  if (message) expect((caught as FlagonError).message).toMatch(message);
}

describe("NO_MATCH", () => {
  test("is a unique symbol, distinct from every value a converter returns", () => {
    expect(typeof NO_MATCH).toBe("symbol");
    expect(NO_MATCH).not.toBe(Symbol("flagon.noMatch"));
  });

  test("a refusing converter returns NO_MATCH itself, never undefined or null", () => {
    for (const [name, text] of [
      ["int", "abc"],
      ["float", "1"],
      ["string", ""],
      ["path", ""],
      ["uuid", "nope"],
    ] as const) {
      expect(make(name).match(text), `${name}(${JSON.stringify(text)})`).toBe(NO_MATCH);
    }
    expect(make("any", "a, b").match("c")).toBe(NO_MATCH);
  });

  test("a falsy converted value (0) is not mistaken for a refusal", () => {
    expect(make("int").match("0")).toBe(0);
    expect(make("float").match("0.0")).toBe(0);
  });
});

describe("weights (tried in this order)", () => {
  test("int/float 50, string/uuid/any 100, path 200; only path spans segments", () => {
    expect(make("int").weight).toBe(50);
    expect(make("float").weight).toBe(50);
    expect(make("string").weight).toBe(100);
    expect(make("default").weight).toBe(100);
    expect(make("uuid").weight).toBe(100);
    expect(make("any", "a").weight).toBe(100);
    expect(make("path").weight).toBe(200);
    expect(make("path").multiSegment).toBe(true);
    expect(make("string").multiSegment).toBeFalsy();
    expect(make("int").multiSegment).toBeFalsy();
  });
});

describe("string (the default)", () => {
  test("default is the string converter", () => {
    expect(builtinConverters["default"]).toBe(builtinConverters["string"]);
  });

  test("matches any non-empty segment text as is", () => {
    const c = make("string");
    expect(c.match("bob")).toBe("bob");
    expect(c.match("a b/c")).toBe("a b/c");
    expect(c.match("é")).toBe("é");
    expect(c.match("")).toBe(NO_MATCH);
  });

  test("length fixes the length exactly", () => {
    const c = make("string", "length=2");
    expect(c.match("ab")).toBe("ab");
    expect(c.match("a")).toBe(NO_MATCH);
    expect(c.match("abc")).toBe(NO_MATCH);
  });

  test("minlength and maxlength bound it", () => {
    const c = make("string", "minlength=2, maxlength=3");
    expect(c.match("a")).toBe(NO_MATCH);
    expect(c.match("ab")).toBe("ab");
    expect(c.match("abc")).toBe("abc");
    expect(c.match("abcd")).toBe(NO_MATCH);
  });

  test("length wins over minlength/maxlength", () => {
    const c = make("string", "length=3, minlength=1, maxlength=10");
    expect(c.match("ab")).toBe(NO_MATCH);
    expect(c.match("abc")).toBe("abc");
  });

  test("toUrl percent-encodes the whole value, slashes included", () => {
    const c = make("string");
    expect(c.toUrl("a b/c?d")).toBe("a%20b%2Fc%3Fd");
    expect(c.toUrl(12)).toBe("12");
    expect(c.toUrl("é")).toBe("%C3%A9");
  });

  test("rejects unknown and non-numeric arguments", () => {
    badPath(() => make("string", "size=2"), /no argument "size"/);
    badPath(() => make("string", "length=two"), /length must be a number/);
    badPath(() => make("string", "2"), /no positional/);
  });
});

describe("int", () => {
  test("matches unsigned digits only, as numbers", () => {
    const c = make("int");
    expect(c.match("42")).toBe(42);
    expect(c.match("007")).toBe(7);
    for (const text of ["-1", "+1", "1.0", "1e3", " 1", "0x10", "", "abc", "１２"]) {
      expect(c.match(text), text).toBe(NO_MATCH);
    }
  });

  test("refuses integers beyond Number.MAX_SAFE_INTEGER", () => {
    const c = make("int");
    expect(c.match(String(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
    expect(c.match("9007199254740993")).toBe(NO_MATCH);
  });

  test("signed=True accepts a leading minus", () => {
    const c = make("int", "signed=True");
    expect(c.match("-5")).toBe(-5);
    expect(c.match("5")).toBe(5);
    expect(c.match("+5")).toBe(NO_MATCH);
    expect(c.match("--5")).toBe(NO_MATCH);
  });

  test("min and max bound the value inclusively", () => {
    const c = make("int", "min=1, max=5");
    expect(c.match("0")).toBe(NO_MATCH);
    expect(c.match("1")).toBe(1);
    expect(c.match("5")).toBe(5);
    expect(c.match("6")).toBe(NO_MATCH);
  });

  test("fixed_digits requires exactly that many digits (the sign not counted)", () => {
    const c = make("int", "fixed_digits=3");
    expect(c.match("007")).toBe(7);
    expect(c.match("123")).toBe(123);
    expect(c.match("7")).toBe(NO_MATCH);
    expect(c.match("1234")).toBe(NO_MATCH);
    const signed = make("int", "fixed_digits=3, signed=True");
    expect(signed.match("-007")).toBe(-7);
    expect(signed.match("-07")).toBe(NO_MATCH);
  });

  test("toUrl pads to fixed_digits (after the sign) and is plain otherwise", () => {
    expect(make("int").toUrl(7)).toBe("7");
    const c = make("int", "fixed_digits=4");
    expect(c.toUrl(7)).toBe("0007");
    expect(c.toUrl(-7)).toBe("-0007");
    expect(c.toUrl(12345)).toBe("12345");
  });

  test("rejects unknown or mistyped arguments", () => {
    badPath(() => make("int", "length=3"), /no argument "length"/);
    badPath(() => make("int", "min=a"), /min must be a number/);
    badPath(() => make("int", "signed=1"), /signed must be True or False/);
    badPath(() => make("int", "3"), /no positional/);
  });
});

describe("float", () => {
  test("needs digits on both sides of a dot", () => {
    const c = make("float");
    expect(c.match("1.5")).toBe(1.5);
    expect(c.match("0.25")).toBe(0.25);
    for (const text of ["1", ".5", "1.", "-1.5", "1e3", "1.5.1", "NaN", "Infinity"]) {
      expect(c.match(text), text).toBe(NO_MATCH);
    }
  });

  test("signed=True accepts a leading minus", () => {
    const c = make("float", "signed=True");
    expect(c.match("-1.5")).toBe(-1.5);
    expect(c.match("1.5")).toBe(1.5);
  });

  test("min and max bound it", () => {
    const c = make("float", "min=0.5, max=2");
    expect(c.match("0.4")).toBe(NO_MATCH);
    expect(c.match("0.5")).toBe(0.5);
    expect(c.match("2.0")).toBe(2);
    expect(c.match("2.1")).toBe(NO_MATCH);
  });

  test("toUrl writes the number; fixed_digits is not a float argument", () => {
    expect(make("float").toUrl(1.5)).toBe("1.5");
    badPath(() => make("float", "fixed_digits=2"), /no argument "fixed_digits"/);
  });
});

describe("path", () => {
  test("matches any non-empty text, slashes included", () => {
    const c = make("path");
    expect(c.match("a/b/c")).toBe("a/b/c");
    expect(c.match("a")).toBe("a");
    expect(c.match("")).toBe(NO_MATCH);
  });

  test("toUrl encodes each piece but keeps the slashes", () => {
    expect(make("path").toUrl("a b/c?/d")).toBe("a%20b/c%3F/d");
  });

  test("takes no arguments", () => {
    badPath(() => make("path", "x=1"), /no argument "x"/);
    badPath(() => make("path", "a"), /no positional/);
  });
});

describe("uuid", () => {
  const lower = "2f1c9f3e-8a4b-4c2d-9e6f-0123456789ab";

  test("matches the canonical form and lower-cases it", () => {
    const c = make("uuid");
    expect(c.match(lower)).toBe(lower);
    expect(c.match(lower.toUpperCase())).toBe(lower);
  });

  test("refuses other shapes", () => {
    const c = make("uuid");
    for (const text of [
      lower.replaceAll("-", ""),
      `{${lower}}`,
      `${lower}0`,
      lower.slice(1),
      lower.replace("a", "g"),
    ]) {
      expect(c.match(text), text).toBe(NO_MATCH);
    }
  });

  test("toUrl writes the value", () => {
    expect(make("uuid").toUrl(lower)).toBe(lower);
  });
});

describe("any", () => {
  test("matches only the listed words", () => {
    const c = make("any", "red, blue");
    expect(c.match("red")).toBe("red");
    expect(c.match("blue")).toBe("blue");
    expect(c.match("green")).toBe(NO_MATCH);
    expect(c.match("Red")).toBe(NO_MATCH);
  });

  test("accepts quoted words", () => {
    const c = make("any", `"a-b", 'c.d'`);
    expect(c.match("a-b")).toBe("a-b");
    expect(c.match("c.d")).toBe("c.d");
  });

  test("toUrl writes a listed word and refuses others with FLAGON_ERR_URL_BUILD", () => {
    const c = make("any", "red, blue");
    expect(c.toUrl("red")).toBe("red");
    let caught: unknown;
    try {
      c.toUrl("green");
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FlagonError);
    expect((caught as FlagonError).code).toBe(ErrorCodes.URL_BUILD);
    expect((caught as FlagonError).message).toMatch(/"green" is not one of red, blue/);
  });

  test("needs at least one word and takes no named arguments", () => {
    badPath(() => make("any", ""), /at least one word/);
    badPath(() => make("any", "a, x=1"), /no argument "x"/);
  });
});

describe("parseConverterArgs", () => {
  const parsed = (text: string): { positional: unknown[]; named: Record<string, unknown> } => {
    const args: ConverterArgs = parseConverterArgs(text);
    return { positional: [...args.positional], named: { ...args.named } };
  };

  test("empty or blank text gives no arguments", () => {
    expect(parsed("")).toEqual({ positional: [], named: {} });
    expect(parsed("   ")).toEqual({ positional: [], named: {} });
  });

  test("positional words and numbers, whitespace trimmed", () => {
    expect(parsed(" red ,blue, 3, -2, 1.5 ")).toEqual({
      positional: ["red", "blue", 3, -2, 1.5],
      named: {},
    });
  });

  test("named values: numbers, booleans (True/False and true/false), words, quoted strings", () => {
    expect(
      parsed("min=1, max = -5, x=2.5, a=True, b=False, c=true, d=false, w=word, q='q v', r=\"r\""),
    ).toEqual({
      positional: [],
      named: { min: 1, max: -5, x: 2.5, a: true, b: false, c: true, d: false, w: "word", q: "q v", r: "r" },
    });
  });

  test("positional then named", () => {
    expect(parsed("a, b, n=1")).toEqual({ positional: ["a", "b"], named: { n: 1 } });
  });

  test("a quoted positional may contain = (it is not a name)", () => {
    expect(parsed(`"x=y"`)).toEqual({ positional: ["x=y"], named: {} });
  });

  test("a quoted number stays a string", () => {
    expect(parsed(`'12'`)).toEqual({ positional: ["12"], named: {} });
  });

  test("the named map is prototype-less", () => {
    expect(Object.getPrototypeOf(parseConverterArgs("a=1").named)).toBeNull();
  });

  test("positional after named is an error", () => {
    badPath(() => parseConverterArgs("n=1, a"), /positional converter arguments must come first/);
  });

  test("unreadable values are errors", () => {
    badPath(() => parseConverterArgs("a b"), /cannot read converter argument "a b"/);
    badPath(() => parseConverterArgs("a,,b"), /cannot read converter argument ""/);
    badPath(() => parseConverterArgs("min="), /cannot read/);
    badPath(() => parseConverterArgs(`"unbalanced`), /cannot read/);
    badPath(() => parseConverterArgs("x=<y>"), /cannot read/);
  });
});
