import type { RouteInfo } from "../http/context.js";

const META = Symbol("flagon.routeMetadata");

type Target = object;

function ownMap(target: Target, propertyKey?: string | symbol): Map<symbol, unknown> {
  let map = Reflect.getOwnMetadata(META, target, propertyKey as string) as Map<symbol, unknown> | undefined;
  if (!map) {
    map = new Map();
    Reflect.defineMetadata(META, map, target, propertyKey as string);
  }
  return map;
}

/** The route decorator factory a plugin gets from `createRouteDecorator`. */
export interface RouteDecorator<TArgs extends unknown[], TValue> {
  (...args: TArgs): ClassDecorator & MethodDecorator;
  /** The symbol the value is stored under in `route.metadata`. */
  readonly key: symbol;
  /** The value for a matched route (method value over class value), or undefined. */
  get(route: RouteInfo | undefined): TValue | undefined;
  has(route: RouteInfo | undefined): boolean;
}

export interface CreateRouteDecoratorOptions<TValue> {
  /** Combines a class value with a method value; by default the method value replaces it. */
  merge?: (classValue: TValue, methodValue: TValue) => TValue;
}

/** Merge functions by decorator key, read when a route's metadata is built. */
const MERGE = Symbol("flagon.routeMetadataMerge");

/**
 * Makes a decorator that records a value on a controller class or a route method, for a
 * plugin's hooks to read from the matched route. Nothing is read per request: the route's
 * metadata is built once at start-up.
 *
 * @example
 * export const Cached = createRouteDecorator("cache.cached", (ttl = 60) => ({ ttl }));
 * app.addHook("preHandler", lookUp, { appliesTo: (route) => Cached.has(route) });
 */
export function createRouteDecorator<TArgs extends unknown[], TValue>(
  name: string,
  toValue: (...args: TArgs) => TValue,
  options: CreateRouteDecoratorOptions<TValue> = {},
): RouteDecorator<TArgs, TValue> {
  const key = Symbol(name);
  const decorator = (...args: TArgs): ClassDecorator & MethodDecorator => {
    const value = toValue(...args);
    return (target: object, propertyKey?: string | symbol) => {
      ownMap(target, propertyKey).set(key, value);
      if (options.merge) {
        const owner = propertyKey === undefined ? target : (target as { constructor: object }).constructor;
        const merges =
          (Reflect.getOwnMetadata(MERGE, owner) as Map<symbol, unknown> | undefined) ?? new Map();
        merges.set(key, options.merge);
        Reflect.defineMetadata(MERGE, merges, owner);
      }
    };
  };
  return Object.assign(decorator, {
    key,
    get: (route: RouteInfo | undefined) => route?.metadata.get(key) as TValue | undefined,
    has: (route: RouteInfo | undefined) => route?.metadata.has(key) ?? false,
  });
}

/** A route's metadata: the class's values, with the method's values over them (or merged). */
export function routeMetadata(
  cls: abstract new (...args: never[]) => unknown,
  propertyKey: string,
): Map<symbol, unknown> {
  type Merge = (a: unknown, b: unknown) => unknown;
  const classMap =
    (Reflect.getOwnMetadata(META, cls) as Map<symbol, unknown> | undefined) ?? new Map<symbol, unknown>();
  const methodMap =
    (Reflect.getOwnMetadata(META, cls.prototype as object, propertyKey) as
      Map<symbol, unknown> | undefined) ?? new Map<symbol, unknown>();
  const merges =
    (Reflect.getOwnMetadata(MERGE, cls) as Map<symbol, Merge> | undefined) ?? new Map<symbol, Merge>();
  const out = new Map<symbol, unknown>(classMap);
  for (const [key, value] of methodMap) {
    const merge = merges.get(key);
    out.set(key, merge && classMap.has(key) ? merge(classMap.get(key), value) : value);
  }
  return out;
}

/** Applies decorators to a stand-in class, so function routes can carry route metadata too. */
export function decoratedHolder(decorators: readonly ClassDecorator[]): abstract new () => unknown {
  const holder = class FunctionRoute {};
  for (const decorator of decorators) decorator(holder);
  return holder;
}
