import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { Context, RouteInfo } from "../http/context.js";

/** What a custom parameter's resolver knows of the parameter; made once per route at `ready()`. */
export interface ParamInfo {
  /** The parameter's declared type (its `design:paramtypes` entry: a class, `String`, `Number`…; `Object` for interfaces). */
  readonly type: unknown;
  /** The parameter's position in the handler's parameter list. */
  readonly index: number;
  /** The route the handler serves (the same object as `ctx.route` of its requests). */
  readonly route: RouteInfo;
}

/** Options a route decorator or a function route may carry. */
export interface RouteOptions {
  /** Name for `urlFor`; defaults to `Class.method` for controllers and the function's name otherwise. */
  endpoint?: string;
  /** Largest accepted request body in bytes for this route (overrides `config.bodyLimit`). */
  bodyLimit?: number;
  /**
   * JSON Schema of the response body. A plain object or array the handler returns is written by
   * a serializer compiled from it at `ready()`, which drops properties the schema does not list.
   * One schema applies to 2xx statuses; an object keyed by status (`201`), range (`"2xx"`) or
   * `"default"` chooses by the status sent.
   */
  response?: ResponseSchema;
  /**
   * For function routes: route decorators and `UseHooks` applied to this route, as a controller
   * method would carry them (`{ decorators: [LoginRequired()] }`).
   */
  decorators?: readonly ClassDecorator[];
}

/** A JSON Schema (draft 7, as fast-json-stringify reads it). */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** Response schemas by status code (`201`), range (`"2xx"`) or `"default"` for any other status. */
export type ResponseSchemas = {
  readonly [status in `${number}` | `${1 | 2 | 3 | 4 | 5}xx` | "default"]?: JsonSchema;
};

/** One schema for 2xx responses, or schemas by status. */
export type ResponseSchema = JsonSchema | ResponseSchemas;

export interface RouteRecord {
  readonly propertyKey: string;
  readonly path: string;
  readonly methods: readonly string[];
  readonly options: RouteOptions;
}

/**
 * A body type a route accepts: `"json"` (every JSON type), `"form"` (urlencoded), the name of a
 * parser a plugin registered (`"multipart"` means multipart/form-data), or its media type.
 */
export type BodyType = "json" | "form" | "multipart" | (string & {});

export type ParamRecord =
  | {
      readonly kind: "param" | "query" | "header" | "cookie";
      readonly index: number;
      readonly name: string | undefined;
      readonly schema: StandardSchemaV1 | undefined;
    }
  | {
      readonly kind: "body";
      readonly index: number;
      readonly schema: StandardSchemaV1 | undefined;
      readonly accept: readonly BodyType[];
    }
  | { readonly kind: "ctx"; readonly index: number }
  | {
      readonly kind: "custom";
      readonly index: number;
      /** The decorator's name, for error messages. */
      readonly name: string;
      readonly resolve: (ctx: Context, data: unknown, param: ParamInfo) => unknown;
      readonly data: unknown;
    };

export interface ControllerRecord {
  readonly prefix: string;
}

// Metadata keys: decorators only record; the app reads these when it builds its route table.
const CONTROLLER = Symbol("flagon.controller");
const ROUTES = Symbol("flagon.routes");
const PARAMS = Symbol("flagon.params");

type Class = abstract new (...args: never[]) => unknown;

export function setController(target: Class, record: ControllerRecord): void {
  Reflect.defineMetadata(CONTROLLER, record, target);
}

export function getController(target: Class): ControllerRecord | undefined {
  return Reflect.getOwnMetadata(CONTROLLER, target) as ControllerRecord | undefined;
}

export function addRoute(target: Class, record: RouteRecord): void {
  const list = (Reflect.getOwnMetadata(ROUTES, target) as RouteRecord[] | undefined) ?? [];
  Reflect.defineMetadata(ROUTES, [...list, record], target);
}

/** Routes in declaration order (decorators on one method apply bottom-up; that order is kept). */
export function getRoutes(target: Class): readonly RouteRecord[] {
  return (Reflect.getOwnMetadata(ROUTES, target) as RouteRecord[] | undefined) ?? [];
}

export function addParam(target: Class, propertyKey: string, record: ParamRecord): void {
  const byMethod =
    (Reflect.getOwnMetadata(PARAMS, target) as Map<string, ParamRecord[]> | undefined) ??
    new Map<string, ParamRecord[]>();
  byMethod.set(propertyKey, [...(byMethod.get(propertyKey) ?? []), record]);
  Reflect.defineMetadata(PARAMS, byMethod, target);
}

export function getParams(target: Class, propertyKey: string): readonly ParamRecord[] {
  const byMethod = Reflect.getOwnMetadata(PARAMS, target) as Map<string, ParamRecord[]> | undefined;
  return byMethod?.get(propertyKey) ?? [];
}
