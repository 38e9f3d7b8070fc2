// Two body parsers written on the public seam only, as a plugin author would (not a test file):
// a real text/csv parser (RFC 4180 quoting, the declared charset) and a small multipart one that
// stands in for @flagon/forms' (fields only, no files). Both record what they were given.
import { TextDecoder } from "node:util";
import { BadRequestError, definePlugin, UnsupportedMediaTypeError } from "@flagon/core";
import type { BodyParserInput } from "@flagon/core/plugin";

export interface ParserCall {
  readonly mediaType: BodyParserInput["mediaType"];
  readonly limit: number;
  readonly signal: AbortSignal;
  /** What happened to the stream: "ended", or the error's status/message. */
  outcome?: string;
  /** Whether the signal was aborted when the parser finished. */
  abortedAtEnd?: boolean;
}

export interface Recorder {
  readonly calls: ParserCall[];
}

export function recorder(): Recorder {
  return { calls: [] };
}

async function collect(input: BodyParserInput, call: ParserCall): Promise<Buffer> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of input.stream) chunks.push(chunk as Buffer);
    call.outcome = "ended";
    return Buffer.concat(chunks);
  } catch (error) {
    const status = (error as { status?: number }).status;
    call.outcome = status === undefined ? String(error) : String(status);
    throw error;
  } finally {
    call.abortedAtEnd = input.signal.aborted;
  }
}

function decoder(input: BodyParserInput): TextDecoder {
  const charset = input.mediaType.parameters["charset"] ?? "utf-8";
  try {
    return new TextDecoder(charset, { fatal: true });
  } catch {
    throw new UnsupportedMediaTypeError(`unsupported charset ${charset}`);
  }
}

/** RFC 4180: fields separated by commas, records by CRLF or LF, quotes doubled inside quotes. */
export function parseCsvText(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === "") quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (quoted) throw new BadRequestError("invalid CSV: a quoted field is not closed");
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

export function csvPlugin(record: Recorder, options: { limit?: number } = {}) {
  return definePlugin({
    name: "flagon-plugin-test-csv",
    register(app) {
      app.addBodyParser(
        "text/csv",
        async (input) => {
          const call: ParserCall = { mediaType: input.mediaType, limit: input.limit, signal: input.signal };
          record.calls.push(call);
          const bytes = await collect(input, call);
          let text: string;
          try {
            text = decoder(input).decode(bytes);
          } catch (error) {
            if (error instanceof UnsupportedMediaTypeError) throw error;
            throw new BadRequestError("invalid CSV: not valid in its charset");
          }
          return parseCsvText(text);
        },
        { name: "csv", ...options },
      );
    },
  });
}

/** multipart/form-data fields (RFC 7578) into an object; a stand-in for a real multipart plugin. */
export function multipartPlugin(record: Recorder) {
  return definePlugin({
    name: "flagon-plugin-test-multipart",
    register(app) {
      app.addBodyParser("multipart/form-data", async (input) => {
        const call: ParserCall = { mediaType: input.mediaType, limit: input.limit, signal: input.signal };
        record.calls.push(call);
        const boundary = input.mediaType.parameters["boundary"];
        if (boundary === undefined) throw new BadRequestError("multipart body without a boundary");
        const text = (await collect(input, call)).toString("utf8");
        const fields = Object.create(null) as Record<string, string>;
        for (const part of text.split(`--${boundary}`).slice(1)) {
          if (part.startsWith("--")) break;
          const end = part.indexOf("\r\n\r\n");
          if (end === -1) throw new BadRequestError("malformed multipart part");
          const name = /name="([^"]*)"/.exec(part.slice(0, end))?.[1];
          if (name === undefined || name === "") throw new BadRequestError("multipart part without a name");
          fields[name] = part.slice(end + 4, part.length - 2);
        }
        return fields;
      });
    },
  });
}

/** A multipart/form-data body of text fields. */
export function multipartBody(fields: Record<string, string>, boundary = "XyZ"): string {
  const parts = Object.entries(fields).map(
    ([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  return `${parts.join("")}--${boundary}--\r\n`;
}
