import type { Readable } from "node:stream";
import sjson from "secure-json-parse";
import { TextDecoder } from "node:util";
import {
  BadRequestError,
  type HttpError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
} from "../errors/http-errors.js";
import { FORM_TYPE, isJsonType, type MediaType } from "./media-type.js";

/** The default body limit: 1 MiB, as Fastify's. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

function tooLarge(limit: number): HttpError {
  return new PayloadTooLargeError(`request body is larger than the limit of ${limit} bytes`);
}

/** Rejects a declared length over the limit before a byte is read. */
export function checkDeclaredLength(header: string | undefined, limit: number): void {
  if (header !== undefined && Number(header) > limit) throw tooLarge(limit);
}

// How a request body stream fails when the client goes away or node's requestTimeout cuts it.
const CLIENT_GONE = new Set(["ECONNRESET", "ECONNABORTED", "EPIPE", "ERR_STREAM_PREMATURE_CLOSE"]);

/**
 * Yields the body's chunks and throws 413 as soon as more than `limit` bytes arrived. It never
 * destroys the source on exit, so the connection survives long enough to carry the 413.
 * A body the client stopped sending (it disconnected, or requestTimeout cut it) is a 400, as in
 * Fastify: the client's doing, so not logged as a server error with a stack on every slow client.
 */
export async function* limitedChunks(source: Readable, limit: number): AsyncGenerator<Buffer> {
  let size = 0;
  try {
    for await (const chunk of source.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer | string>) {
      const buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      size += buffer.length;
      if (size > limit) {
        source.pause();
        throw tooLarge(limit);
      }
      yield buffer;
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | null)?.code;
    if (code === undefined || !CLIENT_GONE.has(code)) throw error;
    throw new BadRequestError("the client closed the connection before the body was complete", {
      cause: error,
    });
  }
}

/** Reads the whole body into one buffer, never holding more than `limit` bytes. */
export async function readAll(source: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of limitedChunks(source, limit)) {
    chunks.push(chunk);
    size += chunk.length;
  }
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
}

const UTF8 = new Set(["utf-8", "utf8"]);

function charsetOf(media: MediaType, fallback: string): string {
  return (media.parameters["charset"] ?? fallback).toLowerCase();
}

/** Throws 415 unless the request declares a JSON media type in UTF-8. */
export function requireJson(media: MediaType | null | undefined): void {
  if (media === null) throw new UnsupportedMediaTypeError("malformed Content-Type header");
  if (media === undefined)
    throw new UnsupportedMediaTypeError("expected a JSON body, but no Content-Type was sent");
  if (!isJsonType(media.type)) {
    throw new UnsupportedMediaTypeError(`expected a JSON body, got ${media.type}`);
  }
  if (!UTF8.has(charsetOf(media, "utf-8"))) {
    throw new UnsupportedMediaTypeError("JSON bodies must be encoded in UTF-8");
  }
}

/** Throws 415 unless the request declares `application/x-www-form-urlencoded`. */
export function requireForm(media: MediaType | null | undefined): void {
  if (media?.type !== FORM_TYPE) {
    const got = media === null ? "a malformed Content-Type" : (media?.type ?? "no Content-Type");
    throw new UnsupportedMediaTypeError(`expected ${FORM_TYPE}, got ${got}`);
  }
  if (!UTF8.has(charsetOf(media, "utf-8"))) {
    throw new UnsupportedMediaTypeError("form bodies must be encoded in UTF-8");
  }
}

/**
 * Parses JSON with prototype-poisoning protection: keys `__proto__` and `constructor.prototype`
 * (in any spelling, escaped or nested) are a 400, so no parsed object can carry them.
 */
export function parseJson(buffer: Buffer): unknown {
  const text = buffer.toString("utf8");
  if (text.trim() === "") throw new BadRequestError("the JSON body is empty");
  try {
    return sjson.parse(text, undefined, { protoAction: "error", constructorAction: "error" });
  } catch (error) {
    const reason = error instanceof SyntaxError ? error.message : "malformed JSON";
    throw new BadRequestError(`invalid JSON body: ${reason}`, { cause: error });
  }
}

/** Decodes a text body in its declared charset (UTF-8 when none); unknown charsets are a 415. */
export function decodeText(buffer: Buffer, media: MediaType | null | undefined): string {
  const charset = media ? charsetOf(media, "utf-8") : "utf-8";
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset);
  } catch {
    throw new UnsupportedMediaTypeError(`unsupported charset ${JSON.stringify(charset)}`);
  }
  return decoder.decode(buffer);
}
