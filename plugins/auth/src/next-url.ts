// The `next` of a login redirect: only a path of this same site may come back out of it. A
// scheme, a host, `//evil`, `/\evil`, backslashes, control characters and encoded versions of
// them are refused, so a crafted login link can never send a user elsewhere.

/**
 * `next` when it is a same-origin path (`/account?tab=2`), else `fallback`. What the browser
 * would make of the value decides: WHATWG URL parsing against a placeholder origin must keep
 * that origin, and the text must start with one `/` not followed by `/` or `\`.
 */
export function safeNext(next: unknown, fallback = "/"): string {
  if (typeof next !== "string" || next === "" || next.length > 2048) return fallback;
  // Control characters (tab, CR, LF are dropped by URL parsers), and backslashes (read as "/").
  if (/[\u0000-\u001f\u007f\\]/.test(next)) return fallback;
  if (!next.startsWith("/") || next.startsWith("//")) return fallback;
  // Encoded slashes or backslashes right after the first "/" decode to the same tricks in some
  // stacks (a proxy, a later redirect): refuse them too.
  if (/^\/(%2f|%5c)/i.test(next)) return fallback;
  let parsed: URL;
  try {
    parsed = new URL(next, "http://same-origin.invalid");
  } catch {
    return fallback;
  }
  if (parsed.origin !== "http://same-origin.invalid") return fallback;
  return parsed.pathname + parsed.search + parsed.hash;
}

/** The path and query of the request, as the `next` of a login redirect. */
export function requestedPath(path: string, queryString: string): string {
  return queryString === "" ? path : `${path}?${queryString}`;
}
