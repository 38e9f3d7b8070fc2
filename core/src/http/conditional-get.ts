// Conditional requests for any route (RFC 9110 §13): the validators a handler knows (an entity
// tag, a modification time) checked against the request's If-* headers, by the same code that
// static files use.
import { evaluatePreconditions, toSeconds } from "../static/conditional.js";
import type { Context } from "./context.js";

/** What a response is validated by; either may be left out. */
export interface FreshnessValidators {
  /** An entity tag as sent in `ETag`, quoted, strong (`"v3"`) or weak (`W/"v3"`). */
  readonly etag?: string;
  /** When the resource last changed (HTTP dates have whole seconds; finer parts are dropped). */
  readonly lastModified?: Date | number;
}

function validatorsOf(validators: FreshnessValidators): Parameters<typeof evaluatePreconditions>[2] {
  const { etag, lastModified } = validators;
  if (etag !== undefined && !/^(?:W\/)?"[^"]*"$/.test(etag)) {
    throw new TypeError(
      `an etag is a quoted string, such as "\\"v3\\"" or "W/\\"v3\\"", not ${JSON.stringify(etag)}`,
    );
  }
  const ms = lastModified instanceof Date ? lastModified.getTime() : lastModified;
  if (ms !== undefined && !Number.isFinite(ms)) throw new TypeError("lastModified is not a valid time");
  return { etag, lastModified: ms === undefined ? undefined : toSeconds(ms) };
}

/**
 * The preconditions of the request against the current validators, in RFC 9110's order:
 * 412 when If-Match or If-Unmodified-Since fails, 304 when a GET or HEAD has a fresh copy
 * (If-None-Match, else If-Modified-Since), else 200 (go on and answer).
 */
export function checkPreconditions(ctx: Context, validators: FreshnessValidators): 200 | 304 | 412 {
  const { request } = ctx;
  return evaluatePreconditions((name) => request.header(name), request.method, validatorsOf(validators));
}

/**
 * Whether the client's cached copy is still fresh, so a 304 Not Modified answers a GET or
 * HEAD: its If-None-Match matches `etag` (weak comparison; `*` matches), or, without
 * If-None-Match, its If-Modified-Since is not older than `lastModified`.
 *
 * @example
 * const etag = `"${note.version}"`;
 * ctx.response.headers.set("etag", etag);
 * if (isFresh(ctx, { etag })) return new FlagonResponse(null, { status: 304, headers: { etag } });
 */
export function isFresh(ctx: Context, validators: FreshnessValidators): boolean {
  return checkPreconditions(ctx, validators) === 304;
}
