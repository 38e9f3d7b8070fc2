// Shared by the tutorial's step tests: a key for signed sessions, and form posts as a browser sends them.

/** A test-only secret key (outside development it must have at least 32 characters). */
export const SECRET_KEY = "tutorial-test-secret-key-of-32-chars-or-more";

/** An `application/x-www-form-urlencoded` request body, as an HTML form posts it. */
export function form(fields: Record<string, string>): { body: string; headers: Record<string, string> } {
  return {
    body: new URLSearchParams(fields).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  };
}

/** The CSRF token of the first form of a page (the hidden `csrf_token` field). */
export function csrfOf(html: string): string {
  const token = /name="csrf_token" value="([^"]+)"/.exec(html)?.[1];
  if (token === undefined) throw new Error("the page has no csrf_token field");
  return token;
}
