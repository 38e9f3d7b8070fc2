import type { Interceptor } from "../hooks/interceptors.js";
import type { RouteInfo } from "../http/context.js";
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

/** What a `@Render` route's handler value becomes: a template response, or itself. */
function toTemplateResponse(template: string, value: unknown): unknown {
  if (value instanceof FlagonResponse) return value;
  if (value === undefined) return new TemplateResponse(template);
  return isPlainObject(value) ? new TemplateResponse(template, value) : value;
}

/**
 * Applies `@Render` the way a plugin applies its decorators: an interceptor limited to the
 * routes that carry it (`appliesTo: Render.has`). The core adds it ahead of every other
 * interceptor (`HookRegistry.addCore`), so the app's and the plugins' interceptors see the
 * handler's plain value, and the route table knows nothing of templates.
 */
export const renderInterceptor: Interceptor = function render(ctx, next) {
  const template = Render.get(ctx.route);
  return template === undefined ? next() : next().then((value) => toTemplateResponse(template, value));
};

/** Only the routes that carry `@Render` get the interceptor. */
export const rendersTemplate = (route: RouteInfo): boolean => Render.has(route);
