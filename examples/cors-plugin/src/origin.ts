// Origins as the Fetch standard serialises them: scheme "://" host [":" port], nothing else.
const ORIGIN = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#@\s\\]+)$/;

/**
 * The canonical form of an origin: lower-case scheme and host, no default port (`HTTPS://A.test:443`
 * → `https://a.test`), or `undefined` when the text is not an origin (a path, a query, user info,
 * no scheme). `"null"`, the opaque origin of sandboxed frames and `file:` pages, stays `"null"`.
 */
export function normalizeOrigin(text: string): string | undefined {
  if (text === "null") return "null";
  if (!ORIGIN.test(text)) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.host === "") return undefined;
  // url.origin is "null" for schemes without a defined origin (chrome-extension:, app:…), which
  // browsers still send; their host is opaque, so lower-case it here.
  return `${url.protocol}//${url.host.toLowerCase()}`;
}

/** True when `text` is an origin or `"null"`; for validating configuration. */
export function isOrigin(text: string): boolean {
  return normalizeOrigin(text) !== undefined;
}
