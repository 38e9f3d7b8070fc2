// Compiles route response schemas with fast-json-stringify. The app imports this module only when
// a route declares `response`, so apps without a schema never load the library (or its Ajv).
import build from "fast-json-stringify";
import { ErrorCodes, FlagonError } from "../errors/codes.js";
import type { JsonSchema, ResponseSchema } from "../routing/metadata.js";
import type { ResponseCompiler, ResponseSerializer } from "../routing/compile.js";

type Stringify = (value: unknown) => string;

// Anything that looks like a status key, so that "600" or "6xx" is reported rather than read as a
// schema keyword; keys are checked precisely afterwards.
const STATUS_LIKE = /^(?:\d{3}|\dxx|default)$/i;

function isObject(value: unknown): value is JsonSchema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The option as `[key, schema]` pairs; a single schema is keyed `2xx`. */
function schemasByKey(route: string, option: unknown): Array<[string, JsonSchema]> {
  if (!isObject(option)) {
    throw new FlagonError(ErrorCodes.BAD_SCHEMA, `${route}: the response schema must be an object`);
  }
  const keys = Object.keys(option);
  const statusKeys = keys.filter((key) => STATUS_LIKE.test(key));
  if (statusKeys.length === 0) return [["2xx", option]];
  if (statusKeys.length !== keys.length) {
    throw new FlagonError(
      ErrorCodes.BAD_SCHEMA,
      `${route}: the response option mixes status keys (${statusKeys.join(", ")}) with schema keywords; ` +
        "give one schema, or an object keyed only by status",
    );
  }
  return keys.map((key) => {
    const lower = key.toLowerCase();
    const code = Number(key);
    if (lower !== "default" && !/^[1-5]xx$/.test(lower) && !(code >= 100 && code <= 599)) {
      throw new FlagonError(ErrorCodes.BAD_SCHEMA, `${route}: "${key}" is not a status between 100 and 599`);
    }
    const schema: unknown = option[key];
    if (!isObject(schema)) {
      throw new FlagonError(
        ErrorCodes.BAD_SCHEMA,
        `${route}: the response schema for ${key} must be an object`,
      );
    }
    return [lower, schema];
  });
}

/**
 * A compiler for one `ready()`: a schema object shared by several routes compiles once. Every
 * problem with a schema is a FlagonError naming the route and the status key.
 */
export function createResponseCompiler(): ResponseCompiler {
  const compiled = new Map<JsonSchema, Stringify>();
  const compile = (route: string, key: string, schema: JsonSchema): Stringify => {
    let stringify = compiled.get(schema);
    if (stringify === undefined) {
      try {
        stringify = build(schema) as Stringify;
      } catch (error) {
        throw new FlagonError(
          ErrorCodes.BAD_SCHEMA,
          `${route}: the response schema for ${key} is invalid: ${message(error)}`,
          { cause: error },
        );
      }
      compiled.set(schema, stringify);
    }
    return stringify;
  };

  return (route: string, option: ResponseSchema): ResponseSerializer => {
    const exact = new Map<number, Stringify>();
    const ranges: Array<Stringify | undefined> = [];
    let fallback: Stringify | undefined;
    for (const [key, schema] of schemasByKey(route, option)) {
      const stringify = compile(route, key, schema);
      if (key === "default") fallback = stringify;
      else if (key.endsWith("xx")) ranges[Number(key[0])] = stringify;
      else exact.set(Number(key), stringify);
    }
    // Fastify's order: the exact status, then its range, then "default"; else plain JSON.
    return (value, status) => {
      const stringify = exact.get(status) ?? ranges[Math.floor(status / 100)] ?? fallback;
      if (stringify === undefined) return JSON.stringify(value);
      try {
        return stringify(value);
      } catch (error) {
        throw new FlagonError(
          ErrorCodes.INVALID_RESPONSE,
          `${route}: the returned value does not fit the response schema for status ${status}: ${message(error)}`,
          { cause: error },
        );
      }
    };
  };
}
