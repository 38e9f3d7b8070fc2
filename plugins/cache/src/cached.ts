// @Cached(): whole responses of GET routes, looked up before the handler (after the guards:
// preHandler) and stored as they are sent (a ctx.beforeSend step), with the rules a shared cache must keep —
// nothing personal is ever stored, so one user's page is never served to another.
import { createHash } from "node:crypto";
import { FlagonResponse, isFresh, ResponseHeaders, type Context, type RouteInfo } from "@flagon/core";
import { createRouteDecorator } from "@flagon/core/plugin";
import { ASK_ASYNC, type Cache } from "./cache.js";

export interface CachedOptions {
  /** Seconds a response is fresh (default: the cache's `ttl`). */
  readonly ttl?: number;
  /** Replaces the default key (method, host, path, sorted query) with what this returns. */
  readonly key?: (ctx: Context) => string;
  /** Request headers the response varies by, besides those its own `Vary` names. */
  readonly varyBy?: readonly string[];
  /** Statuses that may be stored (default [200]; 203, 301, 404 may be added). */
  readonly statuses?: readonly number[];
  /** Also tell clients: `Cache-Control: public, max-age=<ttl>` when the handler set none. */
  readonly maxAge?: boolean;
  /** Tags to invalidate the responses by. */
  readonly tags?: readonly string[];
}

export const Cached = createRouteDecorator("cache.cached", (options: CachedOptions = {}) => options);

interface StoredResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[]>;
  /** base64 when binary */
  readonly body: string;
  readonly binary: boolean;
}

interface VaryIndex {
  readonly vary: readonly string[];
  /** The response itself when it varies by nothing: one look-up per hit. */
  readonly response?: StoredResponse;
}

/** What the lookup leaves for the store step: the key and the route's options. */
interface Pending {
  readonly primary: string;
  readonly options: CachedOptions;
}

/** Headers never replayed from the cache. */
const NOT_STORED = new Set([
  "set-cookie",
  "date",
  "connection",
  "keep-alive",
  "transfer-encoding",
  "x-cache",
]);

export function primaryKey(ctx: Context, options: CachedOptions): string {
  if (options.key !== undefined) return `route:${options.key(ctx)}`;
  const request = ctx.request;
  const host = request.headers["host"] ?? "";
  if (request.queryString === "") return `route:GET:${host}:${request.path}?`;
  const query = new URLSearchParams(request.queryString);
  query.sort();
  return `route:GET:${host}:${request.path}?${query.toString()}`;
}

const varyKey = (ctx: Context, primary: string, vary: readonly string[]): string =>
  `${primary}|${vary.map((name) => `${name}=${headerText(ctx, name)}`).join("&")}`;

function headerText(ctx: Context, name: string): string {
  const value = ctx.request.headers[name];
  return Array.isArray(value) ? value.join(",") : (value ?? "");
}

function varyOf(response: FlagonResponse, options: CachedOptions): string[] | "*" {
  const raw = response.headers.get("vary");
  const names = (Array.isArray(raw) ? raw.join(",") : (raw ?? ""))
    .split(",")
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== "");
  if (names.includes("*")) return "*";
  return [...new Set([...names, ...(options.varyBy ?? []).map((name) => name.toLowerCase())])].sort();
}

/**
 * The preHandler: answers a GET/HEAD from the cache, or notes what to store. With the in-process
 * store a hit is answered without a promise (the route stays on the synchronous path).
 */
export function lookup(cache: Cache, development: boolean) {
  const save = store(cache, development);
  // The miss is stored by a step of this request only: a route with an onSend hook would leave
  // the framework's synchronous path, and every hit would pay for it.
  const later = (ctx: Context, primary: string, options: CachedOptions): undefined => {
    ctx.beforeSend((response) => save(ctx, response, { primary, options }));
    return undefined;
  };
  const viaStore = async (
    ctx: Context,
    primary: string,
    options: CachedOptions,
  ): Promise<FlagonResponse | undefined> => {
    const index = await cache.get<VaryIndex>(primary);
    if (index !== undefined) {
      const stored = index.response ?? (await cache.get<StoredResponse>(varyKey(ctx, primary, index.vary)));
      if (stored !== undefined) return replay(ctx, stored, development);
    }
    return later(ctx, primary, options);
  };
  return (ctx: Context): FlagonResponse | undefined | Promise<FlagonResponse | undefined> => {
    const method = ctx.request.method;
    if (method !== "GET" && method !== "HEAD") return undefined;
    // A request with credentials gets a response made for it: RFC 9111 §3.5.
    if (ctx.request.headers["authorization"] !== undefined) return undefined;
    const options = Cached.get(ctx.route) ?? {};
    const primary = primaryKey(ctx, options);
    const index = cache.peek<VaryIndex>(primary);
    if (index === ASK_ASYNC) return viaStore(ctx, primary, options);
    if (index !== undefined) {
      const stored = index.response ?? cache.peek<StoredResponse>(varyKey(ctx, primary, index.vary));
      if (stored === ASK_ASYNC) return viaStore(ctx, primary, options);
      if (stored !== undefined) return replay(ctx, stored, development);
    }
    return later(ctx, primary, options);
  };
}

function replay(ctx: Context, stored: StoredResponse, development: boolean): FlagonResponse {
  // A copy per response (later hooks add to it); the stored values were checked when the
  // handler set them, and node:http checks them again as it writes.
  const headers = new ResponseHeaders();
  for (const name in stored.headers) {
    const value = stored.headers[name] as string | string[];
    headers.raw[name] = typeof value === "string" ? value : [...value];
  }
  if (development) headers.raw["x-cache"] = "hit";
  const etag = stored.headers["etag"];
  // Only If-None-Match can make a stored response (which has an ETag, no Last-Modified) a 304.
  if (
    typeof etag === "string" &&
    ctx.request.headers["if-none-match"] !== undefined &&
    isFresh(ctx, { etag })
  ) {
    return new FlagonResponse(null, { status: 304, headers });
  }
  const body = stored.binary ? Buffer.from(stored.body, "base64") : stored.body;
  return new FlagonResponse(body, { status: stored.status, headers });
}

/** Why a response must not be stored, or undefined when it may be. */
export function refusal(ctx: Context, response: FlagonResponse, options: CachedOptions): string | undefined {
  if (!(options.statuses ?? [200]).includes(response.status)) return `status ${response.status}`;
  if (response.headers.has("set-cookie")) return "it sets a cookie";
  const control = String(response.headers.get("cache-control") ?? "").toLowerCase();
  if (/\b(private|no-store|no-cache)\b/.test(control)) return `Cache-Control: ${control}`;
  if (ctx.sessionUsed) return "it read the session (it is someone's page)";
  if (typeof response.body !== "string" && !(response.body instanceof Uint8Array)) return "a streamed body";
  return undefined;
}

/**
 * The step a miss runs before its response is sent (`ctx.beforeSend`): stores a response the
 * rules allow, and tags it for the client.
 */
export function store(cache: Cache, development: boolean) {
  return (ctx: Context, response: FlagonResponse, noted: Pending): void => {
    if (development) response.headers.set("x-cache", "miss");
    // A HEAD's response has no body to keep; the next GET stores one.
    if (ctx.request.method !== "GET") return;
    if (refusal(ctx, response, noted.options) !== undefined) return;
    const vary = varyOf(response, noted.options);
    if (vary === "*") return;
    const body = response.body as string | Uint8Array;
    if (!response.headers.has("etag")) {
      response.headers.set("etag", `W/"${createHash("sha1").update(body).digest("base64url").slice(0, 27)}"`);
    }
    const ttl = noted.options.ttl;
    if (noted.options.maxAge && !response.headers.has("cache-control")) {
      response.headers.set("cache-control", `public, max-age=${ttl ?? 300}`);
    }
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(response.headers.raw)) {
      if (!NOT_STORED.has(name)) headers[name] = value;
    }
    const stored: StoredResponse =
      typeof body === "string"
        ? { status: response.status, headers, body, binary: false }
        : { status: response.status, headers, body: Buffer.from(body).toString("base64"), binary: true };
    const set = {
      ...(ttl === undefined ? {} : { ttl }),
      ...(noted.options.tags ? { tags: noted.options.tags } : {}),
    };
    const variant = vary.length === 0 ? "" : varyKey(ctx, noted.primary, vary);
    // Stored in the background: the response does not wait for the store.
    const writes =
      vary.length === 0
        ? [cache.set(noted.primary, { vary, response: stored } satisfies VaryIndex, set)]
        : [cache.set(noted.primary, { vary } satisfies VaryIndex, set), cache.set(variant, stored, set)];
    const written = Promise.all(writes);
    written.catch(() => undefined);
    // This step runs before the onSend hooks: if one of them made the response personal (a
    // cookie, Cache-Control: private), the stored copy is taken back once they are done.
    setImmediate(() => {
      if (refusal(ctx, response, noted.options) === undefined) return;
      void written
        .finally(() => cache.delete(vary.length === 0 ? noted.primary : variant))
        .catch(() => undefined);
    });
  };
}

/** Whether a route carries @Cached. */
export const isCached = (route: RouteInfo | undefined): boolean => Cached.has(route);
