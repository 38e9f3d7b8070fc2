import type { ServerResponse } from "node:http";
import type { Socket } from "node:net";

/**
 * How long a streamed response may go without writing once the client has sent its FIN. The
 * server keeps answering a client that half-closed (httpAllowHalfOpen), but a client that closed
 * entirely sends the same FIN, and only a failed write tells them apart: a stream that stays
 * silent this long after the FIN is taken as abandoned, so its generator and socket are released
 * (node destroys a socket whose idle timeout nobody handles). Streams that keep writing, and
 * handlers still computing their answer, are not affected.
 */
export const HALF_CLOSED_IDLE_MS = 500;

/** Bounds a streamed response's silences on a connection whose client already sent its FIN. */
export function boundHalfClosed(socket: Socket): void {
  if (!socket.destroyed) socket.setTimeout(HALF_CLOSED_IDLE_MS);
}

/** A socket's `end` (the client's FIN): a stream already under way gets the bound now. */
export function onClientFin(this: Socket): void {
  const current = (this as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (current != null && current.headersSent && !current.writableEnded) boundHalfClosed(this);
}
