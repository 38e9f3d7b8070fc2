import { ErrorCodes, FlagonError } from "../errors/codes.js";
import type { UrlForOptions } from "../http/context.js";
import { buildPath, type ParsedPath } from "./path.js";

interface Buildable {
  readonly info: { readonly method: string };
  readonly parsed: ParsedPath;
}

/**
 * Builds the URL of an endpoint: picks the route that uses the most of the given values,
 * fills its variables, and sends the rest as the query string (repeated for arrays).
 * `origin` (scheme and host) is needed only for external URLs.
 */
export function buildUrl(
  endpoints: ReadonlyMap<string, readonly Buildable[]>,
  endpoint: string,
  params: Readonly<Record<string, unknown>> = {},
  options: UrlForOptions = {},
  origin: () => string,
): string {
  const routes = endpoints.get(endpoint);
  if (!routes) throw new FlagonError(ErrorCodes.URL_BUILD, `unknown endpoint "${endpoint}"`);
  const given = (name: string): boolean => params[name] !== undefined && params[name] !== null;
  const method = options.method?.toUpperCase();
  const candidates = method ? routes.filter((r) => r.info.method === method) : routes;
  const chosen = candidates
    .filter((r) => r.parsed.paramNames.every(given))
    .sort((a, b) => b.parsed.paramNames.length - a.parsed.paramNames.length)[0];
  if (!chosen) {
    const first = candidates[0];
    if (!first)
      throw new FlagonError(ErrorCodes.URL_BUILD, `endpoint "${endpoint}" has no ${method ?? ""} route`);
    const missing = first.parsed.paramNames.filter((name) => !given(name));
    throw new FlagonError(
      ErrorCodes.URL_BUILD,
      `endpoint "${endpoint}" needs ${missing.map((n) => `"${n}"`).join(", ")}`,
    );
  }
  let url = buildPath(chosen.parsed, params);
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (chosen.parsed.paramNames.includes(key) || value === undefined || value === null) continue;
    for (const item of Array.isArray(value) ? (value as unknown[]) : [value]) query.append(key, String(item));
  }
  const search = query.toString();
  if (search) url += `?${search}`;
  if (options.anchor !== undefined) url += `#${encodeURIComponent(options.anchor)}`;
  return options.external ? `${origin()}${url}` : url;
}
