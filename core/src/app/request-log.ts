import { performance } from "node:perf_hooks";
import type { Logger } from "pino";

const MAX_LOGGED_PATH = 2048;

export { REQUEST_ID_HEADER, incomingRequestId } from "../http/request-id.js";

/** One finished request, as an adapter saw it. */
export interface RequestRecord {
  readonly reqId: string;
  readonly method: string;
  /** The request target; only its path is logged, never the query string (it may carry tokens). */
  readonly url: string;
  readonly status: number;
  /** `performance.now()` when the request arrived. */
  readonly startedAt: number;
  readonly remoteAddress: string | undefined;
  /** The client went away before the whole response was written. */
  readonly aborted?: boolean;
}

/**
 * Writes the one line per request: `{ reqId, method, path, status, durationMs, remoteAddress }`,
 * message "request completed" (info; warn for 5xx), or "request aborted" with `aborted: true`
 * when the client left first. pino escapes control characters, so a CR/LF in the path cannot
 * start a new line.
 */
export function writeRequestLine(log: Logger, record: RequestRecord): void {
  const level = record.status >= 500 ? "warn" : "info";
  if (!log.isLevelEnabled(level)) return;
  const q = record.url.indexOf("?");
  let path = q === -1 ? record.url : record.url.slice(0, q);
  if (path.length > MAX_LOGGED_PATH) path = `${path.slice(0, MAX_LOGGED_PATH)}…`;
  const line: Record<string, unknown> = {
    reqId: record.reqId,
    method: record.method,
    path,
    status: record.status,
    durationMs: Math.round((performance.now() - record.startedAt) * 100) / 100,
  };
  if (record.remoteAddress !== undefined) line["remoteAddress"] = record.remoteAddress;
  if (record.aborted === true) line["aborted"] = true;
  log[level](line, record.aborted === true ? "request aborted" : "request completed");
}
