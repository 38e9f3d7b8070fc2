import { HttpError } from "../errors/http-errors.js";
import { errorAccept, renderError } from "../errors/render.js";
import { devPageAllowed, renderDevPage } from "../errors/dev-page.js";
import { type Context, ResponseControls } from "../http/context.js";
import { FlagonResponse, ResponseHeaders } from "../http/response.js";
import { ErrorCodes, FlagonError } from "../errors/codes.js";
import type { ResponseSerializer } from "../routing/compile.js";
import type { RouteHooks } from "../hooks/registry.js";

/** An error handler: turns an error into a response value (a plain value gets the error's status). */
export type ErrorHandler = (error: unknown, ctx: Context) => unknown;

export type ErrorKey = number | (abstract new (...args: never[]) => unknown);

/** What the error path reads of the app's dispatch tables. */
interface ErrorDeps {
  readonly errorHandlers: ReadonlyMap<ErrorKey, ErrorHandler>;
  readonly exposeInternals: boolean;
  readonly apiApp: boolean;
}

/** Whether a hook gave a promise (or another thenable) to wait for, rather than a value. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === "object" || typeof value === "function") &&
    typeof (value as { then?: unknown }).then === "function"
  );
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
export async function handleError(
  ctx: Context,
  error: unknown,
  deps: ErrorDeps,
  hooks: RouteHooks,
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
  deps: ErrorDeps,
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
