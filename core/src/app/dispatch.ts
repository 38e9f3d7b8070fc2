import { BadRequestError, MethodNotAllowedError, NotFoundError } from "../errors/http-errors.js";
import { errorAccept, renderError } from "../errors/render.js";
import type { Context } from "../http/context.js";
import { FlagonResponse } from "../http/response.js";
import type { CompiledRoute, ResponseSerializer, RouteTable } from "../routing/compile.js";
import type { RouteHooks } from "../hooks/registry.js";
import { type ErrorHandler, type ErrorKey, handleError, isThenable, toResponse } from "./respond.js";

export { type ErrorHandler, type ErrorKey, toResponse } from "./respond.js";

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

/** A result now, or a promise of it. */
type Maybe<T> = T | Promise<T>;

/**
 * What one request carries from step to step (the app's Exchange); each step writes what it
 * learned: the route and its hooks, the serializer, the response on its way out.
 */
export interface Pass {
  readonly ctx: Context;
  readonly deps: DispatchDeps;
  /** The route's hooks once matched; until then (and for 404, 405…) the unrouted ones. */
  hooks: RouteHooks;
  route: CompiledRoute | undefined;
  /** The serializer for the handler's value (none for an early answer). */
  serialize: ResponseSerializer | undefined;
  /** The response on its way out (onSend may replace it). */
  response: FlagonResponse | undefined;
}

type Step<T> = (pass: Pass, value: unknown) => Maybe<T>;

/**
 * The one maybe-async step: `next(pass, value)` at once when `value` is a plain value, or when
 * its promise settles. A route whose hooks and handler answer synchronously thus runs its whole
 * life without a microtask; only a real promise costs one (and a closure).
 */
function step<T>(pass: Pass, value: unknown, next: Step<T>): Maybe<T> {
  if (!isThenable(value)) return next(pass, value);
  return Promise.resolve(value).then((settled) => next(pass, settled));
}

/** Runs `run(pass)`; a throw or a rejection goes to `failed`, which answers instead. */
function guard<T>(pass: Pass, run: (pass: Pass) => Maybe<T>, failed: Step<T>): Maybe<T> {
  let out: Maybe<T>;
  try {
    out = run(pass);
  } catch (error) {
    return failed(pass, error);
  }
  return out instanceof Promise ? out.catch((error: unknown) => failed(pass, error)) : out;
}

/**
 * One admitted request's life, in the order of the diagram in CONTRIBUTING.md:
 *   onRequest → match → preHandler → [interceptors →] invoke → respond → onSend
 * (the exchange then stamps it; onResponse runs after the write). A throw from the first steps
 * goes to onError, the error handlers or the default page, and that response still goes through
 * onSend; a throw from onSend is answered the same way, without a second onSend.
 */
export function dispatch(pass: Pass): Maybe<FlagonResponse> {
  return step(pass, guard(pass, onRequest, recover), onSend);
}

/** 1. onRequest: before routing and body parsing; a value answers early. */
function onRequest(pass: Pass): Maybe<FlagonResponse> {
  return step(pass, runEntry(pass.ctx, pass.deps.onRequest, 0), preHandler);
}

/** 2. match, then 3. preHandler: the route known, params converted, the body not read yet. */
function preHandler(pass: Pass, early: unknown): Maybe<FlagonResponse> {
  if (early !== undefined) return respond(pass, early);
  const { route, hooks, answer } = match(pass.ctx, pass.deps);
  pass.hooks = hooks;
  if (route === undefined) return respond(pass, answer);
  pass.route = route;
  return step(pass, runEntry(pass.ctx, hooks.preHandler, 0), invoke);
}

/** 4. [interceptors →] the handler, its arguments bound. */
function invoke(pass: Pass, early: unknown): Maybe<FlagonResponse> {
  if (early !== undefined) return respond(pass, early);
  const route = pass.route as CompiledRoute;
  pass.serialize = route.serialize;
  return step(pass, route.invoke(pass.ctx), respond);
}

interface Matched {
  /** The route found, or none: then `answer` is the automatic one (OPTIONS, a 308), if any. */
  readonly route: CompiledRoute | undefined;
  readonly hooks: RouteHooks;
  readonly answer?: FlagonResponse;
}

/**
 * The route for the request and the hooks it runs (the Host was checked on admission). 404
 * and 405 throw (the unrouted hooks see them); OPTIONS gets its Allow, a slash-less URL its 308
 * to the route with the slash.
 */
function match(ctx: Context, deps: DispatchDeps): Matched {
  const { request } = ctx;
  if (request.path.charCodeAt(0) !== 47 /* / */)
    throw new BadRequestError("the request target must be a path");
  const found = deps.table.router.match(request.method, request.path);
  switch (found.kind) {
    case "found": {
      const { route } = found;
      ctx.route = route.info;
      request.params = found.params;
      request.bodyLimit = route.bodyLimit;
      return { route, hooks: route.hooks };
    }
    case "method": {
      const allow = found.allow.join(", ");
      if (request.method !== "OPTIONS")
        throw new MethodNotAllowedError(`${request.method} is not allowed here`, { headers: { allow } });
      const answer = new FlagonResponse(null, { status: 200, headers: { allow } });
      return { route: undefined, hooks: deps.unrouted, answer };
    }
    case "redirect": {
      const query = request.queryString === "" ? "" : `?${request.queryString}`;
      const location = `${request.protocol}://${request.host}${found.path}${query}`;
      const answer = new FlagonResponse(null, { status: 308, headers: { location } });
      return { route: undefined, hooks: deps.unrouted, answer };
    }
    case "none":
      throw new NotFoundError("The requested URL was not found on the server.");
  }
}

/**
 * Entry hooks (onRequest, preHandler) from `from` on: the first value other than `undefined`
 * answers the request. A hook that returns synchronously is not awaited.
 */
function runEntry(ctx: Context, hooks: readonly ((ctx: Context) => unknown)[], from: number): unknown {
  for (let i = from; i < hooks.length; i++) {
    const value = (hooks[i] as (ctx: Context) => unknown)(ctx);
    if (isThenable(value)) {
      return Promise.resolve(value).then((settled) =>
        settled === undefined ? runEntry(ctx, hooks, i + 1) : settled,
      );
    }
    if (value !== undefined) return value;
  }
  return undefined;
}

/**
 * 5. respond: the handler's (or an early) value as a response, completed inside the request: a deferred
 * response (a template, a file) is built, then the `ctx.beforeSend` steps run (a session saves).
 */
function respond(pass: Pass, value: unknown): Maybe<FlagonResponse> {
  const { ctx } = pass;
  const response = toResponse(value, ctx.responseIfUsed, 200, pass.serialize);
  if (response.prepare === undefined && !ctx.hasBeforeSend()) return response;
  return complete(ctx, response);
}

/** Builds a deferred response, then runs the `beforeSend` steps; a failing step throws StepFailed. */
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

/**
 * A throw before onSend: onError hooks, the error handlers or the default page answer, and that
 * response is completed too. It keeps the cookies a failed completion set (a saved session's).
 */
async function recover(pass: Pass, thrown: unknown): Promise<FlagonResponse> {
  const { ctx, deps } = pass;
  const failed = thrown instanceof StepFailed ? thrown.response : undefined;
  let response = await handleError(ctx, failed ? (thrown as StepFailed).error : thrown, deps, pass.hooks);
  try {
    response = await complete(ctx, response);
  } catch (second) {
    const error = second instanceof StepFailed ? second.error : second;
    ctx.log.error({ err: error }, "completing an error response failed");
    response = renderError(error, errorAccept(ctx.request, deps.apiApp), {
      exposeInternals: deps.exposeInternals,
    });
  }
  const cookies = failed?.headers.get("set-cookie");
  if (cookies !== undefined)
    for (const cookie of typeof cookies === "string" ? [cookies] : cookies)
      response.headers.append("set-cookie", cookie);
  return response;
}

/** 6. onSend: each hook may change or replace the response. */
function onSend(pass: Pass, response: unknown): Maybe<FlagonResponse> {
  pass.ctx.closeBeforeSend();
  pass.response = response as FlagonResponse;
  if (pass.hooks.onSend.length === 0) return pass.response;
  return guard(pass, runOnSend, recoverOnSend);
}

function runOnSend(pass: Pass, from = 0): Maybe<FlagonResponse> {
  const hooks = pass.hooks.onSend;
  for (let i = from; i < hooks.length; i++) {
    const replaced = (hooks[i] as RouteHooks["onSend"][number])(pass.ctx, pass.response as FlagonResponse);
    if (isThenable(replaced)) {
      return Promise.resolve(replaced).then((settled) => {
        if (settled instanceof FlagonResponse) pass.response = settled;
        return runOnSend(pass, i + 1);
      });
    }
    if (replaced instanceof FlagonResponse) pass.response = replaced;
  }
  return pass.response as FlagonResponse;
}

function recoverOnSend(pass: Pass, error: unknown): Promise<FlagonResponse> {
  return handleError(pass.ctx, error, pass.deps, pass.hooks);
}
