import type { Readable } from "node:stream";
import { type FlagonResponse, isStreamBody, toReadable } from "./response.js";

/** A response as it goes on the wire: final headers, and either a whole body or a stream. */
export interface WireResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: string | Uint8Array | null;
  /** A streamed body; for HEAD it is returned so that the caller can release it unread. */
  readonly stream: Readable | null;
  /** Whether a body may be sent (false for HEAD, 204, 304, 1xx). */
  readonly sendBody: boolean;
}

/**
 * Final touches shared by the node adapter and `inject`, so both answer identically:
 * Content-Length for whole bodies (HEAD keeps the GET's length), none for 204/304, and no body
 * where HTTP forbids one.
 */
export function toWire(response: FlagonResponse, method: string): WireResponse {
  const { status } = response;
  const headers = response.headers.raw;
  const bodyless = status === 204 || status === 304 || status < 200;
  const sendBody = !bodyless && method !== "HEAD";
  const body = response.body;
  if (bodyless) {
    delete headers["content-length"];
    if (body !== null && isStreamBody(body))
      return { status, headers, body: null, stream: toReadable(body), sendBody };
    return { status, headers, body: null, stream: null, sendBody };
  }
  if (body === null) {
    headers["content-length"] ??= "0";
    return { status, headers, body: null, stream: null, sendBody };
  }
  if (typeof body === "string" || body instanceof Uint8Array) {
    headers["content-length"] = String(typeof body === "string" ? Buffer.byteLength(body) : body.byteLength);
    return { status, headers, body, stream: null, sendBody };
  }
  return { status, headers, body: null, stream: toReadable(body), sendBody };
}
