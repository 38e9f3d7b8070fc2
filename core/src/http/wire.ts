import type { Readable } from "node:stream";
import { type FlagonResponse, isStreamBody, toReadable } from "./response.js";

/** Header names and values in turn, as `writeHead` takes them: `[name, value, name, value…]`. */
export type WireHeaders = Array<string | string[]>;

/** A response as it goes on the wire: final headers, and either a whole body or a stream. */
export interface WireResponse {
  readonly status: number;
  readonly headers: WireHeaders;
  readonly body: string | Uint8Array | null;
  /** A streamed body; for HEAD it is returned so that the caller can release it unread. */
  readonly stream: Readable | null;
  /** Whether a body may be sent (false for HEAD, 204, 304, 1xx). */
  readonly sendBody: boolean;
}

/** What a front door (the node adapter, `inject`) gets for one request: bytes to move, and a call. */
export interface Answer {
  readonly wire: WireResponse;
  /**
   * Admission refused the request (a bad Host, framing the adapter found ambiguous): a connection
   * carries nothing after it.
   */
  readonly refused: boolean;
  /**
   * Call once the response was written, or the client left (`aborted`): the request's line is
   * logged, then the onResponse hooks run and its container is disposed. Only the first call
   * counts. A promise only when there is work to wait for.
   */
  done(aborted?: boolean): Promise<void> | undefined;
}

/** The response's own headers, then each default header it lacks. */
function flatten(response: FlagonResponse, defaults: readonly string[] | undefined): WireHeaders {
  const raw = response.headers.raw;
  const out: WireHeaders = [];
  for (const name in raw) out.push(name, raw[name] as string | string[]);
  if (defaults !== undefined) {
    for (let i = 0; i < defaults.length; i += 2) {
      const name = defaults[i] as string;
      if (raw[name] === undefined) out.push(name, defaults[i + 1] as string);
    }
  }
  return out;
}

/** Sets one header of a wire response, replacing a value of the same (lower-case) name. */
export function setWireHeader(headers: WireHeaders, name: string, value: string): void {
  for (let i = 0; i < headers.length; i += 2) {
    if (headers[i] === name) {
      headers[i + 1] = value;
      return;
    }
  }
  headers.push(name, value);
}

/** One header of a wire response, by lower-case name. */
export function wireHeader(headers: WireHeaders, name: string): string | string[] | undefined {
  for (let i = 0; i < headers.length; i += 2) if (headers[i] === name) return headers[i + 1];
  return undefined;
}

/** The wire headers as an object (set-cookie and other repeated headers keep every value). */
export function wireHeadersObject(headers: WireHeaders): Record<string, string | string[]> {
  const entries: Array<[string, string | string[]]> = [];
  for (let i = 0; i < headers.length; i += 2)
    entries.push([headers[i] as string, headers[i + 1] as string | string[]]);
  // fromEntries defines own properties, so even a header named __proto__ stays plain data.
  return Object.fromEntries(entries);
}

/**
 * Final touches shared by the node adapter and `inject`, so both answer identically:
 * Content-Length for whole bodies (HEAD keeps the GET's length), none for 204/304, no body
 * where HTTP forbids one, and the `defaults` (names and values in turn: the security headers)
 * that the response lacks.
 */
export function toWire(response: FlagonResponse, method: string, defaults?: readonly string[]): WireResponse {
  const { status } = response;
  const headers = response.headers.raw;
  const bodyless = status === 204 || status === 304 || status < 200;
  const sendBody = !bodyless && method !== "HEAD";
  const body = response.body;
  if (bodyless) {
    delete headers["content-length"];
    const stream = body !== null && isStreamBody(body) ? toReadable(body) : null;
    return { status, headers: flatten(response, defaults), body: null, stream, sendBody };
  }
  if (body === null) {
    headers["content-length"] ??= "0";
    return { status, headers: flatten(response, defaults), body: null, stream: null, sendBody };
  }
  if (typeof body === "string" || body instanceof Uint8Array) {
    headers["content-length"] = String(typeof body === "string" ? Buffer.byteLength(body) : body.byteLength);
    return { status, headers: flatten(response, defaults), body, stream: null, sendBody };
  }
  return { status, headers: flatten(response, defaults), body: null, stream: toReadable(body), sendBody };
}
