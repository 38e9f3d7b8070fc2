import type { IncomingHttpHeaders } from "node:http";
import { Readable } from "node:stream";
import { ErrorCodes, FlagonError } from "../errors/codes.js";
import { UnsupportedMediaTypeError } from "../errors/http-errors.js";
import {
  checkDeclaredLength,
  decodeText,
  limitedChunks,
  parseJson,
  readAll,
  requireForm,
  requireJson,
  tooLarge,
} from "./body.js";
import { parseCookies } from "./cookies.js";
import { type MediaType, parseMediaType } from "./media-type.js";
import { forwardedFor, isValidHost, nearestValue, type ProxyTrust } from "./proxy.js";
import { QueryArgs } from "./query-args.js";

/** What an adapter hands to the app: the node request itself, or one built by `inject`. */
export interface RawRequest {
  readonly method: string;
  /** The request target as sent: path and query, still percent-encoded. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Readable;
  readonly remoteAddress: string | undefined;
  readonly encrypted: boolean;
  /**
   * Aborted when the client goes away before its response finished (a reset, a timeout that cut
   * the connection, a close deadline). Adapters create it on first use; without one, never aborted.
   */
  signal?(): AbortSignal;
}

/** A reader met a body that `consumer` (stream(), or a plugin's parser) already took. */
function bodyConsumed(reader: string, consumer: string): FlagonError {
  const advice =
    consumer === "stream()"
      ? "a body streams only once: use the chunks of that stream, or call bytes() before any other " +
        "reader (every reader, stream() too, then shares its result)"
      : "call ctx.body() again for the parsed result (it is cached), or bytes() before ctx.body() " +
        "when the raw bytes are needed too";
  return new FlagonError(
    ErrorCodes.BODY_CONSUMED,
    `cannot read the request body with ${reader}: ${consumer} already consumed it; ${advice}`,
  );
}

/** What a request's files() reaches through its Context (kept structural: no import cycle). */
interface FilesOwner {
  readonly app: { readonly door: { readonly bodyParsers: { files(ctx: FilesOwner): Promise<unknown[]> } } };
}

/**
 * The incoming request. Query, cookies, content type and body are parsed on first use only;
 * body readers enforce the route's body limit and the strict media-type rules.
 */
export class FlagonRequest {
  readonly method: string;
  readonly url: string;
  /** The path as sent, still percent-encoded. */
  readonly path: string;
  /** The raw query string, without `?` (empty when there is none). */
  readonly queryString: string;
  /** Path variables after conversion (`<int:id>` gives a number). */
  params: Record<string, unknown> = {};
  /** The body limit in force for this request (the route's, else the app's). */
  bodyLimit: number;

  private readonly raw: RawRequest;
  private readonly trust: ProxyTrust | undefined;
  private queryCache: QueryArgs | undefined;
  private cookieCache: Record<string, string> | undefined;
  private mediaCache: MediaType | null | undefined | false = false;
  private bodyCache: Promise<Buffer> | undefined;
  /** The reader that took the raw stream for itself (stream(), a plugin's parser), if any. */
  private consumer: string | undefined;
  private parsed: Promise<unknown> | undefined;
  private abortSignal: AbortSignal | undefined;
  /** @internal Set by the request's Context: files() asks its app's body parsers. */
  owner: FilesOwner | undefined;

  /** `trust` says which peers may set X-Forwarded-* (config.trustProxy); none by default. */
  constructor(raw: RawRequest, bodyLimit: number, trust?: ProxyTrust) {
    this.raw = raw;
    this.trust = trust;
    this.method = raw.method;
    this.url = raw.url;
    this.bodyLimit = bodyLimit;
    const q = raw.url.indexOf("?");
    this.path = q === -1 ? raw.url : raw.url.slice(0, q);
    this.queryString = q === -1 ? "" : raw.url.slice(q + 1);
  }

  get headers(): IncomingHttpHeaders {
    return this.raw.headers;
  }

  /** One header by case-insensitive name; repeated headers come joined by ", " (set-cookie: the first). */
  header(name: string): string | undefined {
    const value = this.raw.headers[name.toLowerCase()];
    return Array.isArray(value) ? value[0] : value;
  }

  /**
   * The uploaded files of a multipart body, as the parser that read it describes them (with
   * `@flagon/forms`: its `UploadedFile`s, each with field name, filename, size and a temporary
   * path), field by field in the order the fields came. It reads and parses the body if nothing did yet, sharing that
   * one parse with `ctx.body()` and `@Body`; a body of any other type has none (`[]`).
   *
   * @example
   * const [avatar] = await ctx.request.files<UploadedFile>();
   */
  files<T = unknown>(): Promise<T[]> {
    const owner = this.owner;
    return (owner === undefined ? Promise.resolve([]) : owner.app.door.bodyParsers.files(owner)) as Promise<
      T[]
    >;
  }

  /** Query arguments; repeated keys are kept (`query.getAll("tag")`). */
  get query(): QueryArgs {
    return (this.queryCache ??= new QueryArgs(this.queryString));
  }

  get cookies(): Record<string, string> {
    return (this.cookieCache ??= parseCookies(this.raw.headers.cookie));
  }

  /** The parsed Content-Type: undefined when absent, null when malformed. */
  get contentType(): MediaType | null | undefined {
    if (this.mediaCache === false) this.mediaCache = parseMediaType(this.raw.headers["content-type"]);
    return this.mediaCache;
  }

  /** The client's address: the peer's, or from X-Forwarded-For when the peer is a trusted proxy. */
  get ip(): string | undefined {
    const { trust } = this;
    const peer = this.raw.remoteAddress;
    if (trust === undefined || !trust(peer)) return peer;
    return forwardedFor(peer, this.raw.headers["x-forwarded-for"], trust);
  }

  /** "https" over TLS, or when a trusted proxy says so in X-Forwarded-Proto (its nearest value). */
  get protocol(): "http" | "https" {
    const direct = this.raw.encrypted ? "https" : "http";
    if (!this.fromTrustedProxy) return direct;
    const forwarded = nearestValue(this.raw.headers["x-forwarded-proto"])?.toLowerCase();
    return forwarded === "https" || forwarded === "http" ? forwarded : direct;
  }

  /**
   * The Host header (with port), or "localhost" when the client sent none; from a trusted proxy,
   * the nearest valid X-Forwarded-Host instead.
   */
  get host(): string {
    if (this.fromTrustedProxy) {
      const forwarded = nearestValue(this.raw.headers["x-forwarded-host"]);
      if (forwarded !== undefined && isValidHost(forwarded)) return forwarded;
    }
    return this.raw.headers.host ?? "localhost";
  }

  /** Whether the peer is a proxy allowed to set X-Forwarded-* headers (config.trustProxy). */
  get fromTrustedProxy(): boolean {
    return this.trust !== undefined && this.trust(this.raw.remoteAddress);
  }

  /**
   * Aborted when the client goes away before the response finished, or a timeout cut the
   * connection: pass it to fetch, database queries and streams so that abandoned work stops.
   */
  get signal(): AbortSignal {
    // Without an adapter signal, one of its own per request (never aborted): a shared one would
    // keep every request's abort listeners alive.
    return (this.abortSignal ??= this.raw.signal?.() ?? new AbortController().signal);
  }

  /**
   * The body as bytes, read once: later calls, and text(), json(), form(), stream() and
   * `ctx.body()`, share the result. After stream() or a plugin's parser took the body, every
   * reader throws FLAGON_ERR_BODY_CONSUMED.
   */
  bytes(): Promise<Buffer> {
    return this.readBytes("bytes()");
  }

  /** The body as text in its declared charset (UTF-8 by default). */
  async text(): Promise<string> {
    return decodeText(await this.readBytes("text()"), this.contentType);
  }

  /**
   * The body parsed as JSON. Needs `application/json` or `application/*+json` (else 415);
   * empty or malformed JSON, or a `__proto__`/`constructor.prototype` key, is a 400.
   */
  async json(): Promise<unknown> {
    requireJson(this.contentType);
    return parseJson(await this.readBytes("json()"));
  }

  /** An `application/x-www-form-urlencoded` body (else 415), repeated keys kept. */
  async form(): Promise<QueryArgs> {
    requireForm(this.contentType);
    return new QueryArgs((await this.readBytes("form()")).toString("utf8"));
  }

  /**
   * The body as a stream of chunks, under the same limit (413 once it is passed). It consumes the
   * body: any reader called after it throws FLAGON_ERR_BODY_CONSUMED, unless bytes() (or a reader
   * built on it) ran first, in which case the stream yields those bytes.
   */
  stream(): AsyncIterable<Buffer> {
    if (this.bodyCache) {
      const cached = this.bodyCache;
      return (async function* () {
        yield await cached;
      })();
    }
    this.take("stream()", this.bodyLimit);
    return limitedChunks(this.raw.body, this.bodyLimit);
  }

  /** @internal bytes() for `reader`, which the error names when the body was already consumed. */
  readBytes(reader: string): Promise<Buffer> {
    if (this.bodyCache) return this.bodyCache;
    if (this.consumer !== undefined) throw bodyConsumed(reader, this.consumer);
    this.checkReadable(this.bodyLimit);
    this.bodyCache = readAll(this.raw.body, this.bodyLimit);
    return this.bodyCache;
  }

  /**
   * @internal The raw body for a plugin's parser, as a byte stream that errors with a 413 once
   * more than `limit` bytes arrived (a declared length over it is a 413 at once). When bytes()
   * ran first, the stream replays them; otherwise `reader` consumes the body.
   */
  bodyStream(reader: string, limit: number): Readable {
    const cached = this.bodyCache;
    if (cached === undefined) {
      this.take(reader, limit);
      return Readable.from(limitedChunks(this.raw.body, limit), { objectMode: false });
    }
    checkDeclaredLength(this.raw.headers["content-length"], limit);
    const replay = async function* (): AsyncGenerator<Buffer> {
      const bytes = await cached;
      if (bytes.length > limit) throw tooLarge(limit);
      yield bytes;
    };
    return Readable.from(replay(), { objectMode: false });
  }

  /** @internal The parsed body: made once by `parse`, then shared (what `ctx.body()` caches). */
  parsedBody(parse: () => Promise<unknown>): Promise<unknown> {
    return (this.parsed ??= parse());
  }

  /** Whether the client has sent the whole body (a response may then keep the connection). */
  get bodyComplete(): boolean {
    const body = this.raw.body as Readable & { complete?: boolean };
    return body.complete ?? body.readableEnded;
  }

  /** `reader` takes the raw stream for itself; no other reader may follow. */
  private take(reader: string, limit: number): void {
    if (this.consumer !== undefined) throw bodyConsumed(reader, this.consumer);
    this.checkReadable(limit);
    this.consumer = reader;
  }

  private checkReadable(limit: number): void {
    const encoding = this.raw.headers["content-encoding"];
    if (encoding !== undefined && encoding.toLowerCase() !== "identity") {
      throw new UnsupportedMediaTypeError(`Content-Encoding ${encoding} is not supported`);
    }
    checkDeclaredLength(this.raw.headers["content-length"], limit);
  }
}
