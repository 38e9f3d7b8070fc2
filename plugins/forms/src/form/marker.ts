import type { Context } from "@flagon/core";
import { createRouteDecorator } from "@flagon/core/plugin";
import { formType } from "../guard.js";

/**
 * @internal Marks a route whose handler binds a form (`@Form` sets it): a failed CSRF check of an
 * HTML form post then reaches the handler as an invalid form instead of a 403.
 */
export const FormBound = createRouteDecorator("forms.formBound", () => true);

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json$/;

/** Whether an Accept header ranks a JSON type above `text/html` (a tie goes to HTML). */
export function acceptsJsonFirst(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  let json = 0;
  let html = 0;
  // Only the first ranges count: a browser or API client names what it wants early.
  for (const range of accept.split(",", 32)) {
    const [type = "", ...params] = range.split(";");
    const name = type.trim().toLowerCase();
    const q = params.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith("q="));
    const weight = q === undefined ? 1 : Number(q.slice(2)) || 0;
    if (JSON_TYPE.test(name)) json = Math.max(json, weight);
    else if (name === "text/html") html = Math.max(html, weight);
  }
  return json > html;
}

/**
 * Whether the request is a browser's form post, to answer with the form again: a urlencoded or
 * multipart body from a client that does not prefer JSON (`fetch` with `Accept: application/json`
 * is an API client, and gets the 422 and 403 that JSON bodies get).
 */
export function isFormPage(ctx: Context): boolean {
  return formType(ctx) !== undefined && !acceptsJsonFirst(ctx.request.header("accept"));
}
