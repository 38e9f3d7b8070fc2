import type { FlagonContext } from "../http/context-type.js";
import { FlagonResponse, type ResponseInit } from "../http/response.js";
import { templateContentType } from "./names.js";

/**
 * A response whose body is a template, rendered inside the request (after the handler, before
 * `onSend`) with the request's context. Made by `render()`; `ctx.render()` renders at once.
 * Without an explicit status it takes `ctx.response.status`, else 200.
 */
export class TemplateResponse extends FlagonResponse {
  /** The template's name, e.g. `"todos/list.html"`. */
  readonly template: string;
  /** The values the template sees, besides the globals. */
  readonly context: Readonly<Record<string, unknown>>;
  private readonly statusGiven: boolean;
  private rendered = false;

  constructor(template: string, context: Record<string, unknown> = {}, init: ResponseInit = {}) {
    super(null, init);
    this.template = template;
    this.context = context;
    this.statusGiven = init.status !== undefined;
    if (!this.headers.has("content-type")) this.headers.set("content-type", templateContentType(template));
  }

  /** Renders the template (once) with the request's context. */
  override async prepare(ctx: FlagonContext): Promise<FlagonResponse> {
    if (this.rendered) return this;
    this.body = await ctx.app.templates.render(this.template, this.context, ctx);
    this.rendered = true;
    if (!this.statusGiven && ctx.response.status !== undefined) this.status = ctx.response.status;
    return this;
  }
}

/**
 * Renders a template as the response: `text/html; charset=utf-8` (or the type its extension
 * names, e.g. `text/plain` for `.txt`). Rendering happens when the response is sent, inside the
 * request, so templates see `request`, `session`, `flashes()` and `urlFor` of this request.
 *
 * @example
 * app.get("/", () => render("index.html", { todos }));
 * return render("form.html", { errors }, { status: 422 });
 */
export function render(
  template: string,
  context?: Record<string, unknown>,
  init?: ResponseInit,
): TemplateResponse {
  return new TemplateResponse(template, context, init);
}

/** `ctx.render()`: renders now and resolves with the finished response. */
export function renderNow(
  ctx: FlagonContext,
  template: string,
  context?: Record<string, unknown>,
  init?: ResponseInit,
): Promise<FlagonResponse> {
  return new TemplateResponse(template, context, init).prepare(ctx);
}
