import { Socket } from "node:net";

/**
 * Bounds of the lingering close: a socket lives at most LINGER_MS (Apache's linger time) after its
 * last response, and reads at most LINGER_BYTES more. 256 KiB is what Go's net/http reads of a
 * body its handler left unread; it covers a modest upload from a client that reads only after
 * sending, and keeps the transient memory of refused uploads within RELIABILITY row 1 (RSS growth
 * ≤ 2× the body limit). Past the budget reading stops: the client's sends stall against flow
 * control, and the socket is destroyed LINGER_GRACE_MS later (Go's delay before a close that may
 * reset), time enough for a client that reads while it sends to have read the answer.
 */
export const LINGER_MS = 2_000;
export const LINGER_BYTES = 256 * 1024;
export const LINGER_GRACE_MS = 500;

const LINGERING = Symbol("flagon.lingering");

type LingerSocket = Socket & { [LINGERING]?: true };

/**
 * Makes node close this socket gently after the response that ends it: node calls
 * `destroySoon()` once that response is written, and this socket's own `destroySoon` lingers.
 * For connections closed while the client may still be sending (an unread body, requests
 * pipelined behind a refusal).
 */
export function lingerOnClose(socket: Socket): void {
  if (!Object.hasOwn(socket, "destroySoon")) socket.destroySoon = lingeringClose;
}

/** Ends the connection now, lingering as after a response that closes it. */
export function closeGently(socket: Socket): void {
  lingeringClose.call(socket);
}

/**
 * For close(): a socket already lingering is destroyed, whether it got there after a response
 * (lingerOnClose) or at once (closeGently, after a refused request); one not there yet closes the
 * usual way. Otherwise close() would wait up to LINGER_MS for a client that keeps its side open.
 */
export function stopLingering(socket: Socket): void {
  if ((socket as LingerSocket)[LINGERING]) socket.destroy();
  else if (Object.hasOwn(socket, "destroySoon")) Reflect.deleteProperty(socket, "destroySoon");
}

/**
 * Closing a socket with unread input makes the kernel send a RST, which can destroy the response
 * before the client read it (a client still uploading a body the handler never read). So: send
 * our FIN after the response, read and discard what the client still sends, and destroy the
 * socket once the client has stopped sending (both sides ended), at LINGER_MS, or
 * LINGER_GRACE_MS after LINGER_BYTES were read.
 */
function lingeringClose(this: LingerSocket): void {
  if (this.destroyed || this[LINGERING]) return;
  if (this.readableEnded) {
    Socket.prototype.destroySoon.call(this);
    return;
  }
  this[LINGERING] = true;
  this.end();
  const timer = setTimeout(() => this.destroy(), LINGER_MS);
  this.once("close", () => clearTimeout(timer));
  // Nothing more on this connection is a request: detach node's parser from its input, so bytes
  // arrive as plain `data` (adding the listener takes them back from the parser) and end in
  // autoDestroy once both sides are done.
  this.removeAllListeners("data").removeAllListeners("end");
  let budget = LINGER_BYTES;
  this.on("data", (chunk: Buffer) => {
    if (budget <= 0) return;
    budget -= chunk.length;
    if (budget > 0) return;
    // Past the budget: stop reading (the paused stream still fills its buffer, at most its
    // highWaterMark), and leave the client a moment to read the answer.
    this.pause();
    setTimeout(() => this.destroy(), LINGER_GRACE_MS);
  });
  this.resume();
  readAgain(this);
}

/**
 * Node's parser holds back an unread body by stopping reads on the socket's handle; with the
 * parser detached nothing else would restart them (the stream still counts the parser's read as
 * pending), so this does what node's own resume hook for parsed sockets does.
 */
function readAgain(socket: Socket): void {
  const handle = (socket as unknown as { _handle?: { reading?: boolean; readStart?: () => number } | null })
    ._handle;
  if (handle?.reading === false && typeof handle.readStart === "function") {
    handle.reading = true;
    handle.readStart();
  }
}
