import { randomUUID } from "node:crypto";
import { createWriteStream, type WriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import type { Context } from "@flagon/core";

/**
 * A file of a multipart body. `mimetype` is what the client claimed: never trust it for storage
 * or serving (sniff the content, or use `fileAllowed` on the extension and check it yourself).
 * Small files are in `buffer`; larger ones in `path`, a temporary file removed when the request
 * ends (move or copy it in the handler to keep it).
 */
export interface UploadedFile {
  /** The field name of the part. */
  readonly field: string;
  /** The client's filename made safe: no directories, no control or reserved characters, at most 255 bytes. */
  readonly filename: string;
  readonly size: number;
  /** The Content-Type the client claimed for the part (lower-cased); not checked. */
  readonly mimetype: string;
  /** The temporary file holding the content, for files above `forms.memoryThreshold`. */
  readonly path?: string;
  /** The content, for files up to `forms.memoryThreshold`. */
  readonly buffer?: Buffer;
}

/** Whether `value` is an uploaded file of a parsed multipart body. */
export function isUploadedFile(value: unknown): value is UploadedFile {
  return value instanceof UploadedFileImpl;
}

/** @internal The concrete file object, so that a client can never forge one with a JSON body. */
export class UploadedFileImpl implements UploadedFile {
  constructor(
    readonly field: string,
    readonly filename: string,
    readonly size: number,
    readonly mimetype: string,
    readonly path?: string,
    readonly buffer?: Buffer,
  ) {}

  toJSON(): Record<string, unknown> {
    return { filename: this.filename, size: this.size, mimetype: this.mimetype };
  }
}

// Characters never kept in a filename: path separators, controls, and those Windows reserves.

const UNSAFE = /[/\\:*?"<>|\u0000-\u001f\u007f\u0080-\u009f]/g;
const RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i;

/**
 * A client's filename made safe to show and to use as the last part of a path: the directories
 * are dropped (`../../etc/passwd` → `passwd`, `C:\x\y.txt` → `y.txt`), unsafe characters become
 * `_`, leading dots and trailing dots or spaces go, reserved Windows names get a `_`, and the
 * name is cut to 255 UTF-8 bytes keeping its extension. An empty result is `"file"`.
 */
export function sanitizeFilename(name: string): string {
  let base = name.normalize("NFC").split(/[/\\]/).pop() ?? "";
  base = base
    .replace(UNSAFE, "_")
    .replace(/^[.\s]+/, "")
    .replace(/[.\s]+$/, "");
  if (RESERVED.test(base)) base = `_${base}`;
  if (Buffer.byteLength(base) > 255) {
    const dot = base.lastIndexOf(".");
    const ext = dot > 0 && base.length - dot <= 16 ? base.slice(dot) : "";
    let stem = base.slice(0, base.length - ext.length);
    while (Buffer.byteLength(stem + ext) > 255) stem = stem.slice(0, -1);
    base = stem + ext;
  }
  return base === "" ? "file" : base;
}

/** The temporary files of one request, removed together when it ends. */
export class RequestFiles {
  private readonly paths = new Set<string>();
  private readonly writers = new Set<WriteStream>();
  private closed = false;

  constructor(private readonly dir: string) {}

  /** A new temporary file of this request, open for writing. */
  open(): { path: string; stream: WriteStream } {
    const file = path.join(this.dir, `flagon-upload-${randomUUID()}`);
    const stream = createWriteStream(file, { flags: "wx", mode: 0o600 });
    this.paths.add(file);
    this.writers.add(stream);
    stream.once("close", () => this.writers.delete(stream));
    if (this.closed) void this.removeAll();
    return { path: file, stream };
  }

  /** Closes what is still being written and removes every file; safe to call more than once. */
  async removeAll(): Promise<void> {
    this.closed = true;
    const closing = [...this.writers].map(
      (stream) =>
        new Promise<void>((resolve) => {
          if (stream.closed) return resolve();
          stream.once("close", () => resolve());
          stream.destroy();
        }),
    );
    await Promise.all(closing);
    const paths = [...this.paths];
    this.paths.clear();
    await Promise.all(paths.map((file) => rm(file, { force: true })));
  }
}

const byRequest = new WeakMap<Context, RequestFiles>();

/** The temporary files of `ctx`'s request, made on first use. */
export function requestFiles(ctx: Context, dir: string): RequestFiles {
  let files = byRequest.get(ctx);
  if (files === undefined) {
    files = new RequestFiles(dir);
    byRequest.set(ctx, files);
    const cleanup = files;
    ctx.signal.addEventListener("abort", () => void cleanup.removeAll(), { once: true });
  }
  return files;
}

/** Removes the temporary files of `ctx`'s request, if it made any (the plugin's onResponse hook). */
export async function removeRequestFiles(ctx: Context): Promise<void> {
  await byRequest.get(ctx)?.removeAll();
}
