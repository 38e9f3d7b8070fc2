import { pino, type Logger } from "pino";
import type { Keyv } from "keyv";
import type { DependencyContainer } from "tsyringe";
import { NodeServer, type ListenOptions, type ServerAddress } from "../adapters/node/server.js";
import { AppContainer } from "../di/app-container.js";
import type { Provider } from "../di/providers.js";
import type { CoreConfig, ResolvedConfig } from "../config/schema.js";
import { ErrorCodes, FlagonError } from "../errors/codes.js";
import type { HookName, HookSignatures } from "../hooks/names.js";
import { type HookOptions, HookRegistry } from "../hooks/registry.js";
import type { Interceptor } from "../hooks/interceptors.js";
import type { Context, ContextHost, RouteInfo, UrlForOptions } from "../http/context.js";
import { type BodyParser, type BodyParserOptions, BodyParsers } from "../http/body-parsers.js";
import type { RawRequest } from "../http/request.js";
import { type AppSigner, appSigner } from "../session/app-signer.js";
import { builtinConverters, type ConverterFactory } from "../routing/converters.js";
import type { RouteOptions } from "../routing/metadata.js";
import { buildUrl } from "../routing/url-for.js";
import { Templates } from "../templating/engine.js";
import {
  type StaticFolderOptions,
  type StaticFolderSpec,
  staticFolderSpec,
} from "../static/static-folders.js";
import { type InjectOptions, type InjectResponse, inject } from "../testing/inject.js";
import { TestClient } from "../testing/test-client.js";
import { checkCommand, type Command, type CommandOptions } from "./commands.js";
import type { ErrorHandler, ErrorKey } from "./dispatch.js";
import type { FrontDoor } from "./exchange.js";
import type { Answer } from "../http/wire.js";
import { ErrorHandlerOwners } from "./error-handlers.js";
import { type AppState, Lifecycle } from "./lifecycle.js";
import { createLogger, type FlagonLoggerOptions } from "./logger.js";
import { type PluginEntry, PluginQueue } from "./plugin-queue.js";
import type { FlagonPlugin } from "./plugins.js";
import { listRoutes, type RouteListing } from "../routing/compile.js";
import type { FunctionRoute, RouteHandler } from "../routing/function-route.js";

type Class = abstract new (...args: never[]) => unknown;

export type { RouteListing } from "../routing/compile.js";

export interface FlagonOptions {
  /** Classes decorated with `@Controller()`. */
  controllers?: readonly Class[];
  /** Services and values for the app's container (classes are also found from constructor types). */
  providers?: readonly Provider[];
  /** Plugins to register, each alone or with its options: `[cors, { origins: ["https://a.test"] }]`. */
  plugins?: readonly PluginEntry[];
  /** The app config from code; it overrides the config file and `FLAGON_*` environment variables. */
  config?: CoreConfig;
  /** Where `templates/`, `static/`, `.env` and the config file are looked for (default: the working directory). */
  root?: string;
  /** The config file to read (relative to `root`), or false to read none; by default it is searched for. */
  configFile?: string | false;
  /**
   * A pino logger (used as is), options for the one the app builds (secrets redacted, pretty in
   * development; `stream` to send the lines elsewhere, e.g. into a test), or false for none.
   */
  logger?: Logger | FlagonLoggerOptions | false;
  /** Extra path converters, by name (`<slug:s>`). */
  converters?: Record<string, ConverterFactory>;
  /** A Keyv store for server-side sessions (Redis, …); Flagon makes it throw on store errors. */
  sessionStore?: Keyv;
}

function isLogger(value: unknown): value is Logger {
  return typeof value === "object" && value !== null && typeof (value as Logger).child === "function";
}

/**
 * A Flagon application: controllers and function routes, its own DI container, hooks, plugins,
 * error handlers, and the server. `ready()` (called by `listen` and `inject`) loads the config,
 * registers plugins and builds everything once.
 *
 * @example
 * const app = new Flagon({ controllers: [Todos] });
 * app.get("/", () => "Hello, World!");
 * await app.listen({ port: 3000 });
 */
export class Flagon implements ContextHost {
  /** The app's own tsyringe container (a child container; apps share nothing). */
  readonly container: DependencyContainer;
  readonly root: string;
  readonly log: Logger;
  /** The app's templates: nunjucks over `templates/` and plugin folders; `addGlobal`, `addFilter`, `addFolder`. */
  readonly templates: Templates;

  private readonly life: Lifecycle;
  private readonly di = new AppContainer();
  private readonly hooks = new HookRegistry();
  private readonly bodyParsers = new BodyParsers();
  private readonly pluginQueue = new PluginQueue(this, this.hooks);
  private readonly controllers: Class[];
  private readonly functionRoutes: FunctionRoute[] = [];
  private readonly staticFolders: StaticFolderSpec[] = [];
  private readonly errorHandlers = new Map<ErrorKey, ErrorHandler>();
  private readonly errorOwners = new ErrorHandlerOwners();
  private readonly commandList: Command[] = [];
  private readonly converters: Record<string, ConverterFactory>;
  private server: NodeServer | undefined;

  constructor(options: FlagonOptions = {}) {
    this.root = options.root ?? process.cwd();
    this.controllers = [...(options.controllers ?? [])];
    this.converters = { ...builtinConverters, ...options.converters };
    this.life = new Lifecycle(this, {
      codeConfig: options.config ?? {},
      configFile: options.configFile,
      ownLogger: !isLogger(options.logger),
      sessionStore: options.sessionStore,
      di: this.di,
      hooks: this.hooks,
      bodyParsers: this.bodyParsers,
      pluginQueue: this.pluginQueue,
      controllers: this.controllers,
      functionRoutes: this.functionRoutes,
      staticFolders: this.staticFolders,
      errorHandlers: this.errorHandlers,
      converters: this.converters,
    });
    this.templates = new Templates(this, () => this.life.settings.templates);
    this.container = this.di.container;
    for (const provider of options.providers ?? []) this.di.addProvider(provider);
    for (const entry of options.plugins ?? []) this.pluginQueue.add(entry, this.hooks.reserve());
    if (options.logger === false) this.log = pino({ enabled: false });
    else if (isLogger(options.logger)) this.log = options.logger;
    else this.log = createLogger({ level: this.defaultLogLevel(), ...options.logger }, this.config.env);
  }

  /** The merged config (defaults < file < environment < code); complete after `ready()`. */
  get config(): ResolvedConfig {
    return this.life.config;
  }

  /** `starting`, `ready`, `closing` or `closed`: for readiness routes (docs/plugins.md, "Health"). */
  get state(): AppState {
    return this.life.state;
  }

  /**
   * The options a registered plugin got: its config section merged with the options given to
   * `register`, as its `configSchema` validated and defaulted them; undefined for an unknown name.
   */
  pluginOptions<T = unknown>(name: string): T | undefined {
    return this.pluginQueue.options.get(name) as T | undefined;
  }

  /** Registered plugins: name → version. */
  get plugins(): ReadonlyMap<string, string | undefined> {
    return this.pluginQueue.registered;
  }

  // ---- building the app (before ready) ---------------------------------------------------

  /** Adds a route for the given methods; the handler gets the request context. */
  route(path: string, methods: readonly string[], handler: RouteHandler, options: RouteOptions = {}): this {
    this.assertOpen(`add route ${path}`);
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

  /** Adds controllers (for plugins; apps usually pass them to the constructor). */
  addController(...controllers: Class[]): this {
    this.assertOpen("add a controller");
    this.controllers.push(...controllers);
    return this;
  }

  /**
   * Serves the files of a folder (relative to the app root) at `<prefix>/<path:filename>`, with
   * the guarantees of the default static folder. For plugins shipping assets, or several folders.
   *
   * @example
   * app.addStaticFolder("/admin/static", "admin-assets", { endpoint: "admin.static" });
   * app.urlFor("admin.static", { filename: "admin.css" }); // "/admin/static/admin.css"
   */
  addStaticFolder(prefix: string, folder: string, options?: StaticFolderOptions): this {
    this.assertOpen(`add static folder ${folder}`);
    this.staticFolders.push(staticFolderSpec(prefix, folder, options));
    return this;
  }

  /** Adds DI providers (for plugins; apps usually pass them to the constructor). */
  provide(...providers: Provider[]): this {
    this.assertOpen("add a provider");
    for (const provider of providers) this.di.addProvider(provider);
    return this;
  }

  /**
   * Adds a hook (see the hook table in docs/plugins.md). Route hooks may be limited with
   * `appliesTo(route)`, asked once per route at start-up.
   *
   * @example
   * app.addHook("preHandler", requireLogin, { appliesTo: (route) => LoginRequired.has(route) });
   */
  addHook<N extends HookName>(name: N, fn: HookSignatures[N], options?: HookOptions): this {
    this.assertOpen(`add a ${name} hook`);
    this.hooks.add(name, fn, options);
    return this;
  }

  /**
   * Adds a parser for bodies of one media type (for plugins; docs/plugins.md), for routes that accept
   * it (`@Body(s, { accept: ["csv"] })`) and `ctx.body()`. Its `limit` applies unless the route sets a
   * `bodyLimit`; without either, `config.bodyLimit` does.
   * @example
   * app.addBodyParser("text/csv", async ({ stream }) => parseCsv(await text(stream)), { name: "csv" });
   */
  addBodyParser(mediaType: string, parse: BodyParser, options?: BodyParserOptions): this {
    this.assertOpen(`add a body parser for ${mediaType}`);
    this.bodyParsers.add(mediaType, parse, options);
    return this;
  }

  /**
   * Adds an interceptor around route handlers (docs/plugins.md#interceptors): `next()` runs the
   * rest of the chain and the handler, and resolves to its value; return it, or another value.
   * @example
   * app.addInterceptor((ctx, next) => store.run({ id: ctx.id }, next));
   */
  addInterceptor(interceptor: Interceptor, options?: HookOptions): this {
    this.assertOpen("add an interceptor");
    this.hooks.add("intercept", interceptor, options);
    return this;
  }

  /** Registers a plugin; plugins run in order during `ready()`. */
  register<Options>(plugin: FlagonPlugin<Options, Flagon>, options?: Partial<Options>): this {
    this.assertOpen(`register plugin ${plugin.name}`);
    this.pluginQueue.add([plugin, options], this.hooks.reserve());
    return this;
  }

  /**
   * Adds a `flagon <name>` command (for plugins): a leaf with `run`, or a group of subcommands.
   * Refuses, with FLAGON_ERR_BAD_COMMAND, a name outside `[a-z][a-z0-9-]*`, a built-in's name,
   * a duplicate, and malformed options or arguments. See docs/cli.md.
   *
   * @example
   * app.addCommand({
   *   name: "seed",
   *   description: "Fill the database with sample rows",
   *   options: { count: { type: "number", default: 10 } },
   *   ready: true, // run the onReady hooks (open the pool) first
   *   async run({ values, stdout }, app) { stdout.write(`seeded ${await seed(app, values.count)}\n`); },
   * });
   */
  addCommand<const O extends CommandOptions = Record<never, never>>(command: Command<O>): this {
    checkCommand(command, [], this.commandList);
    this.commandList.push(command);
    return this;
  }

  /** Commands added by plugins. */
  commands(): readonly Command[] {
    return this.commandList;
  }

  /**
   * Handles errors of one status (`404`) or one class (and its subclasses; the closest class
   * wins over a status). A plain return value is sent with the error's status. The app's own
   * handler wins over one a plugin sets for the same key (the plugin's is dropped, with a warning).
   */
  setErrorHandler(key: ErrorKey, handler: ErrorHandler): this {
    this.errorOwners.set(this.errorHandlers, key, handler, this.hooks.current.plugin, this.log);
    return this;
  }

  // ---- start-up and shutdown ---------------------------------------------------------------

  /**
   * Loads the config, registers plugins, builds routes, DI and hook pipelines, then runs
   * `onRoute` and `onReady` hooks. Rejects with a FlagonError on any start-up problem. Idempotent.
   */
  ready(): Promise<void> {
    return this.life.ready();
  }

  /**
   * Everything `ready()` does except the `onReady` hooks: the app is complete (routes, DI, hook
   * pipelines, `onRoute` hooks run) but has opened none of the resources those hooks open. This
   * is the command mode of `flagon routes` and plugin commands; `ready()` afterwards runs just
   * the `onReady` hooks, and `close()` runs `onClose` hooks only for the plugins (and the app)
   * whose `onReady` hooks all ran, or that have none. Idempotent.
   *
   * @example
   * await app.build();
   * console.log(app.routes()); // no database pool was opened
   * await app.close();
   */
  build(): Promise<void> {
    return this.life.build();
  }

  /** Starts the node:http server; resolves with the bound address. */
  async listen(options: ListenOptions = {}): Promise<ServerAddress> {
    if (this.server) throw new FlagonError(ErrorCodes.APP_STATE, "the app is already listening");
    await this.ready();
    this.server = new NodeServer(this.door, this.life.settings.server, this.log);
    const address = await this.server.listen(options);
    for (const hook of this.hooks.all("onListen")) await hook(address);
    return address;
  }

  /**
   * Stops gracefully: in-flight requests finish, new ones get 503, idle sockets close; then
   * `onClose` hooks run in reverse order (a failing one is logged, the others still run).
   */
  close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    return this.life.close(server);
  }

  // ---- serving -----------------------------------------------------------------------------

  /**
   * Handles one request from a front door (`inject`, an adapter of your own): the answer's
   * `wire` is what goes out, and its `done()` is called once it went out (onResponse hooks, the
   * request line). Synchronous when every step of the request was. The app must be ready.
   */
  handle(raw: RawRequest): Answer | Promise<Answer> {
    return this.door.admit(raw);
  }

  /** Sends a request through the app without a socket (see `@flagon/core/testing`). */
  inject(request: InjectOptions | string): Promise<InjectResponse> {
    return inject(this, request);
  }

  /** A client that keeps cookies across requests, like Flask's test client. */
  testClient(): TestClient {
    return new TestClient(this);
  }

  /**
   * The route a request with this method and path would reach (HEAD finds GET), or undefined.
   * For hooks that run before routing, e.g. a CORS preflight asking about another method.
   */
  matchRoute(method: string, path: string): RouteInfo | undefined {
    try {
      const match = this.built("match routes").table.router.match(method.toUpperCase(), path);
      return match.kind === "found" ? match.route.info : undefined;
    } catch (error) {
      if (error instanceof FlagonError) throw error;
      return undefined; // a path the router refuses (bad percent-encoding) matches nothing
    }
  }

  /** Every route, as `{ methods, path, endpoint, decorators }`. The app must be ready. */
  routes(): RouteListing[] {
    return listRoutes(this.built("list routes").table.all);
  }

  /**
   * The URL of an endpoint (`"Todos.show"`, or a function route's name). Values that are not
   * path variables become the query string. The app must be ready.
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
    return buildUrl(this.built("build URLs").table.endpoints, endpoint, params, options, () => {
      if (ctx) return `${ctx.request.protocol}://${ctx.request.host}`;
      const { serverName, preferredScheme } = this.life.settings.urls;
      if (serverName === undefined) {
        throw new FlagonError(
          ErrorCodes.URL_BUILD,
          "an external URL outside a request needs config.serverName",
        );
      }
      return `${preferredScheme ?? "http"}://${serverName}`;
    });
  }

  /**
   * Signs values for one purpose with the app's secret keys (a key per purpose, derived with
   * HKDF; `secretKeyFallbacks` verify, never sign). May be called early (in a plugin's
   * `register`); the keys are read when it is first used, which must be once the app is ready.
   *
   * @example
   * const reset = app.signer("password-reset");
   * const token = reset.sign(user.id);
   * const result = reset.unsign(token, { maxAge: 3600 });
   * if (!result.ok) ctx.log.info({ reason: result.reason }, "bad reset link");
   */
  signer(purpose: string): AppSigner {
    return appSigner(purpose, (use) => {
      this.built(`use ${use}`);
      return this.door.sessions.signingSecrets(use);
    });
  }

  /**
   * @internal Where the app's requests come in, once it is ready: what contexts, `inject` and the
   * node adapter share (body parsers, sessions, request ids, the security headers).
   */
  get door(): FrontDoor {
    const door = this.life.door;
    if (door === undefined) {
      throw new FlagonError(
        ErrorCodes.APP_STATE,
        "cannot handle requests or use sessions before the app is ready: await app.ready()",
      );
    }
    return door;
  }

  // ---- internals -----------------------------------------------------------------------------

  private built(what: string) {
    return this.life.built(what);
  }

  private assertOpen(what: string): void {
    if (this.life.deps)
      throw new FlagonError(ErrorCodes.APP_STATE, `cannot ${what}: the app is already built`);
  }

  private defaultLogLevel(): string {
    return this.config.logLevel ?? (this.config.env === "test" ? "silent" : "info");
  }
}
