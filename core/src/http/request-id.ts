import type { IncomingHttpHeaders } from "node:http";

/** The header that carries a request's id, both ways. */
export const REQUEST_ID_HEADER = "x-request-id";

// What we accept from a client (or a proxy in front): short, and nothing that could break a log
// line or a header. Anything else is replaced by an id of our own.
const VALID_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The client's `X-Request-Id` when it is a safe id, else undefined. */
export function incomingRequestId(headers: IncomingHttpHeaders): string | undefined {
  const value = headers[REQUEST_ID_HEADER];
  return typeof value === "string" && VALID_ID.test(value) ? value : undefined;
}
