import type { Readable } from "node:stream";
import sjson from "secure-json-parse";
import { TextDecoder } from "node:util";
import { ErrorCodes, FlagonError } from "../errors/codes.js";
import {
  BadRequestError,
  type HttpError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
} from "../errors/http-errors.js";
import { FORM_TYPE, isJsonType, type MediaType } from "./media-type.js";

/** The default body limit: 1 MiB, as Fastify's. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/**
 * Parses a byte limit (`config.bodyLimit`, a route's or a parser's): a whole number of bytes, 0
 * or more; nothing may switch the limit off. `key` names it in the error.
 */
export function checkBodyLimit(key: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    const shown = typeof value === "number" || value === undefined ? String(value) : JSON.stringify(value);
    throw new FlagonError(
      ErrorCodes.INVALID_CONFIG,
      `config.${key} must be a whole number of bytes (0 or more), got ${shown}`,
    );
  }
  return value;
}

/** The 413 of a body over `limit` bytes. */
export function tooLarge(limit: number): HttpError {
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
    throw bodyFailure(error);
  }
}

/** What a body stream's failure means: the client left (400), or something else (as it is). */
function bodyFailure(error: unknown): Error {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === undefined || !CLIENT_GONE.has(code)) {
    return error instanceof Error ? error : new Error(String(error), { cause: error });
  }
  return new BadRequestError("the client closed the connection before the body was complete", {
    cause: error,
  });
}

function prematureClose(): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error("the request body ended before it was complete");
  error.code = "ERR_STREAM_PREMATURE_CLOSE";
  return error;
}

/**
 * Reads the whole body into one buffer, never holding more than `limit` bytes: the same rules as
 * `limitedChunks` (413 as soon as the limit is passed, the source paused and not destroyed; a
 * client that left is a 400), with plain stream events rather than an async iterator, which
 * costs several microseconds per request.
 */
export function readAll(source: Readable, limit: number): Promise<Buffer> {
  if (source.errored) return Promise.reject(bodyFailure(source.errored));
  if (source.readableEnded) return Promise.resolve(Buffer.alloc(0));
  if (source.destroyed) return Promise.reject(bodyFailure(prematureClose()));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (): void => {
      source.off("readable", onReadable);
      source.off("end", onEnd);
      source.off("error", onError);
      source.off("close", onClose);
    };
    const refuse = (): void => {
      done();
      source.pause();
      reject(tooLarge(limit));
    };
    const onReadable = (): void => {
      for (;;) {
        // Bytes waiting in the stream that would pass the limit are refused unread, so the
        // stream is left as it is (not ended, not destroyed) for the 413 to go out.
        if (!source.readableObjectMode && size + source.readableLength > limit) {
          refuse();
          return;
        }
        const chunk = source.read() as Buffer | string | null;
        if (chunk === null) return;
        const buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
        size += buffer.length;
        if (size > limit) {
          refuse();
          return;
        }
        chunks.push(buffer);
      }
    };
    const onEnd = (): void => {
      done();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onError = (error: Error): void => {
      done();
      reject(bodyFailure(error));
    };
    // Closed without 'end' or 'error': the client went away mid-body.
    const onClose = (): void => {
      done();
      reject(bodyFailure(prematureClose()));
    };
    source.on("readable", onReadable);
    source.on("end", onEnd);
    source.on("error", onError);
    source.on("close", onClose);
  });
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
