import { constants, type Stats } from "node:fs";
import { open } from "node:fs/promises";
import path from "node:path";
import { lazyRequire } from "../util/lazy.js";
import { ErrorCodes, FlagonError } from "../errors/codes.js";
import { HttpError, NotFoundError } from "../errors/http-errors.js";
import type { Context } from "../http/context.js";
import { FlagonResponse, ResponseHeaders } from "../http/response.js";
import {
  evaluatePreconditions,
  httpDate,
  ifRangeAllows,
  makeEtag,
  toSeconds,
  type Validators,
} from "./conditional.js";
import { contentDisposition } from "./content-disposition.js";
import { evaluateRange } from "./range.js";
import { locateFile } from "./safe-join.js";

const mime = lazyRequire<typeof import("mime-types")>("mime-types");

export interface SendFileOptions {
  /**
   * Serve `path` from inside this folder (absolute, or relative to the app root). `path` is then
   * relative to it and may come from the request: it is refused (404) if it could leave the folder.
   * Without `root`, `path` must be absolute and is trusted: never build it from user input.
   */
  root?: string;
  /** Send as an attachment: `true` uses the file's name, a string is the name to save it as. */
  download?: string | boolean;
  /** The Cache-Control header (default `no-cache`: the browser revalidates with ETag and Last-Modified). */
  cacheControl?: string;
  /** The Content-Type; by default guessed from the file name (`application/octet-stream` when unknown). */
  contentType?: string;
  /** Send an ETag and honour If-None-Match / If-Match / If-Range with it (default true). */
  etag?: boolean;
  /** Send Last-Modified and honour If-Modified-Since / If-Unmodified-Since with it (default true). */
  lastModified?: boolean;
}

export const DEFAULT_CACHE_CONTROL = "no-cache";
const CHUNK_SIZE = 64 * 1024;
// O_NONBLOCK: opening a FIFO swapped in after the checks must not block a thread-pool thread.
// O_NOFOLLOW: the real path was resolved already; a symlink appearing there now is refused.
// Both are 0 on Windows, where neither applies.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0);
// Computed here, from the file; headers a handler set on the response never override them.
const OWNED_HEADERS = new Set(["content-length", "content-range", "accept-ranges", "etag", "last-modified"]);

function sameFile(a: Stats, b: Stats): boolean {
  return (
    a.isFile() &&
    b.isFile() &&
    a.dev === b.dev &&
    a.ino === b.ino &&
    a.size === b.size &&
    a.mtimeMs === b.mtimeMs
  );
}

/**
 * Reads bytes `start..end` (inclusive) of a file. The file is opened only when the body is first
 * read, so a response that is never sent (HEAD, an error after prepare, a client gone) holds no
 * descriptor; it is closed when the body ends, fails or is abandoned. If the file was replaced or
 * truncated since it was checked, the body fails and the connection is cut: the headers already
 * promised a length, and a short body would desynchronise a kept-alive connection.
 */
async function* fileBytes(file: string, expected: Stats, start: number, end: number): AsyncGenerator<Buffer> {
  const handle = await open(file, OPEN_FLAGS);
  try {
    if (!sameFile(await handle.stat(), expected)) throw new Error(`${file} changed while it was being sent`);
    let position = start;
    let remaining = end - start + 1;
    while (remaining > 0) {
      const buffer = Buffer.allocUnsafe(Math.min(CHUNK_SIZE, remaining));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) throw new Error(`${file} was truncated while it was being sent`);
      position += bytesRead;
      remaining -= bytesRead;
      yield bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

function checkOption(name: string, value: unknown, check: (v: unknown) => boolean, expected: string): void {
  if (value !== undefined && !check(value)) {
    throw new FlagonError(ErrorCodes.INVALID_RESPONSE, `sendFile option ${name} must be ${expected}`);
  }
}

const isString = (v: unknown): boolean => typeof v === "string";
const isBoolean = (v: unknown): boolean => typeof v === "boolean";

/**
 * A file response, built inside the request by `prepare`: the file is looked up and checked
 * asynchronously, conditional headers are answered (304, 412), a single byte range gives 206
 * (416 when it cannot be satisfied; several ranges give the whole file), HEAD gets the headers
 * only, and the body streams from disk with backpressure. Made by `sendFile`.
 */
export class FileResponse extends FlagonResponse {
  readonly path: string;
  readonly options: Readonly<SendFileOptions>;

  constructor(filePath: string, options: SendFileOptions = {}) {
    super(null);
    if (typeof filePath !== "string") {
      throw new FlagonError(ErrorCodes.INVALID_RESPONSE, "sendFile needs a path string");
    }
    checkOption("root", options.root, isString, "a string");
    checkOption("download", options.download, (v) => isString(v) || isBoolean(v), "a string or a boolean");
    checkOption("cacheControl", options.cacheControl, isString, "a string");
    checkOption("contentType", options.contentType, isString, "a string");
    checkOption("etag", options.etag, isBoolean, "a boolean");
    checkOption("lastModified", options.lastModified, isBoolean, "a boolean");
    if (options.root === undefined && !path.isAbsolute(filePath) && !filePath.includes("\u0000")) {
      throw new FlagonError(
        ErrorCodes.INVALID_RESPONSE,
        `sendFile("${filePath}") needs an absolute path, or a root folder to serve it from`,
      );
    }
    // Header values are checked now, so that a bad one fails where it was written.
    new ResponseHeaders({ "cache-control": options.cacheControl, "content-type": options.contentType });
    this.path = filePath;
    this.options = { ...options };
  }

  override async prepare(ctx: Context): Promise<FlagonResponse> {
    const { options } = this;
    const request = ctx.request;
    const root = options.root === undefined ? undefined : path.resolve(ctx.app.root, options.root);
    const found = await locateFile(root, this.path);
    if (!found) throw new NotFoundError();
    const { file, stats } = found;
    const size = stats.size;
    const validators: Validators = {
      etag: options.etag === false ? undefined : makeEtag(size, stats.mtimeMs),
      lastModified: options.lastModified === false ? undefined : toSeconds(stats.mtimeMs),
    };
    const name = typeof options.download === "string" ? options.download : path.basename(this.path);

    const headers = new ResponseHeaders();
    headers.set("cache-control", options.cacheControl ?? DEFAULT_CACHE_CONTROL);
    if (validators.etag !== undefined) headers.set("etag", validators.etag);
    if (validators.lastModified !== undefined)
      headers.set("last-modified", httpDate(validators.lastModified));
    headers.set("content-disposition", contentDisposition(name, options.download ? "attachment" : "inline"));
    headers.set("x-content-type-options", "nosniff");

    const method = request.method;
    const header = (n: string): string | undefined => request.header(n);
    const outcome = evaluatePreconditions(header, method, validators);
    if (outcome === 412) throw new HttpError(412);
    if (outcome === 304)
      return this.withOwnHeaders(new FlagonResponse(null, { status: 304, headers: headers.raw }));

    headers.set(
      "content-type",
      options.contentType ?? (mime().contentType(name) || "application/octet-stream"),
    );
    headers.set("accept-ranges", "bytes");
    let status = 200;
    let start = 0;
    let end = size - 1;
    // Range is defined for GET only (RFC 9110 §14.2): HEAD answers as a GET without Range would.
    if (method === "GET") {
      const range = evaluateRange(header("range"), size);
      if (range.kind !== "full" && ifRangeAllows(header("if-range"), validators)) {
        if (range.kind === "unsatisfiable") {
          throw new HttpError(416, undefined, { headers: { "content-range": `bytes */${size}` } });
        }
        ({ start, end } = range);
        status = 206;
        headers.set("content-range", `bytes ${start}-${end}/${size}`);
      }
    }
    const length = end - start + 1;
    headers.set("content-length", length);
    const body = method === "HEAD" || length === 0 ? null : fileBytes(file, stats, start, end);
    return this.withOwnHeaders(new FlagonResponse(body, { status, headers: headers.raw }));
  }

  /** Headers a handler set on this response (or through ctx.response) win, except the computed ones. */
  private withOwnHeaders(response: FlagonResponse): FlagonResponse {
    const own = this.headers.raw;
    for (const name of Object.keys(own)) {
      if (OWNED_HEADERS.has(name)) continue;
      if (response.status === 304 && name === "content-type") continue;
      const value = own[name] as string | string[];
      if (name === "set-cookie")
        for (const v of typeof value === "string" ? [value] : value) response.headers.append(name, v);
      else response.headers.set(name, value);
    }
    return response;
  }
}

/**
 * Sends a file from a handler, with the guarantees of static files: ETag and Last-Modified with
 * 304 answers, single byte ranges (206/416), HEAD, a Content-Type from the file name, and
 * streaming with backpressure. With `root`, `path` is confined to that folder (a path from the
 * request is safe there); without it, `path` must be absolute and is trusted.
 *
 * @example
 * app.get("/reports/<path:name>", (ctx) => sendFile(String(ctx.request.params.name), { root: "reports" }));
 * app.get("/export", () => sendFile("/var/exports/today.csv", { download: "export.csv" }));
 */
export function sendFile(filePath: string, options?: SendFileOptions): FileResponse {
  return new FileResponse(filePath, options);
}
