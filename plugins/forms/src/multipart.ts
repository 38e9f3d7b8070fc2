import busboy from "busboy";
import { BadRequestError, HttpError } from "@flagon/core";
import type { BodyParserInput } from "@flagon/core/plugin";
import { requestFiles, sanitizeFilename, UploadedFileImpl } from "./files.js";
import { type FormLimits, limitsFor, overLimit } from "./limits.js";

/** One value of a parsed form: a string, or a file of a multipart body. */
export type FormValue = string | UploadedFileImpl;

/**
 * A parsed form body: a prototype-less object of strings (and files), arrays for repeated names.
 * A name `__proto__` is dropped; every other name, `constructor[prototype]` included, is plain data.
 */
export type FormBody = Record<string, FormValue | FormValue[]>;

/** Adds one value under `name`: a second value makes an array. */
export function addValue(out: FormBody, name: string, value: FormValue): void {
  if (name === "__proto__") return;
  const known = out[name];
  if (known === undefined) out[name] = value;
  else if (Array.isArray(known)) known.push(value);
  else out[name] = [known, value];
}

export interface MultipartSettings {
  readonly limits: FormLimits;
  readonly tempDir: string;
  readonly memoryThreshold: number;
}

const FIELD_NAME_BYTES = 200;

/** A parse error of the body as the 400 naming it (an HttpError stays as it is). */
function malformed(error: Error): HttpError {
  return error instanceof HttpError
    ? error
    : new BadRequestError(`malformed multipart body: ${error.message}`);
}

/**
 * The multipart/form-data body parser: streams the body through busboy, keeps small files in
 * memory and writes larger ones to temporary files of the request (removed when it ends, on
 * abort and on error), and enforces the route's limits with a 413 naming the limit passed.
 */
export function multipartParser(settings: MultipartSettings) {
  return (input: BodyParserInput): Promise<FormBody> => {
    const { ctx, stream } = input;
    const limits = limitsFor(settings.limits, ctx.route);
    const files = requestFiles(ctx, settings.tempDir);
    const out = Object.create(null) as FormBody;

    return new Promise<FormBody>((resolve, reject) => {
      let parser: busboy.Busboy;
      try {
        parser = busboy({
          headers: { "content-type": ctx.request.header("content-type") ?? "" },
          defParamCharset: "utf8",
          limits: {
            fieldNameSize: FIELD_NAME_BYTES,
            // One byte more than allowed, so that busboy's truncation means "over", not "at", the limit.
            fieldSize: limits.fieldSize + 1,
            fields: limits.fields,
            fileSize: limits.fileSize + 1,
            files: limits.files,
            parts: limits.parts,
          },
        });
      } catch (error) {
        reject(new BadRequestError(`malformed multipart body: ${(error as Error).message}`));
        return;
      }
      const pending: Array<Promise<void>> = [];
      let failed = false;
      let total = 0;

      const fail = (error: unknown): void => {
        if (failed) return;
        failed = true;
        stream.unpipe(parser);
        parser.removeAllListeners("close");
        reject(
          error instanceof Error
            ? error
            : new Error("the multipart body could not be read", { cause: error }),
        );
        void files.removeAll();
      };

      parser.on("field", (name, value, info) => {
        if (failed) return;
        if (info.nameTruncated) {
          fail(new BadRequestError(`a field name is longer than ${FIELD_NAME_BYTES} bytes`));
        } else if (info.valueTruncated || Buffer.byteLength(value) > limits.fieldSize) {
          fail(overLimit("fieldSize", limits, `the field ${JSON.stringify(name)} is too large`));
        } else addValue(out, name, value);
      });

      parser.on("file", (name, file, info) => {
        if (failed) {
          file.resume();
          return;
        }
        const filename = info.filename ?? "";
        const mimetype = (info.mimeType || "application/octet-stream").toLowerCase();
        const chunks: Buffer[] = [];
        let size = 0;
        let disk: ReturnType<typeof files.open> | undefined;
        pending.push(
          new Promise<void>((done) => {
            file.on("data", (chunk: Buffer) => {
              if (failed) return;
              size += chunk.length;
              if (size > limits.fileSize) return;
              if (disk === undefined && size <= settings.memoryThreshold) {
                chunks.push(chunk);
                return;
              }
              if (disk === undefined) {
                disk = files.open();
                disk.stream.on("error", (error) => fail(error));
                for (const held of chunks) disk.stream.write(held);
                chunks.length = 0;
              }
              if (!disk.stream.write(chunk)) {
                file.pause();
                disk.stream.once("drain", () => file.resume());
              }
            });
            file.on("limit", () => {
              fail(
                overLimit(
                  "fileSize",
                  limits,
                  `the file ${JSON.stringify(sanitizeFilename(filename))} is too large`,
                ),
              );
            });
            // busboy errors a file's stream when the body ends inside it: the client's fault.
            file.on("error", (error) => fail(malformed(error)));
            file.on("end", () => {
              if (failed) return done();
              // An empty file input: browsers send a part with no filename and no content.
              if (filename === "" && size === 0) return done();
              const safe = sanitizeFilename(filename);
              if (disk === undefined) {
                addValue(
                  out,
                  name,
                  new UploadedFileImpl(name, safe, size, mimetype, undefined, Buffer.concat(chunks, size)),
                );
                return done();
              }
              const { path, stream: writer } = disk;
              writer.end(() => {
                if (!failed) addValue(out, name, new UploadedFileImpl(name, safe, size, mimetype, path));
                done();
              });
            });
          }),
        );
      });

      parser.on("fieldsLimit", () => fail(overLimit("fields", limits, "the form has too many fields")));
      parser.on("filesLimit", () => fail(overLimit("files", limits, "the form has too many files")));
      parser.on("partsLimit", () => fail(overLimit("parts", limits, "the form has too many parts")));
      parser.on("error", (error: Error) => fail(malformed(error)));
      parser.on("close", () => {
        void Promise.all(pending).then(() => {
          if (!failed) resolve(out);
        });
      });

      stream.on("data", (chunk: Buffer) => {
        total += chunk.length;
        if (total > limits.totalSize) fail(overLimit("totalSize", limits, "the request body is too large"));
      });
      stream.on("error", (error) => fail(error));
      stream.pipe(parser);
    });
  };
}
