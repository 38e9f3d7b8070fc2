import type { ServerResponse } from "node:http";
import type { Socket } from "node:net";

/** A complete answer node's parser could not give a request: no body, and the connection ends. */
function answer(status: string): Buffer {
  return Buffer.from(`HTTP/1.1 ${status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`, "latin1");
}

const BAD_REQUEST = answer("400 Bad Request");
const TIMEOUT = answer("408 Request Timeout");
const TOO_LARGE = answer("413 Payload Too Large");
const HEADERS_TOO_LARGE = answer("431 Request Header Fields Too Large");

/** The status node's own clientError handling picks for each error, as a ready response. */
export function clientErrorAnswer(code: string | undefined): Buffer {
  switch (code) {
    case "HPE_HEADER_OVERFLOW":
      return HEADERS_TOO_LARGE;
    case "HPE_CHUNK_EXTENSIONS_OVERFLOW":
      return TOO_LARGE;
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return TIMEOUT;
    default:
      return BAD_REQUEST;
  }
}

/**
 * Whether bytes can go on the wire for the request that failed without landing inside, or ahead
 * of, a response still owed on this connection: either nothing is owed (`busy` responses are
 * pending), or the only one owed is for that very request (its body was still arriving when the
 * parser gave up) and none of it has been written.
 */
export function canAnswerClientError(socket: Socket, busy: number): boolean {
  if (!socket.writable) return false;
  if (busy === 0) return true;
  // node's http server keeps the response in progress there (its own clientError code reads it).
  const current = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  return busy === 1 && current != null && !current.headersSent && !current.req.complete;
}

const DEFERRED = Symbol("flagon.deferredClientError");

type DeferringSocket = Socket & { [DEFERRED]?: Buffer };

/** Keeps the answer for a refused request until the responses owed before it have gone out. */
export function deferClientErrorAnswer(socket: Socket, code: string | undefined): void {
  (socket as DeferringSocket)[DEFERRED] = clientErrorAnswer(code);
}

/** Writes a deferred answer, once nothing else is owed on the connection (and it still can). */
export function writeDeferredAnswer(socket: Socket): void {
  const answer = (socket as DeferringSocket)[DEFERRED];
  if (answer !== undefined && socket.writable) socket.write(answer);
}
