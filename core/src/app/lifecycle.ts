import { existsSync } from "node:fs";
import path from "node:path";
import type { Keyv } from "keyv";
import { loadConfig, type LoadedConfig } from "../config/load.js";
import {
  type CoreConfig,
  type ParsedConfig,
  parseConfig,
  type ResolvedConfig,
  type Settings,
} from "../config/schema.js";
import type { AppContainer } from "../di/app-container.js";
import { ErrorCodes, FlagonError } from "../errors/codes.js";
import type { HookRegistry, Slot } from "../hooks/registry.js";
import type { BodyParsers } from "../http/body-parsers.js";
import type { ConverterFactory } from "../routing/converters.js";
import { SessionManager } from "../session/manager.js";
import { type StaticFolderSpec, staticRoutes } from "../static/static-folders.js";
import { renderInterceptor, rendersTemplate } from "../templating/render-decorator.js";
import type { Context } from "../http/context.js";
import type { DispatchDeps, ErrorHandler, ErrorKey } from "./dispatch.js";
import { FrontDoor } from "./exchange.js";
import type { PluginQueue } from "./plugin-queue.js";
import { buildRouteTable, declaresResponseSchema } from "../routing/compile.js";
import type { FunctionRoute } from "../routing/function-route.js";

type Class = abstract new (...args: never[]) => unknown;

/**
 * Where the app is in its life (`app.state`): `starting` until `ready()` has finished (also while
 * only built, and after a failed start), `ready` once the `onReady` hooks all ran, `closing` from
 * the moment `close()` is called, `closed` once the `onClose` hooks have run.
 */
export type AppState = "starting" | "ready" | "closing" | "closed";

/** The app itself (its public side, read when it runs): what contexts name as `ctx.app`. */
type LifecycleApp = Context["app"];

/** The app's parts the build puts together; the arrays and maps are the app's own, shared. */
export interface LifecycleParts {
  readonly codeConfig: CoreConfig;
  readonly configFile: string | false | undefined;
  readonly ownLogger: boolean;
  readonly sessionStore: Keyv | undefined;
  readonly di: AppContainer;
  readonly hooks: HookRegistry;
  readonly bodyParsers: BodyParsers;
  readonly pluginQueue: PluginQueue;
  readonly controllers: Class[];
  readonly functionRoutes: FunctionRoute[];
  readonly staticFolders: StaticFolderSpec[];
  readonly errorHandlers: Map<ErrorKey, ErrorHandler>;
  readonly converters: Record<string, ConverterFactory>;
}

/**
 * One app's start-up and shutdown: `build()` (config, plugins, routes, DI, hook pipelines,
 * `onRoute`), `ready()` (build, then `onReady`), and `close()` (`onClose`, in reverse). Holds
 * what the build produced: the config and its parsed settings, the dispatch tables, sessions,
 * the front door.
 */
export class Lifecycle {
  config: ResolvedConfig;
  /** The core sections, parsed: from the code's config at first, from the final one once built. */
  settings: Settings;
  deps: DispatchDeps | undefined;
  sessions: SessionManager | undefined;
  private parsed: ParsedConfig;
  /** Where requests come in (both front doors), once built. */
  door: FrontDoor | undefined;
  private loaded: LoadedConfig | undefined;
  private buildPromise: Promise<void> | undefined;
  private readyPromise: Promise<void> | undefined;
  /** How many of each owner's (plugin slot's, or the app's) onReady hooks have run. */
  private readonly opened = new Map<Slot, number>();
  state: AppState = "starting";
  private closed = false;

  constructor(
    private readonly app: LifecycleApp,
    private readonly parts: LifecycleParts,
  ) {
    // Parsed now so that bad config given in code fails `new Flagon()`; `start()` parses again
    // only the sections the config file or the environment changed.
    this.parsed = parseConfig(parts.codeConfig);
    this.config = this.parsed.config;
    this.settings = this.parsed.settings;
  }

  ready(): Promise<void> {
    this.readyPromise ??= this.build()
      .then(() => this.runReadyHooks())
      .then(() => {
        if (this.state === "starting") this.state = "ready";
      });
    return this.readyPromise;
  }

  build(): Promise<void> {
    this.buildPromise ??= this.start();
    return this.buildPromise;
  }

  /** Closes the server (if any), the sessions, then runs the `onClose` hooks in reverse order. */
  async close(server: { close(): Promise<void> } | undefined): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.state = "closing";
    if (server) await server.close();
    await this.sessions?.close();
    const unopened = this.unopened();
    for (const { fn: hook, owner } of this.parts.hooks.owned("onClose").reverse()) {
      if (unopened.has(owner)) continue;
      try {
        await hook();
      } catch (error) {
        this.app.log.error({ err: error }, "onClose hook failed");
      }
    }
    this.state = "closed";
  }

  private async start(): Promise<void> {
    const { parts, app } = this;
    this.loaded = await loadConfig({ root: app.root, configFile: parts.configFile, code: parts.codeConfig });
    this.parsed = parseConfig(this.loaded.config, this.parsed);
    this.config = this.parsed.config;
    this.settings = this.parsed.settings;
    if (parts.ownLogger && this.config.logLevel !== undefined) app.log.level = this.config.logLevel;
    await parts.pluginQueue.run(this.loaded, this.settings.pluginTimeout);
    // After the plugins: one that `requires: ["sessions"]` makes the secret key mandatory.
    const sessions = await SessionManager.create({
      settings: this.settings.session,
      store: parts.sessionStore,
      log: app.log,
      required: parts.pluginQueue.required.has("sessions"),
    });
    this.sessions = sessions;
    parts.functionRoutes.push(...(await staticRoutes(app.root, this.settings.static, parts.staticFolders)));
    await app.templates.start();
    this.checkTemplatesRequired();
    const deps = await this.compile();
    this.door = new FrontDoor({
      app: this.app,
      deps,
      log: app.log,
      bodyLimit: this.settings.bodyLimit,
      proxyTrust: this.settings.trustProxy,
      security: this.settings.securityHeaders,
      requestLog: this.settings.requestLog,
      bodyParsers: parts.bodyParsers,
      sessions,
    });
    for (const hook of parts.hooks.all("onRoute")) {
      for (const route of deps.table.all) await hook(route.info);
    }
  }

  private checkTemplatesRequired(): void {
    const plugin = this.parts.pluginQueue.required.get("templates");
    if (plugin === undefined) return;
    const folder = path.resolve(this.app.root, this.settings.templates.folder);
    if (!existsSync(folder)) {
      throw new FlagonError(
        ErrorCodes.PLUGIN_REQUIRES,
        `plugin ${plugin} requires templates, but the template folder ${folder} does not exist`,
      );
    }
  }

  private async runReadyHooks(): Promise<void> {
    for (const { fn, owner } of this.parts.hooks.owned("onReady")) {
      await fn();
      this.opened.set(owner, (this.opened.get(owner) ?? 0) + 1);
    }
  }

  /**
   * Owners whose onClose hooks must not run: those with an onReady hook that did not run (it
   * failed, came after a failure, or start-up stopped before onReady), and the plugin whose
   * `register` failed. Everyone else opened what they close, whether start-up finished or not.
   */
  private unopened(): Set<Slot> {
    const skip = new Set<Slot>();
    const pending = new Map<Slot, number>();
    for (const { owner } of this.parts.hooks.owned("onReady")) {
      pending.set(owner, (pending.get(owner) ?? 0) + 1);
    }
    for (const [owner, count] of pending) if ((this.opened.get(owner) ?? 0) < count) skip.add(owner);
    const failed = this.parts.pluginQueue.failed;
    if (failed) skip.add(failed);
    return skip;
  }

  private async compile(): Promise<DispatchDeps> {
    const { parts } = this;
    // fast-json-stringify (and its Ajv) loads only for an app with a response schema.
    const compileResponse = declaresResponseSchema(parts.controllers, parts.functionRoutes)
      ? (await import("./response-serializer.js")).createResponseCompiler()
      : undefined;
    // @Render is applied like a plugin's route decorator: by an interceptor for the routes it marks.
    parts.hooks.addCore("intercept", renderInterceptor, { appliesTo: rendersTemplate });
    const table = buildRouteTable({
      controllers: parts.controllers,
      functionRoutes: parts.functionRoutes,
      converters: parts.converters,
      bodyLimit: this.settings.bodyLimit,
      di: parts.di,
      hooks: parts.hooks,
      bodyParsers: parts.bodyParsers,
      compileResponse,
    });
    this.deps = {
      table,
      errorHandlers: parts.errorHandlers,
      exposeInternals: this.settings.env === "development",
      // An app that serves no templates is an API: its errors are problem details for a client
      // that states no preference for HTML (curl, fetch).
      apiApp: !this.app.templates.folders.some((folder) => existsSync(folder)),
      onRequest: parts.hooks.all("onRequest"),
      unrouted: parts.hooks.unrouted(),
    };
    return this.deps;
  }

  /** The dispatch tables; throws APP_STATE before the app is built. */
  built(what: string): DispatchDeps {
    if (!this.deps)
      throw new FlagonError(
        ErrorCodes.APP_STATE,
        `cannot ${what} before the app is ready: await app.ready()`,
      );
    return this.deps;
  }
}
