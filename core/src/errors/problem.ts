import type { Context } from "../http/context.js";
import type { FlagonResponse } from "../http/response.js";
import { errorAccept, renderError } from "./render.js";

/**
 * The framework's own error response for `error`, negotiated for this request: RFC 9457
 * problem details (`application/problem+json`) for a client that prefers JSON, or that names no
 * HTML when the request is an API's (a JSON body, or an app without templates); a small HTML
 * page otherwise. An HttpError gives its status, headers and (when exposed) its message and
 * details; anything else is a 500 whose message shows only in development.
 *
 * @example
 * app.addHook("onError", (ctx, error) => {
 *   if (error instanceof QuotaExceeded) return problem(new HttpError(429, "Slow down"), ctx);
 * });
 */
export function problem(error: unknown, ctx: Context): FlagonResponse {
  const accept = errorAccept(ctx.request, ctx.app.door.apiApp);
  return renderError(error, accept, {
    exposeInternals: ctx.app.config.env === "development",
  });
}
