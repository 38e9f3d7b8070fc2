import { STATUS_CODES } from "node:http";
import { escapeHtml, FlagonResponse } from "../http/response.js";
import { HttpError } from "./http-errors.js";

/**
 * Whether the client prefers JSON over HTML: its Accept header names a JSON type
 * (`application/json`, `application/problem+json`, `…+json`) with a higher q than `text/html`
 * (a tie goes to HTML, as browsers list both).
 * Split-based and linear in the header's length: no regex backtracking on hostile input.
 */
export function prefersJson(accept: string | undefined): boolean {
  if (!accept) return false;
  let json = 0;
  let htmlQ = 0;
  for (const part of accept.split(",")) {
    const [rawType = "", ...params] = part.split(";");
    const type = rawType.trim().toLowerCase();
    let q = 1;
    for (const param of params) {
      const [key, value] = param.split("=");
      if (key?.trim() === "q" && value !== undefined) q = Number(value.trim()) || 0;
    }
    if (type === "application/json" || type === "application/problem+json" || type.endsWith("+json")) {
      json = Math.max(json, q);
    } else if (type === "text/html") {
      htmlQ = Math.max(htmlQ, q);
    }
  }
  return json > 0 && json > htmlQ;
}

export interface RenderOptions {
  /** Show internal messages of unexpected errors (development only). */
  readonly exposeInternals: boolean;
}

/**
 * The default error response: RFC 9457 problem details for JSON clients, a small HTML page
 * otherwise. Messages of 5xx errors and of unexpected errors are hidden unless `exposeInternals`.
 */
export function renderError(
  error: unknown,
  accept: string | undefined,
  options: RenderOptions,
): FlagonResponse {
  const http = error instanceof HttpError ? error : undefined;
  const status = http?.status ?? 500;
  const title = STATUS_CODES[status] ?? "Error";
  let detail: string | undefined;
  if (http?.expose) detail = http.message;
  else if (options.exposeInternals && error instanceof Error) detail = error.message;
  const headers = { ...http?.headers };
  if (prefersJson(accept)) {
    // Extension members first, so that they may set `type` but never change title or status.
    const extensions = http?.expose ? http.details : undefined;
    const problem: Record<string, unknown> = { type: "about:blank", ...extensions, title, status };
    if (detail !== undefined && detail !== title) problem["detail"] = detail;
    return new FlagonResponse(JSON.stringify(problem), {
      status,
      headers: { ...headers, "content-type": "application/problem+json" },
    });
  }
  const paragraph = detail !== undefined && detail !== title ? `<p>${escapeHtml(detail)}</p>\n` : "";
  const page = `<!doctype html>\n<html lang="en">\n<title>${status} ${escapeHtml(title)}</title>\n<h1>${escapeHtml(title)}</h1>\n${paragraph}`;
  return new FlagonResponse(page, {
    status,
    headers: { ...headers, "content-type": "text/html; charset=utf-8" },
  });
}
