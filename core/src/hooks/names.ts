import type { ServerAddress } from "../adapters/node/address.js";
import type { Context, RouteInfo } from "../http/context.js";
import type { FlagonResponse } from "../http/response.js";

/**
 * Every hook and its signature: the single source of truth for hook names.
 * Request hooks run per request; app hooks run at start-up and shutdown.
 */
export interface HookSignatures {
  /** Before routing and before the body is read. A value other than `undefined` answers the request. Global only. */
  onRequest: (ctx: Context) => unknown;
  /**
   * Route known, params converted; the body is not read yet (`@Body` parses it for the handler,
   * `ctx.body()` here shares that one parse). A value other than `undefined` answers the request.
   */
  preHandler: (ctx: Context) => unknown;
  /**
   * Around the handler (its argument binders and the call): `next()` runs the rest of the chain
   * and resolves to the handler's return value or rejects with its error; what this returns is
   * the route's value. First registered is outermost. Add it with `app.addInterceptor`.
   */
  intercept: (ctx: Context, next: () => Promise<unknown>) => unknown;
  /** Every response passes here (in reverse order); return a response to replace it. */
  onSend: (ctx: Context, response: FlagonResponse) => FlagonResponse | void | Promise<FlagonResponse | void>;
  /** After the response was written (in reverse order); always runs; errors are logged, never sent. */
  onResponse: (ctx: Context, response: FlagonResponse) => void | Promise<void>;
  /** Sees a throw from any stage; a value other than `undefined` becomes the response. */
  onError: (ctx: Context, error: unknown) => unknown;
  /** Once per route and method, while the app is built. */
  onRoute: (route: RouteInfo) => void | Promise<void>;
  /** At the end of `ready()`; a throw fails start-up. */
  onReady: () => void | Promise<void>;
  /** After the server is listening. */
  onListen: (address: ServerAddress) => void | Promise<void>;
  /** In `close()` after the server stopped (in reverse order); a throw is logged and the rest still run. */
  onClose: () => void | Promise<void>;
}

export type HookName = keyof HookSignatures;

/** Hooks that run for a matched route and can be scoped to some routes. */
export const ROUTE_HOOKS = ["preHandler", "intercept", "onSend", "onResponse", "onError"] as const;
export type RouteHookName = (typeof ROUTE_HOOKS)[number];

export const HOOK_NAMES: readonly HookName[] = [
  "onRequest",
  ...ROUTE_HOOKS,
  "onRoute",
  "onReady",
  "onListen",
  "onClose",
];
