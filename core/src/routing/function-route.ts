import type { Context } from "../http/context.js";
import type { RouteOptions } from "./metadata.js";

/** A function route handler: gets the context, returns anything a controller method may. */
export type RouteHandler = (ctx: Context) => unknown;

/** A route added with `app.route()` / `app.get()`…, or made by the core (static folders). */
export interface FunctionRoute {
  readonly path: string;
  readonly methods: readonly string[];
  readonly handler: RouteHandler;
  readonly options: RouteOptions;
}
