import type { Readable } from "node:stream";
import { BadRequestError } from "@flagon/core";
import type { BodyParser } from "@flagon/core/plugin";
import type { VisitRow } from "./store.js";

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Parses `visitor,visits` lines (an optional header line first); a bad line is a 400 naming it. */
export function parseVisitCsv(text: string): VisitRow[] {
  const rows: VisitRow[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, index) => {
    if (line.trim() === "" || (index === 0 && /^visitor\s*,\s*visits$/i.test(line.trim()))) return;
    const [visitor = "", visits = "", ...rest] = line.split(",").map((cell) => cell.trim());
    const count = Number(visits);
    if (rest.length > 0 || !ID.test(visitor) || !Number.isSafeInteger(count) || count < 0) {
      throw new BadRequestError(
        `line ${index + 1} is not "visitor,visits": ${JSON.stringify(line.slice(0, 80))}`,
      );
    }
    rows.push({ visitor, visits: count });
  });
  return rows;
}

async function readText(stream: Readable, signal: AbortSignal): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    // The client went away: stop reading (the framework answers nobody; nothing is imported).
    signal.throwIfAborted();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** The `text/csv` body parser: the raw stream, within the route's limit, stopped by `ctx.signal`. */
export const csvParser: BodyParser = async ({ stream, signal }) =>
  parseVisitCsv(await readText(stream, signal));
