import { ErrorCodes, FlagonError } from "../errors/codes.js";
import { type Converter, type ConverterFactory, NO_MATCH, parseConverterArgs } from "./converters.js";

export type Segment =
  | { readonly kind: "static"; readonly text: string }
  | { readonly kind: "param"; readonly name: string; readonly key: string; readonly converter: Converter };

/** A route path parsed once at start-up. */
export interface ParsedPath {
  readonly source: string;
  readonly segments: readonly Segment[];
  /** Declared with a trailing slash (`/users/`): the slash-less URL redirects to it. */
  readonly trailingSlash: boolean;
  readonly paramNames: readonly string[];
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const VARIABLE = /^<(?:([A-Za-z_][A-Za-z0-9_]*)(?:\(([^()]*)\))?:)?([A-Za-z_][A-Za-z0-9_]*)>$/;

function bad(path: string, why: string): FlagonError {
  return new FlagonError(ErrorCodes.BAD_PATH, `route path "${path}": ${why}`);
}

/** "/a//" → "/a" (a loop: /\/+$/ is quadratic on a long run of slashes). */
export function withoutTrailingSlashes(text: string): string {
  let end = text.length;
  while (end > 0 && text.charAt(end - 1) === "/") end -= 1;
  return text.slice(0, end);
}

/** Joins a controller prefix and a route path the way Flask joins a blueprint prefix and a rule. */
export function joinPath(prefix: string, path: string): string {
  const head = withoutTrailingSlashes(prefix);
  if (path === "") return head === "" ? "/" : head;
  return `${head}${path.startsWith("/") ? path : `/${path}`}`;
}

/**
 * Parses Werkzeug-style paths: `/users/<int:id>`, `<path:p>`, `<any(a,b):k>`, `<name>`, and
 * `:name` as an alias for `<name>`. Each variable must fill a whole segment.
 */
export function parsePath(
  source: string,
  converters: Readonly<Record<string, ConverterFactory>>,
): ParsedPath {
  if (!source.startsWith("/")) throw bad(source, "must start with /");
  const segments: Segment[] = [];
  const paramNames: string[] = [];
  const body = source.slice(1);
  const trailingSlash = body.endsWith("/");
  const parts = body === "" ? [] : (trailingSlash ? body.slice(0, -1) : body).split("/");
  for (const part of parts) {
    if (part === "") throw bad(source, "empty segment (//)");
    let name: string | undefined;
    let key = "";
    let converter: Converter | undefined;
    if (part.startsWith(":")) {
      name = part.slice(1);
      if (!IDENT.test(name)) throw bad(source, `"${part}" is not a valid :name`);
      key = `default():${name}`;
      converter = (converters["default"] as ConverterFactory)({ positional: [], named: {} });
    } else if (part.includes("<") || part.includes(">")) {
      const match = VARIABLE.exec(part);
      if (!match) {
        throw bad(
          source,
          `"${part}" must be exactly one variable such as <name> or <int:id> (no text around it)`,
        );
      }
      const convName = match[1] ?? "default";
      const factory = converters[convName];
      if (!factory) throw bad(source, `unknown converter "${convName}"`);
      name = match[3];
      const argsKey = (match[2] ?? "")
        .split(",")
        .map((arg) => arg.trim())
        .join(",");
      key = `${convName}(${argsKey}):${name}`;
      try {
        converter = factory(parseConverterArgs(match[2] ?? ""));
      } catch (error) {
        throw bad(source, (error as Error).message);
      }
    }
    if (name === undefined || converter === undefined) {
      segments.push({ kind: "static", text: part });
      continue;
    }
    if (paramNames.includes(name)) throw bad(source, `variable "${name}" appears twice`);
    paramNames.push(name);
    segments.push({ kind: "param", name, key, converter });
  }
  return { source, segments, trailingSlash, paramNames };
}

/**
 * Builds the URL path of a parsed route from values. Throws FLAGON_ERR_URL_BUILD when a value is
 * missing or its converter refuses it.
 */
export function buildPath(parsed: ParsedPath, values: Readonly<Record<string, unknown>>): string {
  let out = "";
  for (const segment of parsed.segments) {
    if (segment.kind === "static") {
      out += `/${encodeURIComponent(segment.text)}`;
      continue;
    }
    const value = values[segment.name];
    if (value === undefined || value === null) {
      throw new FlagonError(
        ErrorCodes.URL_BUILD,
        `route "${parsed.source}" needs a value for "${segment.name}"`,
      );
    }
    const text = segment.converter.toUrl(value);
    const back = segment.converter.multiSegment
      ? text.split("/").map(decodeURIComponent).join("/")
      : decodeURIComponent(text);
    if (segment.converter.match(back) === NO_MATCH) {
      throw new FlagonError(
        ErrorCodes.URL_BUILD,
        `value ${JSON.stringify(value)} does not fit "${segment.name}" of route "${parsed.source}"`,
      );
    }
    out += `/${text}`;
  }
  if (out === "") return "/";
  return parsed.trailingSlash ? `${out}/` : out;
}
