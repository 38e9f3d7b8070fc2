/** Helpers for testing an app that uses flagon-plugin-cors. */
import type { Flagon } from "@flagon/core";

export interface PreflightOptions {
  /** The page's origin, e.g. "https://app.example". */
  origin: string;
  /** The method the page's request will use (Access-Control-Request-Method). */
  method: string;
  /** Non-safelisted headers the request will send (Access-Control-Request-Headers). */
  headers?: readonly string[];
}

/**
 * Sends the preflight a browser would send before a cross-origin request, through `app.inject`.
 *
 * @example
 * const res = await preflight(app, "/api/items", { origin: "https://app.example", method: "DELETE" });
 * expect(res.headers["access-control-allow-origin"]).toBe("https://app.example");
 */
export function preflight(app: Flagon, url: string, options: PreflightOptions): ReturnType<Flagon["inject"]> {
  const headers: Record<string, string> = {
    origin: options.origin,
    "access-control-request-method": options.method,
  };
  if (options.headers !== undefined && options.headers.length > 0) {
    headers["access-control-request-headers"] = options.headers.join(", ");
  }
  return app.inject({ method: "OPTIONS", url, headers });
}
