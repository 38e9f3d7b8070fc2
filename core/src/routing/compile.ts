// Route compilation: controllers and function routes to one table of ready-to-run routes
// (binders, DI, hooks, interceptors, serializers), built once at start-up by app/lifecycle.ts.
import { ErrorCodes, FlagonError } from "../errors/codes.js";
import type { Context, RouteInfo } from "../http/context.js";
import { type BodyParsers, JSON_ONLY } from "../http/body-parsers.js";
import { type BinderSite, makeBinder } from "./binders.js";
import type { ConverterFactory } from "./converters.js";
import { getController, getParams, getRoutes } from "./metadata.js";
import { joinPath, type ParsedPath, parsePath } from "./path.js";
import { Router } from "./router.js";
import type { AppContainer } from "../di/app-container.js";
import { checkBodyLimit } from "../http/body.js";
import type { ResponseSchema, RouteOptions } from "./metadata.js";
import type { FunctionRoute } from "./function-route.js";
import { decoratedHolder, routeMetadata } from "./route-decorator.js";
import type { HookRegistry, RouteHooks } from "../hooks/registry.js";
import { emptyHookLists, scopedHooks } from "../hooks/use-hooks.js";
import { intercepted } from "../hooks/interceptors.js";

type Class = abstract new (...args: never[]) => unknown;

/** Writes a route's JSON return value for the status being sent (compiled from `response`). */
export type ResponseSerializer = (value: unknown, status: number) => string;

/** Compiles a route's `response` option; `route` names it in errors. */
export type ResponseCompiler = (route: string, schema: ResponseSchema) => ResponseSerializer;

/** One method of one route, ready to run: no reflection happens per request. */
export interface CompiledRoute {
  readonly info: RouteInfo;
  readonly parsed: ParsedPath;
  readonly bodyLimit: number;
  readonly handler: unknown;
  readonly invoke: (ctx: Context) => unknown;
  /** The hooks that apply to this route, compiled once. */
  readonly hooks: RouteHooks;
  /** The serializer for JSON return values when the route declares `response`. */
  readonly serialize: ResponseSerializer | undefined;
  /** A function route with neither a function name nor an `endpoint`: its endpoint is its path. */
  readonly anonymous: boolean;
}

/** A route as listed by `app.routes()`. */
export interface RouteListing {
  readonly methods: readonly string[];
  readonly path: string;
  readonly endpoint: string;
  /** Names of the route decorators on it (the names given to `createRouteDecorator`). */
  readonly decorators: readonly string[];
  /**
   * Present (true) for a function route whose function has no name (an arrow written inline)
   * and that was given no `endpoint`: its endpoint, the urlFor key, is then its path.
   */
  readonly anonymous?: true;
}

/** The routes of a table for `app.routes()`: one entry per endpoint and path, with its methods. */
export function listRoutes(all: readonly CompiledRoute[]): RouteListing[] {
  const byKey = new Map<
    string,
    { methods: string[]; path: string; endpoint: string; decorators: string[]; anonymous?: true }
  >();
  for (const route of all) {
    const key = `${route.info.endpoint} ${route.info.path}`;
    const entry = byKey.get(key) ?? {
      methods: [],
      path: route.info.path,
      endpoint: route.info.endpoint,
      decorators: [...route.info.metadata.keys()].map((k) => k.description ?? k.toString()),
      ...(route.anonymous ? { anonymous: true as const } : {}),
    };
    entry.methods.push(route.info.method);
    byKey.set(key, entry);
  }
  return [...byKey.values()];
}

export interface RouteTable {
  readonly router: Router<CompiledRoute>;
  readonly endpoints: ReadonlyMap<string, readonly CompiledRoute[]>;
  readonly all: readonly CompiledRoute[];
}

export interface RouteSources {
  readonly controllers: readonly Class[];
  readonly functionRoutes: readonly FunctionRoute[];
  readonly converters: Readonly<Record<string, ConverterFactory>>;
  readonly bodyLimit: number;
  readonly di: AppContainer;
  readonly hooks: HookRegistry;
  readonly bodyParsers: BodyParsers;
  /** Present when some route declares `response` (see `declaresResponseSchema`). */
  readonly compileResponse?: ResponseCompiler | undefined;
}

/** Whether any route declares a response schema, i.e. whether the app needs the compiler. */
export function declaresResponseSchema(
  controllers: readonly Class[],
  functionRoutes: readonly FunctionRoute[],
): boolean {
  return (
    functionRoutes.some((route) => route.options.response !== undefined) ||
    controllers.some((cls) => getRoutes(cls).some((record) => record.options.response !== undefined))
  );
}

/** Calls every binder; stays synchronous unless a binder returned a promise. */
function bindArgs(
  binders: readonly ((ctx: Context) => unknown)[],
  ctx: Context,
): unknown[] | Promise<unknown[]> {
  const args = new Array<unknown>(binders.length);
  let pending = false;
  for (let i = 0; i < binders.length; i++) {
    const value = (binders[i] as (ctx: Context) => unknown)(ctx);
    if (value instanceof Promise) pending = true;
    args[i] = value;
  }
  return pending ? Promise.all(args) : args;
}

/** What a route's invoker is built for: one method of it. */
type InvokerSite = Omit<BinderSite, "where">;

/**
 * A controller method's invoker factory: the controller's DI resolution is prepared once per
 * route, the argument binders once per method (a custom parameter sees its method's RouteInfo).
 */
function controllerInvoker(
  cls: Class,
  propertyKey: string,
  sources: RouteSources,
  path: ParsedPath,
): (site: InvokerSite) => (ctx: Context) => unknown {
  const records = getParams(cls, propertyKey);
  const types =
    (Reflect.getMetadata("design:paramtypes", cls.prototype as object, propertyKey) as
      unknown[] | undefined) ?? [];
  const count = Math.max(types.length, ...records.map((r) => r.index + 1), 0);
  for (const record of records) {
    if (record.kind === "param" && record.name !== undefined && !path.paramNames.includes(record.name)) {
      throw new FlagonError(
        ErrorCodes.BAD_PATH,
        `${cls.name}.${propertyKey} reads path variable "${record.name}", which route "${path.source}" does not have`,
      );
    }
  }
  const where = `${cls.name}.${propertyKey}`;
  const bindersFor = (site: InvokerSite): ((ctx: Context) => unknown)[] => {
    const binders: ((ctx: Context) => unknown)[] = [];
    for (let index = 0; index < count; index++) {
      const record = records.find((r) => r.index === index);
      binders.push(record ? makeBinder(record, types[index], { ...site, where }) : () => undefined);
    }
    return binders;
  };
  const resolution = sources.di.prepareController(cls);
  const caller =
    (binders: readonly ((ctx: Context) => unknown)[]) =>
    (instance: unknown, ctx: Context): unknown => {
      const method = (instance as Record<string, (...args: unknown[]) => unknown>)[propertyKey] as (
        ...args: unknown[]
      ) => unknown;
      const args = bindArgs(binders, ctx);
      return args instanceof Promise
        ? args.then((a) => method.apply(instance, a))
        : method.apply(instance, args);
    };
  if (resolution.perRequest || resolution.scope === "transient") {
    return (site) => {
      const call = caller(bindersFor(site));
      // The request's container (`ctx.container`), shared with hooks; disposed after the response.
      return (ctx) => call(ctx.container.resolve(cls as never), ctx);
    };
  }
  let instance: unknown;
  try {
    instance = sources.di.container.resolve(cls as never);
  } catch (error) {
    throw new FlagonError(
      ErrorCodes.DI_UNRESOLVED,
      `cannot build controller ${cls.name}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  return (site) => {
    const call = caller(bindersFor(site));
    return (ctx) => call(instance, ctx);
  };
}

/**
 * Builds the app's route table once: reads controller metadata, validates and wires DI,
 * compiles parameter binders, and fills the router. Every problem is a FlagonError here, at
 * start-up, never at the first request.
 */
export function buildRouteTable(sources: RouteSources): RouteTable {
  const router = new Router<CompiledRoute>();
  const endpoints = new Map<string, CompiledRoute[]>();
  const all: CompiledRoute[] = [];
  sources.di.prepareProviders();

  const add = (
    source: string,
    methods: readonly string[],
    options: RouteOptions,
    info: Omit<RouteInfo, "method" | "path" | "endpoint"> & { endpoint: string },
    handler: unknown,
    makeInvoke: (parsed: ParsedPath) => (site: InvokerSite) => (ctx: Context) => unknown,
    scoped: { classHooks: ReturnType<typeof scopedHooks>; methodHooks: ReturnType<typeof scopedHooks> },
    unnamed = false,
  ): void => {
    const parsed = parsePath(source, sources.converters);
    const ownLimit =
      options.bodyLimit === undefined
        ? undefined
        : checkBodyLimit(`bodyLimit of route ${source}`, options.bodyLimit);
    const bodyLimit = ownLimit ?? sources.bodyLimit;
    const invokerFor = makeInvoke(parsed);
    const endpoint = options.endpoint ?? info.endpoint;
    const anonymous = unnamed && options.endpoint === undefined;
    let serialize: ResponseSerializer | undefined;
    if (options.response !== undefined) {
      const label = `${methods.join(", ")} ${source} (${endpoint})`;
      if (!sources.compileResponse) {
        throw new FlagonError(ErrorCodes.BAD_SCHEMA, `${label}: no compiler for response schemas was loaded`);
      }
      serialize = sources.compileResponse(label, options.response);
    }
    const existing = endpoints.get(endpoint) ?? [];
    // One endpoint may name several handlers only where they share a path (GET and POST of one URL).
    const clash = existing.find((r) => r.handler !== handler && r.parsed.source !== source);
    if (clash) {
      throw new FlagonError(
        ErrorCodes.DUPLICATE_ENDPOINT,
        `endpoint "${endpoint}" names handlers of two paths (${clash.parsed.source} and ${source})`,
      );
    }
    for (const method of methods) {
      const routeInfo: RouteInfo = { ...info, method, path: source, endpoint };
      const site = { route: routeInfo, bodyParsers: sources.bodyParsers, ownLimit };
      const inner = invokerFor(site);
      const hooks = sources.hooks.forRoute(routeInfo, scoped.classHooks, scoped.methodHooks);
      const invoke = intercepted(inner, hooks.intercept, endpoint);
      // After the binders, so that a @Body's accept list is what ctx.body() defaults to.
      if (ownLimit !== undefined)
        sources.bodyParsers.describeRoute(routeInfo, { accept: JSON_ONLY, ownLimit });
      const route: CompiledRoute = {
        info: routeInfo,
        parsed,
        bodyLimit,
        handler,
        invoke,
        hooks,
        serialize,
        anonymous,
      };
      if (!router.add(parsed, method, route)) {
        const other = all.find((r) => r.info.method === method && r.parsed.source === source);
        throw new FlagonError(
          ErrorCodes.DUPLICATE_ROUTE,
          `${method} ${source} is registered twice (${other?.info.endpoint ?? "?"} and ${endpoint})`,
        );
      }
      all.push(route);
      existing.push(route);
    }
    endpoints.set(endpoint, existing);
  };

  for (const cls of sources.controllers) {
    const controller = getController(cls);
    if (!controller) {
      throw new FlagonError(
        ErrorCodes.NOT_A_CONTROLLER,
        `${cls.name} is listed as a controller but lacks @Controller()`,
      );
    }
    for (const record of getRoutes(cls)) {
      const handler = (cls.prototype as Record<string, unknown>)[record.propertyKey];
      add(
        joinPath(controller.prefix, record.path),
        record.methods,
        record.options,
        {
          endpoint: `${cls.name}.${record.propertyKey}`,
          controller: cls,
          handlerName: record.propertyKey,
          metadata: routeMetadata(cls, record.propertyKey),
        },
        handler,
        (parsed) => controllerInvoker(cls, record.propertyKey, sources, parsed),
        {
          classHooks: scopedHooks(cls),
          methodHooks: scopedHooks(cls.prototype as object, record.propertyKey),
        },
      );
    }
  }
  for (const route of sources.functionRoutes) {
    const name = route.handler.name;
    // An arrow written inline has no name ("anonymous" is the name of a `new Function`): its
    // endpoint is its path, which urlFor takes like any name. Flask would name it "<lambda>".
    const unnamed = !name || name === "anonymous";
    const holder = decoratedHolder(route.options.decorators ?? []);
    add(
      route.path,
      route.methods,
      route.options,
      {
        endpoint: unnamed ? route.path : name,
        controller: undefined,
        handlerName: name,
        metadata: routeMetadata(holder, ""),
      },
      route.handler,
      () => () => route.handler,
      { classHooks: scopedHooks(holder), methodHooks: emptyHookLists() },
      unnamed,
    );
  }
  return { router, endpoints, all };
}
