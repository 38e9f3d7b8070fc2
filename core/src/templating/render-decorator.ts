import type { Context } from "../http/context.js";
import { FlagonResponse } from "../http/response.js";
import { createRouteDecorator } from "../routing/route-decorator.js";
import { TemplateError } from "./errors.js";
import { templateSegments } from "./names.js";
import { TemplateResponse } from "./response.js";

/**
 * Renders the handler's return value with a template: a plain object is the template's context
 * (`undefined` an empty one); a FlagonResponse (a redirect, `abort`) and any other value pass
 * through unchanged. On a controller it applies to every route of it; function routes take it
 * in `options.decorators`. `Render.get(route)` reads the template name of a route.
 *
 * @example
 * @Get("/<int:id>") @Render("todos/show.html")
 * show(@Param("id") id: number) { return { todo: this.repo.find(id) ?? abort(404) }; }
 */
export const Render = createRouteDecorator("flagon.render", (template: string) => {
  if (templateSegments(template) === undefined) {
    throw new TemplateError(
      String(template),
      `@Render(${JSON.stringify(template)}): not a valid template name`,
    );
  }
  return template;
});

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Wraps a route's invoker when the route carries `@Render(name)`; otherwise returns it as is. */
export function withRender(
  invoke: (ctx: Context) => unknown,
  metadata: ReadonlyMap<symbol, unknown>,
): (ctx: Context) => unknown {
  const template = metadata.get(Render.key);
  if (typeof template !== "string") return invoke;
  const toResponse = (value: unknown): unknown => {
    if (value instanceof FlagonResponse) return value;
    if (value === undefined) return new TemplateResponse(template);
    return isPlainObject(value) ? new TemplateResponse(template, value) : value;
  };
  return (ctx) => {
    const value = invoke(ctx);
    return value instanceof Promise ? value.then(toResponse) : toResponse(value);
  };
}
