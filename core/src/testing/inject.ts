import type { IncomingHttpHeaders } from "node:http";
import { Readable } from "node:stream";
import * as cookie from "cookie";
import type { RawRequest } from "../http/request.js";
import { type Answer, wireHeadersObject } from "../http/wire.js";

type QueryValue = string | number | boolean;

/** A request for `inject`: only `url` is required; `json` and `form` set the body and its type. */
export interface InjectOptions {
  method?: string;
  url: string;
  headers?: Record<string, string | readonly string[] | undefined>;
  /** Added to the URL's query string. */
  query?: Record<string, QueryValue | readonly QueryValue[]>;
  body?: string | Uint8Array;
  json?: unknown;
  form?: Record<string, string | readonly string[]>;
  cookies?: Record<string, string>;
  /** The peer address the app sees (default 127.0.0.1). */
  remoteAddress?: string;
  /** Pretend the request came over TLS. */
  encrypted?: boolean;
}

export interface SetCookieEntry {
  readonly name: string;
  readonly value: string;
  readonly attributes: Readonly<Record<string, string | true>>;
}

export interface InjectResponse {
  readonly statusCode: number;
  /** Lower-case names; `set-cookie` is always an array when present. */
  readonly headers: Record<string, string | string[]>;
  readonly body: string;
  readonly rawBody: Buffer;
  /** The body parsed as JSON. */
  json<T = unknown>(): T;
  /** The cookies the response set, parsed. */
  readonly cookies: readonly SetCookieEntry[];
}

/** What inject needs of an app. */
export interface Injectable {
  ready(): Promise<void>;
  /** One request through the app: the wire form, and `done()` once it was "written". */
  handle(raw: RawRequest): Answer | Promise<Answer>;
}

function buildRequest(options: InjectOptions): RawRequest {
  const headers: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    if (key === "set-cookie") headers[key] = [...value];
    else headers[key] = typeof value === "string" ? value : value.join(", ");
  }
  headers.host ??= "localhost";
  let url = options.url;
  if (options.query) {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(options.query)) {
      for (const item of Array.isArray(value) ? value : [value]) search.append(key, String(item));
    }
    const text = search.toString();
    if (text) url += (url.includes("?") ? "&" : "?") + text;
  }
  let body: Buffer | undefined;
  if (options.json !== undefined) {
    body = Buffer.from(JSON.stringify(options.json));
    headers["content-type"] ??= "application/json";
  } else if (options.form !== undefined) {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(options.form)) {
      for (const item of typeof value === "string" ? [value] : value) search.append(key, item);
    }
    body = Buffer.from(search.toString());
    headers["content-type"] ??= "application/x-www-form-urlencoded";
  } else if (options.body !== undefined) {
    body = typeof options.body === "string" ? Buffer.from(options.body) : Buffer.from(options.body);
  }
  if (body !== undefined) headers["content-length"] ??= String(body.length);
  // No cookies gives no Cookie header (a TestClient with an empty jar passes `{}`): an empty
  // header would make the app think the client has cookies, as a browser without any never says.
  const pairs = Object.entries(options.cookies ?? {}).map(([k, v]) => `${k}=${encodeURIComponent(v)}`);
  if (pairs.length > 0) headers.cookie = [headers.cookie, ...pairs].filter(Boolean).join("; ");
  const stream = Readable.from(body && body.length > 0 ? [body] : [], { objectMode: false }) as Readable & {
    complete?: boolean;
  };
  stream.once("end", () => {
    stream.complete = true;
  });
  return {
    method: (options.method ?? "GET").toUpperCase(),
    url,
    headers,
    body: stream,
    remoteAddress: options.remoteAddress ?? "127.0.0.1",
    encrypted: options.encrypted ?? false,
  };
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  }
  return Buffer.concat(chunks);
}

function parseSetCookie(header: string): SetCookieEntry {
  const [pair = "", ...parts] = header.split(";");
  const eq = pair.indexOf("=");
  const name = pair.slice(0, eq).trim();
  const attributes: Record<string, string | true> = {};
  for (const part of parts) {
    const i = part.indexOf("=");
    if (i === -1) attributes[part.trim().toLowerCase()] = true;
    else attributes[part.slice(0, i).trim().toLowerCase()] = part.slice(i + 1).trim();
  }
  const value = cookie.parse(`${name}=${pair.slice(eq + 1).trim()}`)[name] ?? "";
  return { name, value, attributes };
}

/**
 * Sends a request through an app without a socket and collects the response, exactly as the
 * node adapter would have written it (same headers, HEAD without a body).
 *
 * @example
 * const res = await inject(app, { method: "POST", url: "/todos/", json: { title: "milk" } });
 * expect(res.statusCode).toBe(201);
 */
export async function inject(app: Injectable, request: InjectOptions | string): Promise<InjectResponse> {
  const options = typeof request === "string" ? { url: request } : request;
  await app.ready();
  const raw = buildRequest(options);
  const answer = await app.handle(raw);
  const { wire } = answer;
  let rawBody: Buffer = Buffer.alloc(0);
  if (wire.stream) {
    if (wire.sendBody) rawBody = await collect(wire.stream);
    else wire.stream.destroy();
  } else if (wire.sendBody && wire.body !== null) {
    rawBody = typeof wire.body === "string" ? Buffer.from(wire.body) : Buffer.from(wire.body);
  }
  const headers = wireHeadersObject(wire.headers);
  const setCookie = headers["set-cookie"];
  if (typeof setCookie === "string") headers["set-cookie"] = [setCookie];
  const cookies = (Array.isArray(headers["set-cookie"]) ? headers["set-cookie"] : []).map(parseSetCookie);
  await answer.done();
  const body = rawBody.toString("utf8");
  return {
    statusCode: wire.status,
    headers,
    body,
    rawBody,
    json: <T>() => JSON.parse(body) as T,
    cookies,
  };
}
