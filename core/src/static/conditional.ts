// Validators and conditional requests for files (RFC 9110 §8.8, §13): ETag, Last-Modified,
// If-Match, If-Unmodified-Since, If-None-Match, If-Modified-Since and If-Range.

/** The validators of one file; either may be switched off. */
export interface Validators {
  /** A strong entity tag, quoted: `"<size hex>-<mtime ms hex>"`. */
  readonly etag: string | undefined;
  /** Modification time in ms, truncated to whole seconds as HTTP dates are. */
  readonly lastModified: number | undefined;
}

/** An ETag from size and modification time: no hashing, so the same on every worker and machine. */
export function makeEtag(size: number, mtimeMs: number): string {
  return `"${size.toString(16)}-${Math.floor(mtimeMs).toString(16)}"`;
}

/** Truncates a time to whole seconds, the precision of HTTP dates. */
export function toSeconds(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

/** An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`). */
export function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

/** Parses an HTTP date (IMF-fixdate, RFC 850 or asctime); undefined when it is not one. */
export function parseHttpDate(value: string | undefined): number | undefined {
  // No valid HTTP date is this long; never hand a large header to the date parser.
  if (value === undefined || value.length > 64) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

interface EntityTag {
  readonly weak: boolean;
  /** The quoted opaque tag, `"abc"`. */
  readonly opaque: string;
}

/**
 * Parses an entity-tag list (`If-None-Match`, `If-Match`): `*`, or tags separated by commas.
 * Lenient as Werkzeug is: an unquoted tag counts as if it were quoted. Linear in the input.
 */
export function parseEntityTags(value: string): "*" | EntityTag[] {
  const text = value.trim();
  if (text === "*") return "*";
  const tags: EntityTag[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === "," || c === " " || c === "\t") {
      i += 1;
      continue;
    }
    let weak = false;
    if (text.startsWith("W/", i)) {
      weak = true;
      i += 2;
    }
    if (text[i] === '"') {
      const end = text.indexOf('"', i + 1);
      if (end === -1) break; // an unterminated tag ends the list
      tags.push({ weak, opaque: text.slice(i, end + 1) });
      i = end + 1;
    } else {
      const comma = text.indexOf(",", i);
      const end = comma === -1 ? text.length : comma;
      const token = text.slice(i, end).trim();
      if (token !== "") tags.push({ weak, opaque: `"${token}"` });
      i = end;
    }
  }
  return tags;
}

function opaque(etag: string): string {
  return etag.startsWith("W/") ? etag.slice(2) : etag;
}

/** Weak comparison (If-None-Match): the opaque tags are equal, weak or not. */
function weakMatch(tags: "*" | EntityTag[], etag: string | undefined): boolean {
  if (tags === "*") return true;
  if (etag === undefined) return false;
  const mine = opaque(etag);
  return tags.some((tag) => tag.opaque === mine);
}

/** Strong comparison (If-Match, If-Range): both tags strong and equal. */
function strongMatch(tags: "*" | EntityTag[], etag: string | undefined): boolean {
  if (tags === "*") return true;
  if (etag === undefined || etag.startsWith("W/")) return false;
  return tags.some((tag) => !tag.weak && tag.opaque === etag);
}

type HeaderReader = (name: string) => string | undefined;

/**
 * Evaluates the preconditions in the order of RFC 9110 §13.2.2 for an existing file:
 * If-Match, else If-Unmodified-Since (false → 412); then If-None-Match, else (GET/HEAD only)
 * If-Modified-Since (false → 304 for GET/HEAD, 412 otherwise). If-None-Match beats
 * If-Modified-Since: when it is present the date is not looked at.
 */
export function evaluatePreconditions(
  header: HeaderReader,
  method: string,
  validators: Validators,
): 200 | 304 | 412 {
  const ifMatch = header("if-match");
  if (ifMatch !== undefined) {
    if (!strongMatch(parseEntityTags(ifMatch), validators.etag)) return 412;
  } else if (validators.lastModified !== undefined) {
    const since = parseHttpDate(header("if-unmodified-since"));
    if (since !== undefined && validators.lastModified > since) return 412;
  }
  const safe = method === "GET" || method === "HEAD";
  const ifNoneMatch = header("if-none-match");
  if (ifNoneMatch !== undefined) {
    if (weakMatch(parseEntityTags(ifNoneMatch), validators.etag)) return safe ? 304 : 412;
    return 200;
  }
  if (safe && validators.lastModified !== undefined) {
    const since = parseHttpDate(header("if-modified-since"));
    if (since !== undefined && validators.lastModified <= since) return 304;
  }
  return 200;
}

/**
 * Whether a Range request may be honoured given its If-Range (RFC 9110 §13.1.5): absent → yes;
 * an entity tag → a strong match with ours; a date → exactly our Last-Modified. Otherwise the
 * client's copy is stale and gets the whole file (200).
 */
export function ifRangeAllows(value: string | undefined, validators: Validators): boolean {
  if (value === undefined) return true;
  const text = value.trim();
  if (text.startsWith('"') || text.startsWith("W/")) {
    const tags = parseEntityTags(text);
    return tags !== "*" && tags.length === 1 && strongMatch(tags, validators.etag);
  }
  const date = parseHttpDate(text);
  return date !== undefined && validators.lastModified !== undefined && date === validators.lastModified;
}
