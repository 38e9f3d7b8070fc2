import { describe, expect, test, vi } from "vitest";
import { ErrorCodes, FlagonError } from "../errors/codes.js";
import { ResponseControls } from "../http/context.js";
import type { ResponseSchema } from "../routing/metadata.js";
import { toResponse } from "./dispatch.js";
import { createResponseCompiler } from "./response-serializer.js";

// Counts the schemas handed to fast-json-stringify, which otherwise runs for real.
const builds = vi.hoisted(() => ({ count: 0 }));
vi.mock("fast-json-stringify", async (importOriginal) => {
  const real = await importOriginal<{ default: (...args: unknown[]) => unknown }>();
  return {
    ...real,
    default: (...args: unknown[]) => {
      builds.count += 1;
      return real.default(...args);
    },
  };
});

const ROUTE = "GET /things (things)";

const thing = {
  type: "object",
  required: ["id"],
  properties: { id: { type: "integer" }, name: { type: "string" } },
} as const;

function compile(schema: ResponseSchema) {
  return createResponseCompiler()(ROUTE, schema);
}

function compileError(schema: unknown): FlagonError {
  try {
    compile(schema as ResponseSchema);
  } catch (error) {
    expect(error).toBeInstanceOf(FlagonError);
    return error as FlagonError;
  }
  return expect.fail("compiling should have failed");
}

describe("createResponseCompiler", () => {
  test("one schema writes 2xx bodies with only the listed properties", () => {
    const serialize = compile(thing);
    expect(serialize({ id: 1, name: "a", password: "x" }, 200)).toBe('{"id":1,"name":"a"}');
    expect(serialize({ id: 2, secret: true }, 299)).toBe('{"id":2}');
  });

  test("one schema leaves other statuses to JSON.stringify", () => {
    const serialize = compile(thing);
    expect(serialize({ id: 1, extra: true }, 404)).toBe('{"id":1,"extra":true}');
    expect(serialize({ id: 1, extra: true }, 199)).toBe('{"id":1,"extra":true}');
  });

  test("keyed schemas choose the exact status, then the range, then default", () => {
    const serialize = compile({
      201: { type: "object", properties: { created: { type: "integer" } } },
      "2xx": { type: "object", properties: { ranged: { type: "integer" } } },
      default: { type: "object", properties: { fallback: { type: "integer" } } },
    });
    const value = { created: 1, ranged: 2, fallback: 3 };
    expect(serialize(value, 201)).toBe('{"created":1}');
    expect(serialize(value, 200)).toBe('{"ranged":2}');
    expect(serialize(value, 404)).toBe('{"fallback":3}');
  });

  test("keyed schemas without default send unlisted statuses as plain JSON; 'XX' ranges are accepted", () => {
    const serialize = compile({ "4XX": { type: "object", properties: { error: { type: "string" } } } });
    expect(serialize({ error: "no", trace: "t" }, 422)).toBe('{"error":"no"}');
    expect(serialize({ a: 1 }, 200)).toBe('{"a":1}');
  });

  test("a value that does not fit becomes an INVALID_RESPONSE error naming route and status", () => {
    const serialize = compile(thing);
    let error: unknown;
    try {
      serialize({ name: "no id" }, 200);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FlagonError);
    expect((error as FlagonError).code).toBe(ErrorCodes.INVALID_RESPONSE);
    expect((error as FlagonError).message).toContain(ROUTE);
    expect((error as FlagonError).message).toContain("status 200");
    expect((error as FlagonError).cause).toBeInstanceOf(Error);
  });

  test("a schema object shared by several routes is compiled once per compiler", () => {
    const compiler = createResponseCompiler();
    const before = builds.count;
    const a = compiler("GET /a (a)", thing);
    const b = compiler("GET /b (b)", { 201: thing, 404: { type: "object" } });
    expect(builds.count - before).toBe(2);
    expect(a({ id: 1, x: 1 }, 200)).toBe('{"id":1}');
    expect(b({ id: 1, x: 1 }, 201)).toBe('{"id":1}');
    createResponseCompiler()("GET /c (c)", thing);
    expect(builds.count - before).toBe(3);
  });

  test.each([
    ["an unknown type", { type: "objekt" }, "is invalid"],
    ["properties that are not an object", { type: "object", properties: 5 }, "is invalid"],
    [
      "a reference to nothing",
      { type: "object", properties: { a: { $ref: "#/definitions/no" } } },
      "is invalid",
    ],
    ["a status out of range", { 600: thing }, '"600" is not a status'],
    ["a range out of range", { "6xx": thing }, '"6xx" is not a status'],
    ["status keys mixed with keywords", { 200: thing, type: "object" }, "mixes status keys"],
    ["a keyed schema that is not an object", { 200: "thing" }, "for 200 must be an object"],
    ["a schema that is not an object", "thing", "must be an object"],
  ])("refuses %s with BAD_SCHEMA naming the route", (_name, schema, problem) => {
    const error = compileError(schema);
    expect(error.code).toBe(ErrorCodes.BAD_SCHEMA);
    expect(error.message).toContain(ROUTE);
    expect(error.message).toContain(problem);
  });
});

describe("toResponse with a serializer", () => {
  test("passes the status being sent and keeps the JSON content type", () => {
    const seen: number[] = [];
    const controls = new ResponseControls();
    controls.status = 201;
    const response = toResponse({ a: 1 }, controls, 200, (value, status) => {
      seen.push(status);
      return JSON.stringify({ wrapped: value });
    });
    expect(seen).toEqual([201]);
    expect(response.status).toBe(201);
    expect(response.body).toBe('{"wrapped":{"a":1}}');
    expect(response.headers.get("content-type")).toBe("application/json");
  });

  test("is not used for strings, undefined or built responses", () => {
    const serialize = (): string => expect.fail("the serializer must not run");
    expect(toResponse("<p>", new ResponseControls(), 200, serialize).body).toBe("<p>");
    expect(toResponse(undefined, new ResponseControls(), 200, serialize).status).toBe(204);
  });
});
