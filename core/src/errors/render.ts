import { STATUS_CODES } from "node:http";
import { escapeHtml, FlagonResponse } from "../http/response.js";
import { HttpError } from "./http-errors.js";
import { isJsonType } from "../http/media-type.js";
import type { FlagonRequest } from "../http/request.js";

const isSpace = (code: number): boolean => code === 0x20 || code === 0x09;

/** The `q` of one media range's parameters (`text` between its `;` and its `,`); the last q wins. */
function qualityOf(params: string): number {
  let q = 1;
  for (const param of params.split(";")) {
    const [key, value] = param.split("=");
    if (key?.trim() === "q" && value !== undefined) q = Number(value.trim()) || 0;
  }
  return q;
}

/**
 * Whether the client prefers JSON over HTML: its Accept header names a JSON type
 * (`application/json`, `application/problem+json`, `…+json`) with a higher q than `text/html`
 * (a tie goes to HTML, as browsers list both).
 * One scan by index, allocating only for ranges long enough to name a JSON or HTML type: a
 * 16 KB header of commas costs no more than a short one per byte, and no regex can backtrack.
 */
export function prefersJson(accept: string | undefined): boolean {
  if (!accept) return false;
  let json = 0;
  let htmlQ = 0;
  const length = accept.length;
  for (let start = 0; start <= length;) {
    let end = start;
    let semicolon = -1;
    for (; end < length; end++) {
      const code = accept.charCodeAt(end);
      if (code === 0x2c) break; // ,
      if (code === 0x3b && semicolon === -1) semicolon = end; // ;
    }
    let from = start;
    let to = semicolon === -1 ? end : semicolon;
    while (from < to && isSpace(accept.charCodeAt(from))) from++;
    while (to > from && isSpace(accept.charCodeAt(to - 1))) to--;
    // The shortest type that can matter is "+json" (5 characters).
    if (to - from >= 5) {
      const type = accept.slice(from, to).trim().toLowerCase();
      const isJson =
        type === "application/json" || type === "application/problem+json" || type.endsWith("+json");
      if (isJson || type === "text/html") {
        const q = semicolon === -1 ? 1 : qualityOf(accept.slice(semicolon + 1, end));
        if (isJson) json = Math.max(json, q);
        else htmlQ = Math.max(htmlQ, q);
      }
    }
    start = end + 1;
  }
  return json > 0 && json > htmlQ;
}

/**
 * Whether an Accept header states a preference for HTML: it names `text/html` or
 * `application/xhtml+xml` with a q above 0 (browsers do, for every page they load; curl's
 * and fetch's default, any type, does not).
 */
export function namesHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  for (const range of accept.split(",")) {
    const semicolon = range.indexOf(";");
    const type = (semicolon === -1 ? range : range.slice(0, semicolon)).trim().toLowerCase();
    if (type !== "text/html" && type !== "application/xhtml+xml") continue;
    if (semicolon === -1 || qualityOf(range.slice(semicolon + 1)) > 0) return true;
  }
  return false;
}

/** An Accept header that asks for problem details, for an API request that states no HTML preference. */
export const API_ACCEPT = "application/problem+json";

/**
 * The Accept header errors are negotiated with: the client's own, unless it states no
 * preference for HTML and the request is an API request (it carried a JSON body, or the app
 * serves no templates), which then gets problem details, as Fastify answers.
 */
export function errorAccept(request: FlagonRequest, apiApp: boolean): string | undefined {
  const accept = request.header("accept");
  if (prefersJson(accept) || namesHtml(accept)) return accept;
  const type = request.contentType?.type;
  return apiApp || (type !== undefined && isJsonType(type)) ? API_ACCEPT : accept;
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
