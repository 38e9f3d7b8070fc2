import { BadRequestError, HttpError, MethodNotAllowedError, NotFoundError } from "../errors/http-errors.js";
import { renderError } from "../errors/render.js";
import { type Context, ResponseControls } from "../http/context.js";
import { FlagonResponse } from "../http/response.js";
import { ErrorCodes, FlagonError } from "../errors/codes.js";
import type { RouteTable } from "./route-table.js";

/** An error handler: turns an error into a response value (a plain value gets the error's status). */
export type ErrorHandler = (error: unknown, ctx: Context) => unknown;

export type ErrorKey = number | (abstract new (...args: never[]) => unknown);

export interface DispatchDeps {
  readonly table: RouteTable;
  readonly errorHandlers: ReadonlyMap<ErrorKey, ErrorHandler>;
  readonly exposeInternals: boolean;
}

// RFC 3986 reg-name or IP literal, with an optional port.
const VALID_HOST = /^(?:[A-Za-z0-9._~!$&'()*+,;=%-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

function isStreamish(value: object): boolean {
  return Symbol.asyncIterator in value || typeof (value as { pipe?: unknown }).pipe === "function";
}

/**
 * Turns what a handler returned into a response. A string is HTML, an object or array JSON,
 * `undefined` a 204, bytes and streams octet-streams, a FlagonResponse itself; status and headers
 * set through `ctx.response` apply (a FlagonResponse's own values win).
 */
export function toResponse(value: unknown, controls: ResponseControls, defaultStatus = 200): FlagonResponse {
  if (value instanceof FlagonResponse) {
    value.headers.fillFrom(controls.headers);
    return value;
  }
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
    body = JSON.stringify(value);
    type = "application/json";
  }
  const status = controls.status ?? (value === undefined && defaultStatus === 200 ? 204 : defaultStatus);
  const response = new FlagonResponse(body, { status, headers: controls.headers.raw });
  if (type !== undefined && !response.headers.has("content-type")) response.headers.set("content-type", type);
  return response;
}

async function route(ctx: Context, table: RouteTable): Promise<FlagonResponse> {
  const { request } = ctx;
  const host = request.headers.host;
  if (host !== undefined && !VALID_HOST.test(host)) throw new BadRequestError("invalid Host header");
  if (!request.path.startsWith("/")) throw new BadRequestError("the request target must be a path");
  const match = table.router.match(request.method, request.path);
  switch (match.kind) {
    case "found": {
      ctx.route = match.route.info;
      request.params = match.params;
      request.bodyLimit = match.route.bodyLimit;
      const value = await match.route.invoke(ctx);
      return toResponse(value, ctx.response);
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

async function handleError(ctx: Context, error: unknown, deps: DispatchDeps): Promise<FlagonResponse> {
  if (!(error instanceof HttpError) || error.status >= 500) {
    ctx.log.error({ err: error, method: ctx.request.method, path: ctx.request.path }, "request failed");
  }
  const accept = ctx.request.header("accept");
  const handler = findHandler(error, deps.errorHandlers);
  if (handler) {
    ctx.response = new ResponseControls();
    try {
      const status = error instanceof HttpError ? error.status : 500;
      return toResponse(await handler(error, ctx), ctx.response, status);
    } catch (second) {
      ctx.log.error({ err: second }, "error handler failed");
      return renderError(second, accept, { exposeInternals: deps.exposeInternals });
    }
  }
  return renderError(error, accept, { exposeInternals: deps.exposeInternals });
}

/**
 * One request's life, top to bottom: routing (404, 405, OPTIONS, trailing-slash redirect),
 * binding, the handler, the response; any throw on the way goes to the error handlers.
 * Lifecycle hooks slot in around these steps.
 */
export async function dispatch(ctx: Context, deps: DispatchDeps): Promise<FlagonResponse> {
  try {
    return await route(ctx, deps.table);
  } catch (error) {
    return handleError(ctx, error, deps);
  }
}
