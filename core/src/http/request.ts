import type { IncomingHttpHeaders } from "node:http";
import type { Readable } from "node:stream";
import { UnsupportedMediaTypeError } from "../errors/http-errors.js";
import {
  checkDeclaredLength,
  decodeText,
  limitedChunks,
  parseJson,
  readAll,
  requireForm,
  requireJson,
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

/** The signal of a request whose adapter cannot tell when the client leaves: never aborted. */
const NEVER_ABORTED = new AbortController().signal;

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
  private streamed = false;

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
    return this.raw.signal?.() ?? NEVER_ABORTED;
  }

  /** The body as bytes, read once (later calls share the result). */
  bytes(): Promise<Buffer> {
    if (this.bodyCache) return this.bodyCache;
    this.checkReadable();
    this.bodyCache = readAll(this.raw.body, this.bodyLimit);
    return this.bodyCache;
  }

  /** The body as text in its declared charset (UTF-8 by default). */
  async text(): Promise<string> {
    return decodeText(await this.bytes(), this.contentType);
  }

  /**
   * The body parsed as JSON. Needs `application/json` or `application/*+json` (else 415);
   * empty or malformed JSON, or a `__proto__`/`constructor.prototype` key, is a 400.
   */
  async json(): Promise<unknown> {
    requireJson(this.contentType);
    return parseJson(await this.bytes());
  }

  /** An `application/x-www-form-urlencoded` body (else 415), repeated keys kept. */
  async form(): Promise<QueryArgs> {
    requireForm(this.contentType);
    return new QueryArgs((await this.bytes()).toString("utf8"));
  }

  /** The body as a stream of chunks, under the same limit (413 once it is passed). */
  stream(): AsyncIterable<Buffer> {
    if (this.bodyCache) {
      const cached = this.bodyCache;
      return (async function* () {
        yield await cached;
      })();
    }
    this.checkReadable();
    this.streamed = true;
    return limitedChunks(this.raw.body, this.bodyLimit);
  }

  /** Whether the client has sent the whole body (a response may then keep the connection). */
  get bodyComplete(): boolean {
    const body = this.raw.body as Readable & { complete?: boolean };
    return body.complete ?? body.readableEnded;
  }

  private checkReadable(): void {
    if (this.streamed) throw new Error("the request body was already consumed as a stream");
    const encoding = this.raw.headers["content-encoding"];
    if (encoding !== undefined && encoding.toLowerCase() !== "identity") {
      throw new UnsupportedMediaTypeError(`Content-Encoding ${encoding} is not supported`);
    }
    checkDeclaredLength(this.raw.headers["content-length"], this.bodyLimit);
  }
}
