import { BadRequestError, HttpError, MethodNotAllowedError, NotFoundError } from "../errors/http-errors.js";
import { errorAccept, renderError } from "../errors/render.js";
import { devPageAllowed, renderDevPage } from "../errors/dev-page.js";
import { REQUEST_ID_HEADER } from "./request-log.js";
import { type Context, ResponseControls } from "../http/context.js";
import { FlagonResponse, ResponseHeaders } from "../http/response.js";
import { ErrorCodes, FlagonError } from "../errors/codes.js";
import type { CompiledRoute, ResponseSerializer, RouteTable } from "../routing/compile.js";
import type { RouteHooks } from "../hooks/registry.js";
import { isValidHost } from "../http/proxy.js";

/** An error handler: turns an error into a response value (a plain value gets the error's status). */
export type ErrorHandler = (error: unknown, ctx: Context) => unknown;

export type ErrorKey = number | (abstract new (...args: never[]) => unknown);

export interface DispatchDeps {
  readonly table: RouteTable;
  readonly errorHandlers: ReadonlyMap<ErrorKey, ErrorHandler>;
  readonly exposeInternals: boolean;
  /** No template folder: errors are problem details unless the client names HTML. */
  readonly apiApp: boolean;
  readonly onRequest: readonly ((ctx: Context) => unknown)[];
  /** Hooks for requests that match no route. */
  readonly unrouted: RouteHooks;
}

function isStreamish(value: object): boolean {
  return Symbol.asyncIterator in value || typeof (value as { pipe?: unknown }).pipe === "function";
}

/**
 * Turns what a handler returned into a response. A string is HTML, an object or array JSON,
 * `undefined` a 204, bytes and streams octet-streams, a FlagonResponse itself; status and headers
 * set through `ctx.response` apply (a FlagonResponse's own values win). `serialize` writes the JSON
 * of a route with a response schema.
 */
export function toResponse(
  value: unknown,
  controls: ResponseControls | undefined,
  defaultStatus = 200,
  serialize?: ResponseSerializer,
): FlagonResponse {
  if (value instanceof FlagonResponse) {
    if (controls !== undefined) value.headers.fillFrom(controls.headers);
    return value;
  }
  const status = controls?.status ?? (value === undefined && defaultStatus === 200 ? 204 : defaultStatus);
  let body: FlagonResponse["body"];
  let type: string | undefined;
  if (value === undefined) {
    body = null;
  } else if (typeof value === "string") {
    body = value;
    type = "text/html; charset=utf-8";
  } else if (
    value instanceof Uint8Array ||
    (typeof value === "object" && value !== null && isStreamish(value))
  ) {
    body = value as FlagonResponse["body"];
    type = "application/octet-stream";
  } else if (typeof value === "function" || typeof value === "symbol" || typeof value === "bigint") {
    throw new FlagonError(
      ErrorCodes.INVALID_RESPONSE,
      `a handler returned a ${typeof value}, which cannot be sent`,
    );
  } else {
    body = serialize === undefined ? JSON.stringify(value) : serialize(value, status);
    type = "application/json";
  }
  // The context's headers were checked as they were set; the response takes them over as they are.
  const headers = new ResponseHeaders();
  if (controls !== undefined) headers.fillFrom(controls.headers);
  if (type !== undefined && headers.raw["content-type"] === undefined)
    headers.setTrusted("content-type", type);
  return new FlagonResponse(body, { status, headers });
}

type Hooks = DispatchDeps["unrouted"];

/** Whether a hook gave a promise (or another thenable) to wait for, rather than a value. */
function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === "object" || typeof value === "function") &&
    typeof (value as { then?: unknown }).then === "function"
  );
}

/**
 * Runs entry hooks in order; the first value other than `undefined` answers the request. A hook
 * that returns synchronously is not awaited, so sync hooks cost no turn of the microtask queue.
 */
async function runEntry(
  ctx: Context,
  hooks: readonly ((ctx: Context) => unknown)[],
  from = 0,
): Promise<unknown> {
  for (let i = from; i < hooks.length; i++) {
    let value = (hooks[i] as (ctx: Context) => unknown)(ctx);
    if (isThenable(value)) value = await value;
    if (value !== undefined) return value;
  }
  return undefined;
}

async function route(
  ctx: Context,
  deps: DispatchDeps,
  setHooks: (hooks: Hooks) => void,
): Promise<FlagonResponse> {
  const { request } = ctx;
  if (deps.onRequest.length > 0) {
    const early = await runEntry(ctx, deps.onRequest);
    if (early !== undefined) return toResponse(early, ctx.responseIfUsed);
  }
  const host = request.headers.host;
  if (host !== undefined && !isValidHost(host)) throw new BadRequestError("invalid Host header");
  if (!request.path.startsWith("/")) throw new BadRequestError("the request target must be a path");
  const match = deps.table.router.match(request.method, request.path);
  switch (match.kind) {
    case "found": {
      const { route } = match;
      ctx.route = route.info;
      request.params = match.params;
      request.bodyLimit = route.bodyLimit;
      setHooks(route.hooks);
      if (route.hooks.preHandler.length > 0) {
        const early = await runEntry(ctx, route.hooks.preHandler);
        if (early !== undefined) return toResponse(early, ctx.responseIfUsed);
      }
      const value = await route.invoke(ctx);
      return toResponse(value, ctx.responseIfUsed, 200, route.serialize);
    }
    case "method": {
      const allow = match.allow.join(", ");
      if (request.method === "OPTIONS") return new FlagonResponse(null, { status: 200, headers: { allow } });
      throw new MethodNotAllowedError(`${request.method} is not allowed here`, { headers: { allow } });
    }
    case "redirect": {
      const query = request.queryString === "" ? "" : `?${request.queryString}`;
      const location = `${request.protocol}://${request.host}${match.path}${query}`;
      return new FlagonResponse(null, { status: 308, headers: { location } });
    }
    case "none":
      throw new NotFoundError("The requested URL was not found on the server.");
  }
}

function findHandler(
  error: unknown,
  handlers: ReadonlyMap<ErrorKey, ErrorHandler>,
): ErrorHandler | undefined {
  if (handlers.size === 0) return undefined;
  if (error !== null && typeof error === "object") {
    for (let proto: unknown = Object.getPrototypeOf(error); proto; proto = Object.getPrototypeOf(proto)) {
      const handler = handlers.get((proto as { constructor: ErrorKey }).constructor);
      if (handler) return handler;
    }
  }
  return handlers.get(error instanceof HttpError ? error.status : 500);
}

/** onError hooks first, then the app's error handlers, then the default page. */
async function handleError(
  ctx: Context,
  error: unknown,
  deps: DispatchDeps,
  hooks: Hooks,
): Promise<FlagonResponse> {
  if (!(error instanceof HttpError) || error.status >= 500) {
    ctx.log.error({ err: error, method: ctx.request.method, path: ctx.request.path }, "request failed");
  }
  const accept = errorAccept(ctx.request, deps.apiApp);
  let status = error instanceof HttpError ? error.status : 500;
  ctx.response = new ResponseControls();
  // What an onError hook or error handler returns goes out with the error's status unless it
  // says otherwise, also for a deferred response such as render("404.html").
  ctx.response.status = status;
  for (const hook of hooks.onError) {
    let value: unknown;
    try {
      value = await hook(ctx, error);
    } catch (failure) {
      if (!(failure instanceof HttpError)) {
        ctx.log.error({ err: failure }, "onError hook failed");
        continue;
      }
      value = failure;
    }
    if (value instanceof HttpError) {
      // An HttpError returned or thrown replaces the error: the later hooks, the error handlers
      // and the default page see it, with its status.
      error = value;
      status = value.status;
      ctx.response.status = status;
      continue;
    }
    if (value !== undefined) return toResponse(value, ctx.response, status);
  }
  const handler = findHandler(error, deps.errorHandlers);
  if (handler) {
    try {
      return toResponse(await handler(error, ctx), ctx.response, status);
    } catch (second) {
      ctx.log.error({ err: second }, "error handler failed");
      return renderError(second, accept, { exposeInternals: deps.exposeInternals });
    }
  }
  return defaultPage(ctx, error, deps, accept);
}

/** The default error page; in development, the dev page for an unexpected error from this machine. */
async function defaultPage(
  ctx: Context,
  error: unknown,
  deps: DispatchDeps,
  accept: string | undefined,
): Promise<FlagonResponse> {
  if (deps.exposeInternals && devPageAllowed(ctx, error)) {
    try {
      return await renderDevPage(error, ctx);
    } catch (failure) {
      ctx.log.error({ err: failure }, "the development error page failed");
    }
  }
  return renderError(error, accept, { exposeInternals: deps.exposeInternals });
}

/** Runs onResponse hooks after the response was written; their errors are logged, never sent. */
function afterSend(ctx: Context, hooks: Hooks, response: FlagonResponse): () => Promise<void> {
  return async () => {
    for (const hook of hooks.onResponse) {
      try {
        const done = hook(ctx, response);
        if (isThenable(done)) await done;
      } catch (error) {
        ctx.log.error({ err: error }, "onResponse hook failed");
      }
    }
    await disposeContainer(ctx);
  };
}

/** Disposes the request's container (`ctx.container`) if something made it; errors are logged. */
async function disposeContainer(ctx: Context): Promise<void> {
  try {
    await ctx.containerIfUsed?.dispose();
  } catch (error) {
    ctx.log.error({ err: error }, "disposing the request container failed");
  }
}

/**
 * Finishes a response inside the request: a deferred response (a template to render, a file to
 * open) is built with the context, then the per-request steps registered with
 * `ctx.beforeSend` run (saving a session). A throw here is an error response like any other.
 */
async function complete(ctx: Context, response: FlagonResponse): Promise<FlagonResponse> {
  let out = response.prepare ? await response.prepare(ctx) : response;
  // Every step runs even when an earlier one throws (a session save must not be skipped); the
  // first error then becomes the error response, like a handler's, and keeps the cookies the
  // steps set (the saved session's).
  let failed = false;
  let first: unknown;
  for (const step of ctx.takeBeforeSend()) {
    try {
      const replaced = await step(out);
      if (replaced instanceof FlagonResponse) out = replaced;
    } catch (error) {
      if (!failed) first = error;
      failed = true;
    }
  }
  if (failed) throw new StepFailed(first, out);
  return out;
}

/** A `beforeSend` step threw: the error, and the response the other steps worked on. */
class StepFailed extends Error {
  constructor(
    readonly error: unknown,
    readonly response: FlagonResponse,
  ) {
    super("a beforeSend step failed", { cause: error });
  }
}

/** The cookies a failed completion set, added to the error response that replaces it. */
function keepCookies(failed: FlagonResponse | undefined, response: FlagonResponse): void {
  const cookies = failed?.headers.get("set-cookie");
  if (cookies === undefined) return;
  for (const cookie of Array.isArray(cookies) ? cookies : [cookies])
    response.headers.append("set-cookie", cookie);
}

/**
 * One request's life, top to bottom:
 *   onRequest → routing (404, 405, OPTIONS, trailing-slash redirect) → preHandler → handler
 *   → onSend → (the adapter writes) → onResponse
 * A throw anywhere before the write goes to onError, the error handlers, or the default page;
 * onSend still sees that response. Each route runs only the hooks compiled for it.
 */
export function dispatch(ctx: Context, deps: DispatchDeps): FlagonResponse | Promise<FlagonResponse> {
  if (deps.onRequest.length === 0) {
    const fast = tryFast(ctx, deps);
    if (fast !== undefined) return fast;
  }
  return dispatchFully(ctx, deps);
}

async function dispatchFully(ctx: Context, deps: DispatchDeps): Promise<FlagonResponse> {
  let hooks = deps.unrouted;
  let response: FlagonResponse;
  try {
    response = await route(ctx, deps, (routeHooks) => {
      hooks = routeHooks;
    });
  } catch (error) {
    return afterRoute(ctx, deps, hooks, undefined, error);
  }
  return afterRoute(ctx, deps, hooks, response, undefined);
}

/**
 * The common case without a single microtask: no onRequest hook, a matched route without onSend
 * or onResponse hooks, preHandler hooks and a handler that answer synchronously, a value that
 * becomes a plain response. A promise continues in `resumeFast`; anything else (an error, a
 * deferred response, a session to save) continues on the full path. Undefined: not this case.
 */
function tryFast(ctx: Context, deps: DispatchDeps): FlagonResponse | Promise<FlagonResponse> | undefined {
  const { request } = ctx;
  const host = request.headers.host;
  if ((host !== undefined && !isValidHost(host)) || request.path.charCodeAt(0) !== 47 /* / */)
    return undefined;
  let match: ReturnType<RouteTable["router"]["match"]>;
  try {
    match = deps.table.router.match(request.method, request.path);
  } catch {
    return undefined; // the full path meets the same error and answers it
  }
  if (match.kind !== "found") return undefined;
  const { route } = match;
  const hooks = route.hooks;
  // onSend and onResponse need the full path; onError hooks are run by afterRoute on a throw.
  if (hooks.onSend.length + hooks.onResponse.length > 0) return undefined;
  ctx.route = route.info;
  request.params = match.params;
  request.bodyLimit = route.bodyLimit;
  let value: unknown;
  try {
    const pre = hooks.preHandler;
    for (let i = 0; i < pre.length; i++) {
      const early = (pre[i] as (ctx: Context) => unknown)(ctx);
      if (isThenable(early)) return resumeFast(ctx, deps, route, i, early);
      if (early !== undefined) return finish(ctx, deps, hooks, early, undefined);
    }
    value = route.invoke(ctx);
  } catch (error) {
    return afterRoute(ctx, deps, hooks, undefined, error);
  }
  if (value instanceof Promise) {
    return value.then(
      (settled: unknown) => finish(ctx, deps, hooks, settled, route.serialize),
      (error: unknown) => afterRoute(ctx, deps, hooks, undefined, error),
    );
  }
  return finish(ctx, deps, hooks, value, route.serialize);
}

/** The fast path once a preHandler hook returned a promise: the rest of the hooks, then the handler. */
async function resumeFast(
  ctx: Context,
  deps: DispatchDeps,
  route: CompiledRoute,
  index: number,
  pending: PromiseLike<unknown>,
): Promise<FlagonResponse> {
  const hooks = route.hooks;
  let value: unknown;
  try {
    let early = await pending;
    if (early === undefined) early = await runEntry(ctx, hooks.preHandler, index + 1);
    if (early !== undefined) return await finish(ctx, deps, hooks, early, undefined);
    value = await route.invoke(ctx);
  } catch (error) {
    return afterRoute(ctx, deps, hooks, undefined, error);
  }
  return finish(ctx, deps, hooks, value, route.serialize);
}

function finish(
  ctx: Context,
  deps: DispatchDeps,
  hooks: Hooks,
  value: unknown,
  serialize: ResponseSerializer | undefined,
): FlagonResponse | Promise<FlagonResponse> {
  let response: FlagonResponse;
  try {
    response = toResponse(value, ctx.responseIfUsed, 200, serialize);
  } catch (error) {
    return afterRoute(ctx, deps, hooks, undefined, error);
  }
  if (response.prepare !== undefined || ctx.hasBeforeSend())
    return afterRoute(ctx, deps, hooks, response, undefined);
  ctx.closeBeforeSend();
  // No onResponse hooks here: after the write, only the request's container may need disposing.
  if (ctx.containerIfUsed !== undefined) response.afterSend = () => disposeContainer(ctx);
  return stamp(ctx, response);
}

/** The last touch of every response the app makes: the request id and the security headers. */
function stamp(ctx: Context, response: FlagonResponse): FlagonResponse {
  response.headers.setTrusted(REQUEST_ID_HEADER, ctx.id);
  ctx.app.securityHeaders.apply(response, ctx.request);
  return response;
}

/**
 * Everything after routing: complete the response (or turn the error into one), run onSend,
 * stamp the request id, and attach the onResponse hooks for after the write.
 */
async function afterRoute(
  ctx: Context,
  deps: DispatchDeps,
  hooks: Hooks,
  routed: FlagonResponse | undefined,
  thrown: unknown,
): Promise<FlagonResponse> {
  let response: FlagonResponse | undefined;
  let failure = thrown;
  let failed: FlagonResponse | undefined;
  if (routed !== undefined) {
    try {
      response = await complete(ctx, routed);
    } catch (error) {
      if (error instanceof StepFailed) ({ error: failure, response: failed } = error);
      else failure = error;
    }
  }
  if (response === undefined) {
    response = await handleError(ctx, failure, deps, hooks);
    try {
      response = await complete(ctx, response);
    } catch (second) {
      const error = second instanceof StepFailed ? second.error : second;
      ctx.log.error({ err: error }, "completing an error response failed");
      const accept = errorAccept(ctx.request, deps.apiApp);
      response = renderError(error, accept, { exposeInternals: deps.exposeInternals });
    }
    keepCookies(failed, response);
  }
  ctx.closeBeforeSend();
  if (hooks.onSend.length > 0) {
    try {
      for (const hook of hooks.onSend) {
        let replaced = hook(ctx, response);
        if (isThenable(replaced)) replaced = await replaced;
        if (replaced instanceof FlagonResponse) response = replaced;
      }
    } catch (error) {
      response = await handleError(ctx, error, deps, hooks);
    }
  }
  stamp(ctx, response);
  if (hooks.onResponse.length > 0) response.afterSend = afterSend(ctx, hooks, response);
  else if (ctx.containerIfUsed !== undefined) response.afterSend = () => disposeContainer(ctx);
  return response;
}
