import type { Logger } from "pino";
import type { DependencyContainer } from "tsyringe";
import type { FlagonApp } from "../app/app-type.js";
import { ErrorCodes, FlagonError } from "../errors/codes.js";
import { type CookieOptions, serializeCookie } from "./cookies.js";
import type { FlagonRequest } from "./request.js";
import type { Session } from "../session/session.js";
import { type FlagonResponse, ResponseHeaders } from "./response.js";
import type { ResponseInit } from "./response.js";
import { renderNow } from "../templating/response.js";

/** A matched route as handlers and hooks see it. */
export interface RouteInfo {
  /** The method this route was registered for (HEAD requests see "GET"). */
  readonly method: string;
  /** The path as declared, e.g. `/todos/<int:id>`. */
  readonly path: string;
  readonly endpoint: string;
  /** The controller class, for controller routes. */
  readonly controller: (abstract new (...args: never[]) => unknown) | undefined;
  /** The handler's method name on the controller, or the function's name. */
  readonly handlerName: string;
  /** Values recorded by route decorators (read them with the decorator's `.get(route)`). */
  readonly metadata: ReadonlyMap<symbol, unknown>;
}

export interface UrlForOptions {
  /** An absolute URL (scheme and host); inside a request they come from the request. */
  external?: boolean;
  /** A fragment, percent-encoded. */
  anchor?: string;
  /** With several routes for one endpoint, the one for this method. */
  method?: string;
}

/** What a context needs from its app; keeps the context free of the app class. */
export interface ContextHost {
  readonly log: Logger;
  urlFor(
    endpoint: string,
    params: Record<string, unknown> | undefined,
    options: UrlForOptions,
    ctx: Context,
  ): string;
}

/** Status, headers and cookies a handler sets for the response it returns. */
export class ResponseControls {
  /** The status for a plain return value (default 200, or 204 for `undefined`). */
  status: number | undefined;
  readonly headers = new ResponseHeaders();

  /** Adds a `Set-Cookie` header (value percent-encoded; `;`, CR, LF in names or attributes throw). */
  setCookie(name: string, value: string, options?: CookieOptions): void {
    this.headers.append("set-cookie", serializeCookie(name, value, options));
  }

  /** Tells the client to drop a cookie (give the path and domain it was set with). */
  clearCookie(name: string, options: Omit<CookieOptions, "maxAge" | "expires"> = {}): void {
    this.setCookie(name, "", { ...options, maxAge: 0, expires: new Date(0) });
  }
}

/**
 * One request's context: the request, the response controls, per-request `state` (Flask's `g`),
 * the matched route and a logger bound to the request id. Handlers get it with `@Ctx()` or as
 * the argument of a function route; request-scoped services can inject it by type.
 */
export class Context {
  readonly request: FlagonRequest;
  route: RouteInfo | undefined;

  /** The app serving this request. */
  readonly app: FlagonApp;
  private readonly host: ContextHost;
  private stateBag: Record<string, unknown> | undefined;
  private beforeSendSteps: Array<(response: FlagonResponse) => unknown> | undefined;
  private beforeSendClosed = false;
  private readonly requestId: string;
  private logger: Logger | undefined;
  private controls: ResponseControls | undefined;
  private requestContainer: DependencyContainer | undefined;

  /** `id` is the request's, given on admission (see `id`). */
  constructor(app: FlagonApp, request: FlagonRequest, id: string) {
    this.app = app;
    this.host = app;
    this.request = request;
    this.requestId = id;
    request.owner = this;
  }

  /** Status, headers and cookies for the response a handler returns as a plain value. */
  get response(): ResponseControls {
    return (this.controls ??= new ResponseControls());
  }

  set response(controls: ResponseControls) {
    this.controls = controls;
  }

  /** @internal The response controls if a handler or hook used them, without creating them. */
  get responseIfUsed(): ResponseControls | undefined {
    return this.controls;
  }

  /** Aborted when the client goes away before the response finished (see `FlagonRequest.signal`). */
  get signal(): AbortSignal {
    return this.request.signal;
  }

  /**
   * The request body, parsed once by its Content-Type with the built-in JSON or form parser or
   * one a plugin added (`app.addBodyParser`), and cached: a preHandler hook (a CSRF check) and
   * the handler's `@Body` share one parse. `accept` lists what may be parsed (`"json"`, `"form"`,
   * a registered name such as `"multipart"`, or a media type); by default the route's `@Body`
   * accept list, or JSON only. Another type is a 415, before a byte is read. A form body comes as
   * an object of strings (arrays for repeated keys).
   *
   * @example
   * app.addHook("preHandler", async (ctx) => {
   *   const form = (await ctx.body(["form", "multipart"])) as Record<string, unknown>;
   *   if (form["csrf_token"] !== expected(ctx)) return abort(403);
   * });
   */
  body(accept?: readonly string[]): Promise<unknown> {
    return this.app.door.bodyParsers.forContext(this, accept);
  }

  /**
   * This request's DI container: a child of `app.container` in which `Context` is this context
   * and request-scoped services have one instance per request. Request-scoped controllers are
   * resolved from it, so a hook or interceptor that resolves a token here gets the controller's
   * instance. Made on first read; disposed after the response was sent.
   *
   * @example
   * app.addHook("preHandler", (ctx) => { ctx.container.resolve(Tenant).load(ctx.request.host); });
   */
  get container(): DependencyContainer {
    if (this.requestContainer === undefined) {
      const child = this.app.container.createChildContainer();
      child.register(Context, { useValue: this });
      this.requestContainer = child;
    }
    return this.requestContainer;
  }

  /** @internal The request's container if something read `container`, without making one. */
  get containerIfUsed(): DependencyContainer | undefined {
    return this.requestContainer;
  }

  /** Per-request scratch space, shared by hooks and the handler (Flask's `g`). */
  get state(): Record<string, unknown> {
    return (this.stateBag ??= Object.create(null) as Record<string, unknown>);
  }

  /**
   * An id for this request, for logs and error reports: the client's `X-Request-Id` when it is
   * 1–128 of `[A-Za-z0-9._:-]`, else a new one. It is echoed in the response's `X-Request-Id`.
   */
  get id(): string {
    return this.requestId;
  }

  /**
   * Runs `step` once the response is known and before `onSend` hooks, inside the request (so a
   * throw becomes an error response). Features use it to finish their work only when they were
   * used, e.g. a session saves itself only if it was loaded. A returned response replaces it.
   */
  beforeSend(step: (response: FlagonResponse) => unknown): void {
    if (this.beforeSendClosed) {
      // e.g. a session first loaded in an onSend hook: its changes could never be saved.
      throw new FlagonError(
        ErrorCodes.APP_STATE,
        "too late to finish work before sending: the response is already in onSend (load the session earlier)",
      );
    }
    (this.beforeSendSteps ??= []).push(step);
  }

  /** @internal Whether any `beforeSend` step waits. */
  hasBeforeSend(): boolean {
    return this.beforeSendSteps !== undefined && this.beforeSendSteps.length > 0;
  }

  /** @internal No more `beforeSend` steps from here on (onSend hooks are running). */
  closeBeforeSend(): void {
    this.beforeSendClosed = true;
  }

  /** @internal The steps registered with `beforeSend`, handed over once. */
  takeBeforeSend(): Array<(response: FlagonResponse) => unknown> {
    const steps = this.beforeSendSteps ?? [];
    this.beforeSendSteps = undefined;
    return steps;
  }

  /** A logger whose lines carry this request's id. */
  get log(): Logger {
    return (this.logger ??= this.host.log.child({ reqId: this.id }));
  }

  /**
   * The visitor's session, loaded on first use (later calls share it) and saved before the
   * response is sent if it changed. A request that never calls it does no session work.
   *
   * @example
   * const session = await ctx.session();
   * session.set("user", user.id);
   */
  session(): Promise<Session> {
    return this.app.door.sessions.load(this);
  }

  /**
   * Whether this request has read its session (`ctx.session()`, `ctx.flash()`, a template that
   * used `session` or `flashes()`): its response depends on who asked, so a cache must not serve
   * it to anyone else.
   */
  get sessionUsed(): boolean {
    return this.app.door.sessions.used(this);
  }

  /** Flashes a message for a later page (Flask's `flash()`); shorthand for `(await ctx.session()).flash(…)`. */
  async flash(message: string, category = "message"): Promise<void> {
    (await this.session()).flash(message, category);
  }

  /** The URL of an endpoint; `external` URLs use this request's scheme and host. */
  urlFor(endpoint: string, params?: Record<string, unknown>, options: UrlForOptions = {}): string {
    return this.host.urlFor(endpoint, params, options, this);
  }

  /**
   * Renders a template now, with this request's globals (`request`, `session`, `flashes()`,
   * `urlFor`), and resolves with the response; `render()` is the deferred form.
   */
  render(template: string, context?: Record<string, unknown>, init?: ResponseInit): Promise<FlagonResponse> {
    return renderNow(this, template, context, init);
  }
}
