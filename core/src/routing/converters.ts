import { ErrorCodes, FlagonError } from "../errors/codes.js";

/** Sentinel a converter returns when a URL segment is not for it (the route then does not match). */
export const NO_MATCH: unique symbol = Symbol("flagon.noMatch");

/**
 * Turns URL text into a value and back, as Werkzeug's converters do. A converter that does
 * not match makes the route not match (404, or another route is tried).
 */
export interface Converter {
  /** Lower weights are tried first: int/float 50, string/uuid/any 100, path 200. */
  readonly weight: number;
  /** True for `path`: the value may span several segments. */
  readonly multiSegment?: boolean;
  match(text: string): unknown;
  toUrl(value: unknown): string;
}

export type ConverterArg = string | number | boolean;

export interface ConverterArgs {
  readonly positional: readonly ConverterArg[];
  readonly named: Readonly<Record<string, ConverterArg>>;
}

/** Builds a converter from the arguments written in the path, e.g. `int(min=1, max=5)`. */
export type ConverterFactory = (args: ConverterArgs) => Converter;

function bad(message: string): FlagonError {
  return new FlagonError(ErrorCodes.BAD_PATH, message);
}

function allowOnly(name: string, args: ConverterArgs, keys: readonly string[], positional = 0): void {
  if (args.positional.length > positional) throw bad(`converter ${name} takes no positional arguments`);
  for (const key of Object.keys(args.named)) {
    if (!keys.includes(key)) throw bad(`converter ${name} has no argument "${key}"`);
  }
}

function numberArg(name: string, args: ConverterArgs, key: string): number | undefined {
  const value = args.named[key];
  if (value === undefined) return undefined;
  if (typeof value !== "number") throw bad(`converter ${name}: ${key} must be a number`);
  return value;
}

function boolArg(name: string, args: ConverterArgs, key: string): boolean {
  const value = args.named[key] ?? false;
  if (typeof value !== "boolean") throw bad(`converter ${name}: ${key} must be True or False`);
  return value;
}

const encodeSegment = (value: unknown): string => encodeURIComponent(String(value));

/** "1.50000" → "1.5" (a loop: /0+$/ is quadratic on a long run of zeros). */
function withoutTrailingZeros(text: string): string {
  let end = text.length;
  while (end > 0 && text.charAt(end - 1) === "0") end -= 1;
  return text.slice(0, end);
}

const string: ConverterFactory = (args) => {
  allowOnly("string", args, ["minlength", "maxlength", "length"]);
  const length = numberArg("string", args, "length");
  const min = length ?? numberArg("string", args, "minlength") ?? 1;
  const max = length ?? numberArg("string", args, "maxlength") ?? Infinity;
  return {
    weight: 100,
    match: (text) => (text.length >= min && text.length <= max ? text : NO_MATCH),
    toUrl: encodeSegment,
  };
};

function numeric(name: "int" | "float", pattern: RegExp, signedPattern: RegExp): ConverterFactory {
  return (args) => {
    allowOnly(
      name,
      args,
      name === "int" ? ["min", "max", "signed", "fixed_digits"] : ["min", "max", "signed"],
    );
    const min = numberArg(name, args, "min") ?? -Infinity;
    const max = numberArg(name, args, "max") ?? Infinity;
    const digits = numberArg(name, args, "fixed_digits");
    const test = boolArg(name, args, "signed") ? signedPattern : pattern;
    return {
      weight: 50,
      match(text) {
        if (!test.test(text) || (digits !== undefined && text.replace("-", "").length !== digits))
          return NO_MATCH;
        const value = Number(text);
        if (name === "int" && !Number.isSafeInteger(value)) return NO_MATCH;
        return value >= min && value <= max ? value : NO_MATCH;
      },
      toUrl(value) {
        let text = String(value);
        if (name === "float" && typeof value === "number") {
          // Floats need their dot: 1 → "1.0"; small values leave exponent notation behind.
          if (Number.isInteger(value)) text = `${text}.0`;
          else if (/e/i.test(text)) text = withoutTrailingZeros(value.toFixed(20));
        }
        if (digits === undefined) return text;
        return text.startsWith("-") ? `-${text.slice(1).padStart(digits, "0")}` : text.padStart(digits, "0");
      },
    };
  };
}

const path: ConverterFactory = (args) => {
  allowOnly("path", args, []);
  return {
    weight: 200,
    multiSegment: true,
    // Like Werkzeug's `[^/].*?`: at least one character, and not an empty first segment.
    match: (text) => (text.length > 0 && !text.startsWith("/") ? text : NO_MATCH),
    toUrl: (value) => String(value).split("/").map(encodeURIComponent).join("/"),
  };
};

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

const uuid: ConverterFactory = (args) => {
  allowOnly("uuid", args, []);
  return {
    weight: 100,
    match: (text) => (UUID.test(text) ? text.toLowerCase() : NO_MATCH),
    toUrl: encodeSegment,
  };
};

const any: ConverterFactory = (args) => {
  allowOnly("any", args, [], Infinity);
  if (args.positional.length === 0) throw bad("converter any needs at least one word, e.g. any(red, blue)");
  const words = new Set(args.positional.map(String));
  return {
    weight: 100,
    match: (text) => (words.has(text) ? text : NO_MATCH),
    toUrl(value) {
      const text = String(value);
      if (!words.has(text))
        throw new FlagonError(ErrorCodes.URL_BUILD, `"${text}" is not one of ${[...words].join(", ")}`);
      return encodeURIComponent(text);
    },
  };
};

/** The converters every app knows; apps may add their own through the `converters` option. */
export const builtinConverters: Readonly<Record<string, ConverterFactory>> = {
  default: string,
  string,
  int: numeric("int", /^\d+$/, /^-?\d+$/),
  float: numeric("float", /^\d+\.\d+$/, /^-?\d+\.\d+$/),
  path,
  uuid,
  any,
};

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

function parseArgValue(raw: string): ConverterArg {
  if (/^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  if (raw === "True" || raw === "true") return true;
  if (raw === "False" || raw === "false") return false;
  const quoted = /^(["'])(.*)\1$/.exec(raw);
  if (quoted) return quoted[2] as string;
  if (/^[\w.-]+$/.test(raw)) return raw;
  throw bad(`cannot read converter argument ${JSON.stringify(raw)}`);
}

/** Parses the text between the parentheses of `int(min=1, max=5)` or `any(a, b)`. */
export function parseConverterArgs(text: string): ConverterArgs {
  const positional: ConverterArg[] = [];
  const named: Record<string, ConverterArg> = Object.create(null) as Record<string, ConverterArg>;
  if (text.trim() === "") return { positional, named };
  for (const part of text.split(",")) {
    const item = part.trim();
    const eq = item.indexOf("=");
    if (eq > 0 && IDENT.test(item.slice(0, eq).trim())) {
      named[item.slice(0, eq).trim()] = parseArgValue(item.slice(eq + 1).trim());
    } else {
      if (Object.keys(named).length > 0) throw bad("positional converter arguments must come first");
      positional.push(parseArgValue(item));
    }
  }
  return { positional, named };
}
