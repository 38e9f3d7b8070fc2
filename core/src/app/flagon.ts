import { randomBytes } from "node:crypto";
import { pino, type Logger, type LoggerOptions } from "pino";
import type { DependencyContainer } from "tsyringe";
import { AppContainer } from "../di/app-container.js";
import type { Provider } from "../di/providers.js";
import { ErrorCodes, FlagonError } from "../errors/codes.js";
import { Context, type ContextHost, type UrlForOptions } from "../http/context.js";
import { FlagonRequest, type RawRequest } from "../http/request.js";
import type { FlagonResponse } from "../http/response.js";
import { builtinConverters, type ConverterFactory } from "../routing/converters.js";
import type { RouteOptions } from "../routing/metadata.js";
import { buildPath } from "../routing/path.js";
import { NodeServer, type ListenOptions, type ServerAddress } from "../adapters/node/server.js";
import { type InjectOptions, type InjectResponse, inject } from "../testing/inject.js";
import { TestClient } from "../testing/test-client.js";
import { type CoreConfig, type ResolvedConfig, resolveConfig } from "./config.js";
import { dispatch, type DispatchDeps, type ErrorHandler, type ErrorKey } from "./dispatch.js";
import { buildRouteTable, type FunctionRoute, type RouteHandler } from "./route-table.js";

type Class = abstract new (...args: never[]) => unknown;

export interface FlagonOptions {
  /** Classes decorated with `@Controller()`. */
  controllers?: readonly Class[];
  /** Services and values for the app's container (classes are also found from constructor types). */
  providers?: readonly Provider[];
  /** The app config: the core's keys (`env`, `bodyLimit`, `server`…) and plugins' sections. */
  config?: CoreConfig;
  /** Where `templates/`, `static/` and the config file are looked for (default: the working directory). */
  root?: string;
  /** A pino logger, pino options, or false for none. */
  logger?: Logger | LoggerOptions | false;
  /** Extra path converters, by name (`<slug:s>`). */
  converters?: Record<string, ConverterFactory>;
}

/** A route as listed by `app.routes()`. */
export interface RouteListing {
  readonly methods: readonly string[];
  readonly path: string;
  readonly endpoint: string;
}

function isLogger(value: unknown): value is Logger {
  return typeof value === "object" && value !== null && typeof (value as Logger).child === "function";
}

/**
 * A Flagon application: controllers and function routes, its own DI container, error handlers,
 * and the server. Everything is built once by `ready()` (called by `listen` and `inject`).
 *
 * @example
 * const app = new Flagon({ controllers: [Todos] });
 * app.get("/", () => "Hello, World!");
 * await app.listen({ port: 3000 });
 */
export class Flagon implements ContextHost {
  /** The app's own tsyringe container (a child container; apps share nothing). */
  readonly container: DependencyContainer;
  readonly config: ResolvedConfig;
  readonly root: string;
  readonly log: Logger;

  private readonly di = new AppContainer();
  private readonly controllers: Class[];
  private readonly functionRoutes: FunctionRoute[] = [];
  private readonly errorHandlers = new Map<ErrorKey, ErrorHandler>();
  private readonly converters: Record<string, ConverterFactory>;
  private readonly idPrefix = randomBytes(4).toString("hex");
  private requestCount = 0;
  private deps: DispatchDeps | undefined;
  private readyPromise: Promise<void> | undefined;
  private server: NodeServer | undefined;

  constructor(options: FlagonOptions = {}) {
    this.config = resolveConfig(options.config);
    this.root = options.root ?? process.cwd();
    this.controllers = [...(options.controllers ?? [])];
    this.converters = { ...builtinConverters, ...options.converters };
    this.container = this.di.container;
    for (const provider of options.providers ?? []) this.di.addProvider(provider);
    if (options.logger === false) this.log = pino({ enabled: false });
    else if (isLogger(options.logger)) this.log = options.logger;
    else {
      const level = this.config.logLevel ?? (this.config.env === "test" ? "silent" : "info");
      this.log = pino({ level, ...options.logger });
    }
  }

  /** Adds a route for the given methods; the handler gets the request context. */
  route(path: string, methods: readonly string[], handler: RouteHandler, options: RouteOptions = {}): this {
    if (this.deps)
      throw new FlagonError(ErrorCodes.APP_STATE, `cannot add route ${path}: the app is already built`);
    if (methods.length === 0) throw new FlagonError(ErrorCodes.BAD_PATH, `route ${path} lists no methods`);
    this.functionRoutes.push({ path, methods: methods.map((m) => m.toUpperCase()), handler, options });
    return this;
  }

  get(path: string, handler: RouteHandler, options?: RouteOptions): this {
    return this.route(path, ["GET"], handler, options);
  }

  post(path: string, handler: RouteHandler, options?: RouteOptions): this {
    return this.route(path, ["POST"], handler, options);
  }

  put(path: string, handler: RouteHandler, options?: RouteOptions): this {
    return this.route(path, ["PUT"], handler, options);
  }

  patch(path: string, handler: RouteHandler, options?: RouteOptions): this {
    return this.route(path, ["PATCH"], handler, options);
  }

  delete(path: string, handler: RouteHandler, options?: RouteOptions): this {
    return this.route(path, ["DELETE"], handler, options);
  }

  /**
   * Handles errors of one status (`404`) or one class (and its subclasses; the closest class
   * wins over a status). A plain return value is sent with the error's status.
   */
  setErrorHandler(key: ErrorKey, handler: ErrorHandler): this {
    this.errorHandlers.set(key, handler);
    return this;
  }

  /** Builds routes and DI; rejects with a FlagonError on any start-up problem. Idempotent. */
  ready(): Promise<void> {
    this.readyPromise ??= Promise.resolve().then(() => {
      this.build();
    });
    return this.readyPromise;
  }

  /** Handles one request from an adapter. The app must be ready. */
  handle(raw: RawRequest): Promise<FlagonResponse> {
    const deps = this.deps ?? this.build();
    const ctx = new Context(this, new FlagonRequest(raw, this.config.bodyLimit));
    return dispatch(ctx, deps);
  }

  /** Sends a request through the app without a socket (see `@flagon/core/testing`). */
  inject(request: InjectOptions | string): Promise<InjectResponse> {
    return inject(this, request);
  }

  /** A client that keeps cookies across requests, like Flask's test client. */
  testClient(): TestClient {
    return new TestClient(this);
  }

  /** Starts the node:http server; resolves with the bound address. */
  async listen(options: ListenOptions = {}): Promise<ServerAddress> {
    if (this.server) throw new FlagonError(ErrorCodes.APP_STATE, "the app is already listening");
    await this.ready();
    this.server = new NodeServer((raw) => this.handle(raw), this.config.server, this.log);
    return this.server.listen(options);
  }

  /** Stops gracefully: in-flight requests finish, new ones get 503, idle sockets close. */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await server.close();
    this.server = undefined;
  }

  /** Every route, as `{ methods, path, endpoint }`. */
  routes(): RouteListing[] {
    const { table } = this.deps ?? this.build();
    const byKey = new Map<string, { methods: string[]; path: string; endpoint: string }>();
    for (const route of table.all) {
      const key = `${route.info.endpoint} ${route.info.path}`;
      const entry = byKey.get(key) ?? { methods: [], path: route.info.path, endpoint: route.info.endpoint };
      entry.methods.push(route.info.method);
      byKey.set(key, entry);
    }
    return [...byKey.values()];
  }

  /**
   * The URL of an endpoint (`"Todos.show"`, or a function route's name). Values that are not
   * path variables become the query string.
   *
   * @example
   * app.urlFor("Todos.show", { id: 3, q: "a b" }); // "/todos/3?q=a+b"
   */
  urlFor(
    endpoint: string,
    params?: Record<string, unknown>,
    options: UrlForOptions = {},
    ctx?: Context,
  ): string {
    const { table } = this.deps ?? this.build();
    const routes = table.endpoints.get(endpoint);
    if (!routes) throw new FlagonError(ErrorCodes.URL_BUILD, `unknown endpoint "${endpoint}"`);
    const values = params ?? {};
    const method = options.method?.toUpperCase();
    const candidates = method ? routes.filter((r) => r.info.method === method) : routes;
    const usable = candidates.filter((r) =>
      r.parsed.paramNames.every((n) => values[n] !== undefined && values[n] !== null),
    );
    const chosen = usable.sort((a, b) => b.parsed.paramNames.length - a.parsed.paramNames.length)[0];
    if (!chosen) {
      const first = candidates[0];
      const missing = first ? first.parsed.paramNames.filter((n) => values[n] === undefined) : [];
      throw new FlagonError(
        ErrorCodes.URL_BUILD,
        first
          ? `endpoint "${endpoint}" needs ${missing.map((n) => `"${n}"`).join(", ")}`
          : `endpoint "${endpoint}" has no ${method ?? ""} route`,
      );
    }
    let url = buildPath(chosen.parsed, values);
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(values)) {
      if (chosen.parsed.paramNames.includes(key) || value === undefined || value === null) continue;
      for (const item of Array.isArray(value) ? (value as unknown[]) : [value])
        query.append(key, String(item));
    }
    const search = query.toString();
    if (search) url += `?${search}`;
    if (options.anchor !== undefined) url += `#${encodeURIComponent(options.anchor)}`;
    if (!options.external) return url;
    if (ctx) return `${ctx.request.protocol}://${ctx.request.host}${url}`;
    if (this.config.serverName === undefined) {
      throw new FlagonError(
        ErrorCodes.URL_BUILD,
        "an external URL outside a request needs config.serverName",
      );
    }
    return `${this.config.preferredScheme ?? "http"}://${this.config.serverName}${url}`;
  }

  /** @internal Request ids: a per-app random prefix and a counter. */
  nextRequestId(): string {
    this.requestCount += 1;
    return `${this.idPrefix}-${this.requestCount.toString(36)}`;
  }

  private build(): DispatchDeps {
    if (this.deps) return this.deps;
    const table = buildRouteTable({
      controllers: this.controllers,
      functionRoutes: this.functionRoutes,
      converters: this.converters,
      bodyLimit: this.config.bodyLimit,
      di: this.di,
    });
    this.deps = {
      table,
      errorHandlers: this.errorHandlers,
      exposeInternals: this.config.env === "development",
    };
    return this.deps;
  }
}
