import type { StandardSchemaV1 } from "@standard-schema/spec";
import { injectable } from "tsyringe";
import { ErrorCodes, FlagonError } from "../errors/codes.js";
import { addParam, addRoute, type BodyType, type RouteOptions, setController } from "./metadata.js";

type Class = abstract new (...args: never[]) => unknown;

/**
 * Marks a class as a controller whose methods carry routes. Its constructor parameters are
 * injected by type from the app's container.
 *
 * @example
 * @Controller("/todos")
 * class Todos {
 *   constructor(private readonly repo: TodoRepository) {}
 *   @Get("/<int:id>") show(@Param("id") id: number) { return this.repo.find(id) ?? abort(404); }
 * }
 */
export function Controller(prefix = ""): ClassDecorator {
  return (target) => {
    if (prefix !== "" && !prefix.startsWith("/")) {
      throw new FlagonError(
        ErrorCodes.BAD_PATH,
        `controller ${target.name}: prefix "${prefix}" must start with /`,
      );
    }
    setController(target as unknown as Class, { prefix });
    injectable()(target as unknown as new (...args: unknown[]) => unknown);
  };
}

export interface RouteDecoratorOptions extends RouteOptions {
  methods: readonly string[];
}

/** Routes a controller method: `@Route("/items", { methods: ["GET", "POST"] })`. */
export function Route(path: string, options: RouteDecoratorOptions): MethodDecorator {
  const methods = options.methods.map((m) => m.toUpperCase());
  if (methods.length === 0) throw new FlagonError(ErrorCodes.BAD_PATH, `route "${path}" lists no methods`);
  const { methods: _ignored, ...rest } = options;
  return (target, propertyKey) => {
    if (typeof propertyKey !== "string") {
      throw new FlagonError(ErrorCodes.BAD_PATH, "route handlers must have string names");
    }
    addRoute(target.constructor as Class, { propertyKey, path, methods, options: rest });
  };
}

function shortcut(method: string) {
  return (path = "", options: RouteOptions = {}): MethodDecorator =>
    Route(path, { ...options, methods: [method] });
}

/** `@Get(path?)`: a GET route (HEAD and OPTIONS are answered automatically). */
export const Get = shortcut("GET");
export const Post = shortcut("POST");
export const Put = shortcut("PUT");
export const Patch = shortcut("PATCH");
export const Delete = shortcut("DELETE");

function param(
  kind: "param" | "query" | "header" | "cookie",
  name: string | undefined,
  schema: StandardSchemaV1 | undefined,
): ParameterDecorator {
  return (target, propertyKey, index) => {
    if (typeof propertyKey !== "string") {
      throw new FlagonError(
        ErrorCodes.BAD_PATH,
        `@${kind}() works on method parameters, not constructor parameters`,
      );
    }
    addParam(target.constructor as Class, propertyKey, {
      kind,
      index,
      name: kind === "header" ? name?.toLowerCase() : name,
      schema,
    });
  };
}

/** A path variable, converted by its route converter and then by the parameter's type or schema. */
export const Param = (name: string, schema?: StandardSchemaV1): ParameterDecorator =>
  param("param", name, schema);

/** A query argument (`@Query("page")`), or all of them as an object (`@Query()`). */
export const Query = (name?: string, schema?: StandardSchemaV1): ParameterDecorator =>
  param("query", name, schema);

/** A request header, by case-insensitive name. */
export const Header = (name: string, schema?: StandardSchemaV1): ParameterDecorator =>
  param("header", name, schema);

/** A request cookie, by name. */
export const Cookie = (name: string, schema?: StandardSchemaV1): ParameterDecorator =>
  param("cookie", name, schema);

export interface BodyOptions {
  /**
   * Body types the route accepts: `"json"`, `"form"`, or a type a plugin registered with
   * `app.addBodyParser` (its media type, `"text/csv"`, or its name; `"multipart"` means
   * multipart/form-data). JSON only by default, so simple CORS types are refused (415). A type no
   * parser was registered for fails at `ready()`.
   */
  accept?: readonly BodyType[];
}

/**
 * The parsed request body, validated by `schema` when given (a body that fails it is a 422).
 * Only JSON is accepted unless `accept` says otherwise. The body is parsed when the handler is
 * called, after the preHandler hooks, and once: `ctx.body()` in a hook shares the same parse.
 */
export function Body(schema?: StandardSchemaV1, options: BodyOptions = {}): ParameterDecorator {
  const accept = options.accept ?? ["json"];
  return (target, propertyKey, index) => {
    if (typeof propertyKey !== "string") {
      throw new FlagonError(
        ErrorCodes.BAD_PATH,
        "@Body() works on method parameters, not constructor parameters",
      );
    }
    addParam(target.constructor as Class, propertyKey, { kind: "body", index, schema, accept });
  };
}

/** The request context. */
export function Ctx(): ParameterDecorator {
  return (target, propertyKey, index) => {
    if (typeof propertyKey !== "string") {
      throw new FlagonError(
        ErrorCodes.BAD_PATH,
        "@Ctx() works on method parameters; inject Context by type instead",
      );
    }
    addParam(target.constructor as Class, propertyKey, { kind: "ctx", index });
  };
}
