// The template route of the Flagon contenders: the framework's own rendering.
import type { Context } from "@flagon/core";

export function renderPage(ctx: Context, context: Record<string, unknown>): Promise<unknown> {
  return ctx.render("page.njk", context);
}
