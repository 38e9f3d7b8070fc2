import { validateHeaderName, validateHeaderValue } from "node:http";
import { Readable } from "node:stream";
import { ErrorCodes, FlagonError } from "../errors/codes.js";
import type { FlagonContext } from "./context-type.js";
import { type CookieOptions, serializeCookie } from "./cookies.js";

export type HeaderValue = string | number | readonly string[];
export type HeadersInit = Record<string, HeaderValue | undefined>;

/** What a response may carry: nothing, text, bytes, or a stream written with backpressure. */
export type ResponseBody = string | Uint8Array | Readable | AsyncIterable<Uint8Array | string> | null;

export interface ResponseInit {
  status?: number;
  /** Plain headers (checked here), or a `ResponseHeaders` already checked, which is taken over as is. */
  headers?: HeadersInit | ResponseHeaders;
}

/** Throws FLAGON_ERR_INVALID_RESPONSE for a name or value node:http would refuse (CR, LF, NUL…). */
function checkHeader(name: string, value: string | readonly string[]): void {
  try {
    validateHeaderName(name);
    for (const item of typeof value === "string" ? [value] : value) validateHeaderValue(name, item);
  } catch (error) {
    throw new FlagonError(ErrorCodes.INVALID_RESPONSE, `invalid response header ${JSON.stringify(name)}`, {
      cause: error,
    });
  }
}

/**
 * The object behind `ResponseHeaders.raw`: its prototype chain holds nothing (no `__proto__`
 * accessor, no `constructor`), so any header name is plain data, and unlike `Object.create(null)`
 * it starts in V8's fast mode, where adding and enumerating a few properties is cheap.
 */
const HeaderBag = function HeaderBag(this: object) {} as unknown as new () => Record<
  string,
  string | string[]
>;
HeaderBag.prototype = Object.create(null) as object;

/**
 * Response headers with case-insensitive names; `set-cookie` keeps every value. Names and
 * values are checked when set, so header injection fails in the handler, not on the wire.
 */
export class ResponseHeaders {
  /** Lower-case name → value, ready for `writeHead`. */
  readonly raw: Record<string, string | string[]> = new HeaderBag();

  constructor(init?: HeadersInit) {
    if (init) for (const name of Object.keys(init)) this.set(name, init[name]);
  }

  get(name: string): string | string[] | undefined {
    return this.raw[name.toLowerCase()];
  }

  has(name: string): boolean {
    return name.toLowerCase() in this.raw;
  }

  /** Sets a header, replacing earlier values; `undefined` removes it. */
  set(name: string, value: HeaderValue | undefined): this {
    const key = name.toLowerCase();
    if (value === undefined) {
      delete this.raw[key];
      return this;
    }
    const text = typeof value === "number" ? String(value) : typeof value === "string" ? value : [...value];
    checkHeader(key, text);
    this.raw[key] = text;
    return this;
  }

  /** Adds a value after existing ones (for `set-cookie`, `vary`, `link`…). */
  append(name: string, value: string): this {
    const key = name.toLowerCase();
    checkHeader(key, value);
    const current = this.raw[key];
    if (current === undefined) this.raw[key] = value;
    else this.raw[key] = typeof current === "string" ? [current, value] : [...current, value];
    return this;
  }

  /**
   * @internal Sets a header the framework produced from known-safe parts (a constant media type,
   * a length, a request id of checked characters), skipping the check `set` does.
   */
  setTrusted(name: string, value: string): void {
    this.raw[name] = value;
  }

  delete(name: string): this {
    delete this.raw[name.toLowerCase()];
    return this;
  }

  /** Copies headers of `other` that this one lacks; `set-cookie` values are added to. */
  fillFrom(other: ResponseHeaders): void {
    for (const name of Object.keys(other.raw)) {
      const value = other.raw[name] as string | string[];
      if (name === "set-cookie") {
        for (const cookie of typeof value === "string" ? [value] : value) this.append(name, cookie);
      } else if (!(name in this.raw)) {
        this.raw[name] = value;
      }
    }
  }
}

function checkStatus(status: number): number {
  if (!Number.isInteger(status) || status < 100 || status > 999) {
    throw new FlagonError(ErrorCodes.INVALID_RESPONSE, `invalid status code ${String(status)}`);
  }
  return status;
}

/**
 * A response sent as built. Handlers may return one (or use `json`, `text`, `html`, `redirect`,
 * `stream`) when they need a status, headers or a body type that a plain return value lacks.
 *
 * @example
 * return new FlagonResponse("<rss>…</rss>", { status: 200, headers: { "content-type": "application/rss+xml" } });
 */
export class FlagonResponse {
  status: number;
  readonly headers: ResponseHeaders;
  body: ResponseBody;

  /**
   * For deferred responses (a template, a file): builds the real response with the request's
   * context, inside the request, before `onSend`. Subclasses implement it.
   */
  prepare?(ctx: FlagonContext): Promise<FlagonResponse>;

  constructor(body: ResponseBody = null, init?: ResponseInit) {
    this.body = body;
    this.status = init?.status === undefined ? 200 : checkStatus(init.status);
    const headers = init?.headers;
    this.headers = headers instanceof ResponseHeaders ? headers : new ResponseHeaders(headers);
  }

  /** Adds a `Set-Cookie` header. Invalid names or attributes throw FLAGON_ERR_INVALID_COOKIE. */
  setCookie(name: string, value: string, options?: CookieOptions): this {
    this.headers.append("set-cookie", serializeCookie(name, value, options));
    return this;
  }

  /** Tells the client to drop a cookie (give the path and domain it was set with). */
  clearCookie(name: string, options: Omit<CookieOptions, "maxAge" | "expires"> = {}): this {
    return this.setCookie(name, "", { ...options, maxAge: 0, expires: new Date(0) });
  }
}

function withType(init: ResponseInit | undefined, type: string): ResponseInit {
  const given = init?.headers;
  const headers = new ResponseHeaders();
  if (given instanceof ResponseHeaders) headers.fillFrom(given);
  else if (given !== undefined) for (const name of Object.keys(given)) headers.set(name, given[name]);
  if (headers.raw["content-type"] === undefined) headers.setTrusted("content-type", type);
  return { status: init?.status ?? 200, headers };
}

/** A JSON response (`application/json`). */
export function json(data: unknown, init?: ResponseInit): FlagonResponse {
  const body = JSON.stringify(data);
  if (body === undefined) {
    throw new FlagonError(ErrorCodes.INVALID_RESPONSE, `cannot serialise a ${typeof data} as JSON`);
  }
  return new FlagonResponse(body, withType(init, "application/json"));
}

/** A plain-text response (`text/plain; charset=utf-8`). */
export function text(body: string, init?: ResponseInit): FlagonResponse {
  return new FlagonResponse(body, withType(init, "text/plain; charset=utf-8"));
}

/** An HTML response (`text/html; charset=utf-8`). */
export function html(body: string, init?: ResponseInit): FlagonResponse {
  return new FlagonResponse(body, withType(init, "text/html; charset=utf-8"));
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A redirect: 302 by default (as Flask 3.1); 301, 303, 307 and 308 are accepted. The location is
 * sent as given (relative URLs stay relative); its HTML body carries the escaped link.
 */
export function redirect(location: string, status = 302): FlagonResponse {
  if (!REDIRECT_STATUSES.has(status)) {
    throw new FlagonError(
      ErrorCodes.INVALID_RESPONSE,
      `redirect status must be one of 301, 302, 303, 307, 308`,
    );
  }
  if (/[\u0000-\u001f\u007f]/.test(location)) {
    throw new FlagonError(ErrorCodes.INVALID_RESPONSE, "redirect location contains control characters");
  }
  const href = escapeHtml(location);
  const body = `<!doctype html>\n<html lang="en">\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n<p>You should be redirected automatically to the target URL: <a href="${href}">${href}</a>. If not, click the link.</p>\n`;
  return new FlagonResponse(body, {
    status,
    headers: { location, "content-type": "text/html; charset=utf-8" },
  });
}

/**
 * A streamed response from a `Readable` or an async iterable (an `async function*`). It is
 * written with backpressure, and a client that disconnects ends the iterator (its `finally` runs).
 */
export function stream(
  source: Readable | AsyncIterable<Uint8Array | string>,
  init?: ResponseInit,
): FlagonResponse {
  return new FlagonResponse(source, withType(init, "application/octet-stream"));
}

export function isStreamBody(body: ResponseBody): body is Readable | AsyncIterable<Uint8Array | string> {
  return body !== null && typeof body === "object" && !(body instanceof Uint8Array);
}

export function toReadable(body: Readable | AsyncIterable<Uint8Array | string>): Readable {
  return body instanceof Readable ? body : Readable.from(body, { objectMode: false });
}
