import { AsyncLocalStorage } from "node:async_hooks";
import path from "node:path";
import type nunjucks from "nunjucks";
import { lazyRequire } from "../util/lazy.js";
import type { Context, UrlForOptions } from "../http/context.js";
import { callSafely, type NodeCallback, settle } from "./callbacks.js";
import type { TemplatesSettings } from "./config.js";
import { TemplateError, toTemplateError } from "./errors.js";
import { ErrorCodes, FlagonError } from "../errors/codes.js";
import {
  checkExtension,
  checkProcessor,
  runProcessors,
  type TemplateContextProcessor,
  type TemplateExtension,
} from "./extensions.js";
import { EMPTY_SESSION, publicConfig, type TemplateSession, urlForGlobal } from "./globals.js";
import { FolderLoader } from "./loader.js";
import { isAutoescaped } from "./names.js";
import { sessionFor } from "./session.js";
import { TemplateSources } from "./sources.js";

/** nunjucks, loaded with the first template an app renders: apps without templates never load it. */
const engine = lazyRequire<typeof nunjucks>("nunjucks");

/** What the template engine needs from its app. */
export interface TemplateHost {
  readonly root: string;
  /** The app config, as templates see it (`{{ config.serverName }}`). */
  readonly config: object;
  urlFor(
    endpoint: string,
    params: Record<string, unknown> | undefined,
    options: UrlForOptions,
    ctx?: Context,
  ): string;
}

export interface TemplateFilterOptions {
  /**
   * The filter returns a promise. nunjucks waits for it, also inside `{% for %}`, but not in an
   * `{% include %}` or a macro called from a plain `{% for %}`: loop there with `{% asyncEach %}`
   * (a render that would lose output that way fails with a TemplateError saying so).
   */
  async?: boolean;
}

/**
 * A filter: gets the value left of `|` and the filter's arguments. Declared as a method so a
 * filter may type its parameters (`(price: number, currency: string) => …`).
 */
export type TemplateFilter = {
  filter(value: unknown, ...args: unknown[]): unknown;
}["filter"];

type GetTemplate = (
  name: unknown,
  eagerCompile: unknown,
  parentName: unknown,
  ignoreMissing: unknown,
  callback?: NodeCallback<nunjucks.Template>,
) => unknown;

interface Engine {
  readonly env: nunjucks.Environment;
  readonly loader: FolderLoader;
}

/** Per render: calls of async filters not finished yet. */
interface RenderState {
  pending: number;
}

interface Engines {
  readonly escaped: Engine;
  readonly plain: Engine;
  /** Keep what was read and compiled (`templates.cache`); off, each render first looks for changes. */
  readonly cache: boolean;
}

/**
 * Wraps a promise-returning filter in the callback form nunjucks calls async filters with, and
 * counts its calls in the render's state until they finish.
 */
function asyncFilter(
  fn: TemplateFilter,
  renders: AsyncLocalStorage<RenderState>,
): (...args: unknown[]) => void {
  return (...args) => {
    const callback = args.pop() as NodeCallback<unknown>;
    const state = renders.getStore();
    if (state) state.pending += 1;
    const result = new Promise((resolve) => resolve(fn(args[0], ...args.slice(1))));
    settle(
      result.finally(() => {
        if (state) state.pending -= 1;
      }),
      callback,
    );
  };
}

/**
 * nunjucks cannot wait for an async filter inside an include or macro called from a plain `for`:
 * it finishes the page while the filter runs, without that part. Such a render fails instead.
 */
function lostOutput(name: string): TemplateError {
  return new TemplateError(
    name,
    `rendering ${JSON.stringify(name)} failed: an async filter was still running when the page was finished: ` +
      "it is used in an {% include %} or a macro called from a plain {% for %} loop, which nunjucks cannot wait for; " +
      "write that loop as {% asyncEach x in items %}…{% endeach %}",
  );
}

/**
 * The app's templates (`app.templates`): nunjucks over the app's template folder (config
 * `templates.folder`, default `templates/` in the app's root) and the folders plugins add, with
 * the app's folder searched first. Markup (.html, .htm, .njk, .xml, .svg, any HTML or XML type)
 * is autoescaped, other templates (.txt, .json) are not; a page's extension decides for
 * everything it extends or includes (a .txt partial inside an .html page is escaped).
 *
 * The template folders are read into memory asynchronously (by `app.ready()`, or before the first
 * render), so a render never waits for the disk and `{% include %}`, `{% import %}` and
 * `{% extends %}` work anywhere, inside `{% for %}` too, as in Jinja. Templates are compiled once.
 * With `templates.cache` on (the default outside development) the folders are read once: files
 * edited or added later are not seen. With it off (the default in development) every render
 * first looks for files that were added, edited or removed, and recompiles those. Files and
 * folders whose name starts with a dot, and `node_modules`, are not read; folders holding more
 * than 10,000 files and folders or 64 MiB of templates fail start-up, and a file over 1 MiB
 * fails when it is rendered.
 * There is no way to compile a string: user input never becomes a template.
 *
 * @example
 * definePlugin({ name: "flagon-plugin-dates", register(app) {
 *   app.templates.addFilter("date", (value) => new Date(value as string).toDateString());
 *   app.templates.addFolder(new URL("../templates", import.meta.url).pathname);
 * } });
 */
export class Templates {
  private readonly extraFolders: string[] = [];
  private readonly globals = new Map<string, unknown>();
  private readonly filters = new Map<string, { fn: TemplateFilter; async: boolean }>();
  /** The state of the render an async filter is called in (used once an async filter is added). */
  private readonly renders = new AsyncLocalStorage<RenderState>();
  private anyAsyncFilter = false;
  private readonly processors: TemplateContextProcessor[] = [];
  private readonly extensions = new Map<string, TemplateExtension>();
  /** Set when the app is built: processors and extensions can no longer be added. */
  private sealed = false;
  private readonly sources = new TemplateSources(
    () => this.folders,
    (names) => this.forget(names),
  );
  private engines: Engines | undefined;
  private appFolder: string | undefined;
  private folderList: readonly string[] | undefined;
  private configSource: object | undefined;
  private configView: Readonly<Record<string, unknown>> = {};

  /** `settings` gives the app's parsed `templates` section (the final one once the app is built). */
  constructor(
    private readonly host: TemplateHost,
    private readonly settings: () => TemplatesSettings,
  ) {}

  /** Adds a value or function every template sees (`{{ siteName }}`, `{{ csrfField() }}`). */
  addGlobal(name: string, value: unknown): this {
    this.globals.set(name, value);
    for (const engine of this.allEngines()) engine.env.addGlobal(name, value);
    return this;
  }

  /**
   * Adds a filter (`{{ price | money("EUR") }}`). With `{ async: true }` the filter returns a
   * promise. A filter that returns markup must return `markSafe(html)`, or it is escaped.
   */
  addFilter(name: string, fn: TemplateFilter, options: TemplateFilterOptions = {}): this {
    const entry = { fn, async: options.async === true };
    this.filters.set(name, entry);
    this.anyAsyncFilter = [...this.filters.values()].some((each) => each.async);
    for (const engine of this.allEngines()) this.installFilter(engine.env, name, entry);
    return this;
  }

  /**
   * Adds a context processor (Flask's `context_processor`): before each render inside a request
   * it gets the request's context and returns values the template sees (it may be async). It
   * runs only when a template is rendered, never for other responses, and not for
   * `templates.render()` without a context. Processors run in registration order; on a clash a
   * later processor's value wins over an earlier one's, and the view's own values win over all.
   * A processor that throws fails the render like a handler error. Refused after `ready()`.
   */
  addContextProcessor(processor: TemplateContextProcessor): this {
    this.assertOpen("addContextProcessor");
    checkProcessor(processor);
    this.processors.push(processor);
    return this;
  }

  /**
   * Adds a nunjucks extension (custom tags such as `{% upper %}…{% endupper %}`), available in
   * every template. Names are unique. Refused after `ready()`.
   */
  addExtension(name: string, extension: TemplateExtension): this {
    this.assertOpen(`addExtension(${JSON.stringify(name)})`);
    checkExtension(name, extension, this.extensions);
    this.extensions.set(name, extension);
    for (const engine of this.allEngines())
      engine.env.addExtension(name, extension as unknown as nunjucks.Extension);
    return this;
  }

  /** Adds a template folder, searched after the app's folder and earlier added ones (for plugins). */
  addFolder(folder: string): this {
    this.extraFolders.push(path.resolve(this.host.root, folder));
    this.folderList = undefined;
    return this;
  }

  /** The folders searched, in order: the app's own first, then those added by plugins. */
  get folders(): readonly string[] {
    this.folderList ??= Object.freeze([this.ownFolder(), ...this.extraFolders]);
    return this.folderList;
  }

  /**
   * Reads the template folders into memory (`app.ready()` calls it, after plugins added their
   * folders; a render reads folders not read yet itself). Rejects with a FlagonError naming the
   * folder when one holds too much or cannot be read.
   */
  async load(): Promise<void> {
    await this.sources.update(false);
  }

  /** @internal `app.ready()`: refuses further processors and extensions, then loads the folders. */
  async start(): Promise<void> {
    this.sealed = true;
    await this.load();
  }

  /**
   * Renders a template to a string. Inside a request pass its context: templates then see
   * `request`, `session`, `flashes()` and a `urlFor` that builds external URLs with the
   * request's host. Errors are TemplateErrors naming the template and line.
   */
  async render(name: string, context: object = {}, ctx?: Context): Promise<string> {
    const engine = this.engineFor(name);
    // All file reading happens here, before rendering: nunjucks then loads from memory.
    if (!this.engines?.cache) await this.sources.update(true);
    else if (!this.sources.complete) await this.sources.update(false);
    const session = ctx ? await sessionFor(ctx) : EMPTY_SESSION;
    const vars = this.requestGlobals(ctx, session);
    if (ctx && this.processors.length > 0) Object.assign(vars, await runProcessors(this.processors, ctx));
    Object.assign(vars, context);
    const state = this.anyAsyncFilter ? { pending: 0 } : undefined;
    return new Promise<string>((resolve, reject) => {
      const done: NodeCallback<string> = (error, output) => {
        if (error) reject(toTemplateError(name, error));
        else if (state && state.pending > 0) reject(lostOutput(name));
        else resolve(output ?? "");
      };
      const getTemplate = engine.env.getTemplate.bind(engine.env) as unknown as GetTemplate;
      const run = () =>
        callSafely(done, () =>
          getTemplate(name, false, null, false, (error, template) => {
            if (error || !template) done(error ?? new Error(`template not found: ${name}`), null);
            else callSafely(done, () => template.render(vars, done));
          }),
        );
      if (state) this.renders.run(state, run);
      else run();
    });
  }

  // ---- internals -----------------------------------------------------------------------------

  private assertOpen(what: string): void {
    if (this.sealed) {
      throw new FlagonError(
        ErrorCodes.TEMPLATES,
        `app.templates.${what}: the app is already built; add it in a plugin's register() or before app.ready()`,
      );
    }
  }

  private ownFolder(): string {
    if (this.appFolder === undefined) {
      this.appFolder = path.resolve(this.host.root, this.settings().folder);
    }
    return this.appFolder;
  }

  private requestGlobals(ctx: Context | undefined, session: TemplateSession): Record<string, unknown> {
    if (this.configSource !== this.host.config) {
      this.configSource = this.host.config;
      this.configView = publicConfig(this.host.config);
    }
    return {
      config: this.configView,
      request: ctx?.request,
      session,
      flashes: (options?: Parameters<TemplateSession["flashes"]>[0]) => session.flashes(options),
      urlFor: urlForGlobal((endpoint, params, options) => this.host.urlFor(endpoint, params, options, ctx)),
    };
  }

  private allEngines(): Engine[] {
    return this.engines ? [this.engines.escaped, this.engines.plain] : [];
  }

  private engineFor(name: string): Engine {
    this.engines ??= this.createEngines();
    return isAutoescaped(name) ? this.engines.escaped : this.engines.plain;
  }

  private createEngines(): Engines {
    const { cache } = this.settings();
    return { escaped: this.createEngine(true), plain: this.createEngine(false), cache };
  }

  private createEngine(autoescape: boolean): Engine {
    const loader = new FolderLoader(this.sources);
    // dev: keep nunjucks's TemplateError (line and column) rather than a bare Error.
    // The loader returns null for a missing template, as nunjucks expects (its types say it never does).
    const env = new (engine().Environment)(loader as nunjucks.ILoader, { autoescape, dev: true });
    for (const [name, value] of this.globals) env.addGlobal(name, value);
    for (const [name, entry] of this.filters) this.installFilter(env, name, entry);
    for (const [name, extension] of this.extensions)
      env.addExtension(name, extension as unknown as nunjucks.Extension);
    return { env, loader };
  }

  /** Drops the compiled templates whose source changed; they are compiled again when next used. */
  private forget(names: ReadonlySet<string>): void {
    for (const engine of this.allEngines()) {
      for (const name of names) delete engine.loader.cache[name];
    }
  }

  private installFilter(
    env: nunjucks.Environment,
    name: string,
    entry: { fn: TemplateFilter; async: boolean },
  ): void {
    const fn = entry.async ? asyncFilter(entry.fn, this.renders) : entry.fn;
    env.addFilter(name, fn, entry.async);
  }
}

/**
 * Marks a string as safe markup, so autoescaping leaves it alone. For filters and globals that
 * build HTML from values they escaped themselves; never for user input.
 */
export function markSafe(html: string): unknown {
  return new (engine().runtime.SafeString)(html);
}
