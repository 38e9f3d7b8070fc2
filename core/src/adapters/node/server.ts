import { createServer, type IncomingMessage, type Server, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { pipeline, type Readable } from "node:stream";
import type { TLSSocket } from "node:tls";
import type { Logger } from "pino";
import type { ServerConfig } from "../../config/core-sections.js";
import type { ServerAddress } from "./address.js";
import { ErrorCodes, FlagonError } from "../../errors/codes.js";
import { BadRequestError, type HttpError, ServiceUnavailableError } from "../../errors/http-errors.js";
import type { RawRequest } from "../../http/request.js";
import { type Answer, setWireHeader, type WireResponse, wireHeader } from "../../http/wire.js";
import {
  canAnswerClientError,
  clientErrorAnswer,
  deferClientErrorAnswer,
  writeDeferredAnswer,
} from "./client-error.js";
import { boundHalfClosed, onClientFin } from "./half-close.js";
import { closeGently, lingerOnClose, stopLingering } from "./linger.js";

export interface ListenOptions {
  /** Port to listen on; 0 picks a free one (default 3000). */
  port?: number;
  /** Interface to bind (default 127.0.0.1). */
  host?: string;
}

export type { ServerAddress };

/** The app's side of the door: admits a request (or the adapter's refusal of it) and answers. */
export interface Door {
  admit(raw: RawRequest, refusal?: HttpError): Answer | Promise<Answer>;
}

function insecureParserRequested(): boolean {
  const flag = "--insecure-http-parser";
  return (
    process.execArgv.some((arg) => arg.startsWith(flag)) || (process.env["NODE_OPTIONS"] ?? "").includes(flag)
  );
}

/** Turns an absolute-form target (`http://host/path?q`) into origin form (`/path?q`). */
function originForm(url: string): string {
  if (url.startsWith("/")) return url;
  const scheme = url.indexOf("://");
  if (scheme === -1) return url;
  const slash = url.indexOf("/", scheme + 3);
  return slash === -1 ? "/" : url.slice(slash);
}

/** Per-socket bookkeeping: requests in progress, and whether the socket must carry no more. */
interface SocketState {
  /** Requests whose response has not closed yet. */
  busy: number;
  /** Requests received on this connection so far (pipelined ones are answered in this order). */
  received: number;
  doomed: boolean;
}

/**
 * Framing problems that make a request ambiguous between proxies and us (RFC 9112 §3.2), which
 * only the raw headers show; the app checks the Host's form on admission.
 */
function framingProblem(req: IncomingMessage): HttpError | undefined {
  let hosts = 0;
  let contentTypes = 0;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.length === 4 && name.toLowerCase() === "host") hosts += 1;
    else if (name.length === 12 && name.toLowerCase() === "content-type") contentTypes += 1;
  }
  if (hosts > 1) return new BadRequestError("more than one Host header");
  if (hosts === 0 && req.httpVersion === "1.1")
    return new BadRequestError("HTTP/1.1 requests need a Host header");
  // Node keeps the first of several; a proxy may read the last: refuse the ambiguity.
  if (contentTypes > 1) return new BadRequestError("more than one Content-Type header");
  return undefined;
}

/**
 * A body the app left unread means the connection cannot carry another request. A request
 * without a body is never "unread", even when it is answered before node marks it complete.
 */
function unreadBody(req: IncomingMessage): boolean {
  if (req.complete) return false;
  const length = req.headers["content-length"];
  return req.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
}

/** One request on its way through the adapter; it is also what the app reads the request from. */
class Inbound implements RawRequest {
  /** The app's answer, once it gave one. */
  answer: Answer | undefined = undefined;
  /** This request's place among those received on its connection. */
  readonly seq: number;
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: IncomingMessage;
  readonly remoteAddress: string | undefined;
  readonly encrypted: boolean;
  /** Made on first use of `signal()`; aborted when the response closes unfinished. */
  private abort: AbortController | undefined;
  /** The response closed (finished, or the client left). */
  closed = false;

  constructor(
    readonly server: NodeServer,
    readonly req: IncomingMessage,
    readonly res: FlagonServerResponse,
    readonly state: SocketState,
  ) {
    this.seq = state.received;
    this.method = req.method ?? "GET";
    this.url = originForm(req.url ?? "/");
    this.headers = req.headers;
    this.body = req;
    this.remoteAddress = req.socket.remoteAddress;
    this.encrypted = (req.socket as Partial<TLSSocket>).encrypted === true;
  }

  signal(): AbortSignal {
    if (this.abort === undefined) {
      this.abort = new AbortController();
      if (this.closed && !this.res.writableFinished) this.abort.abort(clientGone());
    }
    return this.abort.signal;
  }

  /** The response closed: a client that left before it finished aborts the request's signal. */
  close(): void {
    this.closed = true;
    if (this.abort !== undefined && !this.res.writableFinished) this.abort.abort(clientGone());
  }
}

function clientGone(): Error {
  const error: NodeJS.ErrnoException = new Error("the client went away before the response finished");
  error.name = "AbortError";
  error.code = "ECONNRESET";
  return error;
}

const INBOUND = Symbol("flagon.inbound");

/** node's response, with the request it answers. */
type FlagonServerResponse = ServerResponse & { [INBOUND]?: Inbound };

/** Shared by every response, so that no closure is made per request. */
function onResponseClose(this: FlagonServerResponse): void {
  const inbound = this[INBOUND];
  if (inbound === undefined) return;
  inbound.close();
  inbound.server.finished(inbound);
}

/**
 * The only code that touches node:http: timeouts always on, the strict parser only, responses
 * written with backpressure, and a graceful close (in-flight requests finish, late ones get 503
 * with `Connection: close`, idle keep-alive sockets are closed, a deadline ends the rest).
 */
export class NodeServer {
  private readonly server: Server;
  private closing = false;
  private inFlight = 0;
  private readonly guards: Array<[string, (error: unknown) => void]> = [];
  private readonly sockets = new Map<Socket, SocketState>();
  /** Open `text/event-stream` responses, ended by close(). */
  private readonly eventStreams = new Set<Readable>();

  constructor(
    private readonly door: Door,
    private readonly config: Required<ServerConfig>,
    readonly log: Logger,
  ) {
    if (insecureParserRequested()) {
      throw new FlagonError(
        ErrorCodes.INSECURE_PARSER,
        "node runs with --insecure-http-parser; Flagon refuses to serve",
      );
    }
    this.server = createServer(
      {
        headersTimeout: config.headersTimeout,
        requestTimeout: config.requestTimeout,
        keepAliveTimeout: config.keepAliveTimeout,
        // How often node checks the two timeouts above; short timeouts need a short interval.
        connectionsCheckingInterval: Math.max(50, Math.min(30_000, Math.floor(config.headersTimeout / 4))),
        insecureHTTPParser: false,
        // Checked in onRequest instead, so that the socket is retired before a pipelined request.
        requireHostHeader: false,
      },
      (req, res) => this.onRequest(req, res),
    );
    this.server.on("clientError", (error: NodeJS.ErrnoException, socket: Socket) =>
      this.onClientError(error, socket),
    );
    this.server.on("connection", (socket: Socket) => {
      this.sockets.set(socket, { busy: 0, received: 0, doomed: false });
      socket.once("close", () => this.sockets.delete(socket));
      socket.on("end", onClientFin);
    });
    this.server.keepAliveTimeout = config.keepAliveTimeout;
    // A client that half-closes after its request still reads: node then marks the latest
    // response as the connection's last instead of ending the socket at once, which would cut a
    // response still being streamed. An idle connection is still ended on the client's FIN, and
    // a stream that goes silent after it is taken as abandoned (half-close.ts).
    // (An undocumented but long-standing property of node's http.Server, absent from its types.)
    (this.server as Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  }

  listen(options: ListenOptions): Promise<ServerAddress> {
    const { port = 3000, host = "127.0.0.1" } = options;
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.server.once("error", onError);
      this.server.listen(port, host, () => {
        this.server.off("error", onError);
        this.server.on("error", (error) => this.log.error({ err: error }, "server error"));
        if (this.config.lastResortGuard) this.installGuards();
        const info = this.server.address() as AddressInfo;
        const shown = info.family === "IPv6" ? `[${info.address}]` : info.address;
        resolve({ address: info.address, port: info.port, url: `http://${shown}:${info.port}` });
      });
    });
  }

  close(): Promise<void> {
    this.closing = true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.log.warn(
          { aborted: this.inFlight },
          "close deadline passed; destroying the remaining connections",
        );
        this.server.closeAllConnections();
        for (const socket of this.sockets.keys()) socket.destroy();
      }, this.config.closeTimeout);
      this.server.close(() => {
        clearTimeout(timer);
        this.removeGuards();
        resolve();
      });
      this.server.closeIdleConnections();
      for (const stream of this.eventStreams) stream.destroy();
      // Also sockets that connected but never sent a request, which node does not count as idle.
      // Answered connections stop lingering.
      for (const [socket, state] of this.sockets) {
        if (state.busy === 0 && socket.bytesRead === 0) socket.destroy();
        else stopLingering(socket);
      }
    });
  }

  private onRequest(req: IncomingMessage, res: FlagonServerResponse): void {
    const socket = req.socket;
    const state = this.sockets.get(socket) ?? { busy: 0, received: 0, doomed: false };
    if (state.doomed) {
      // A request pipelined behind one that ends the connection: never processed. The socket is
      // not destroyed here, so responses still owed to earlier requests go out; node ends the
      // connection after the refusal, which carries Connection: close.
      return;
    }
    state.busy += 1;
    state.received += 1;
    this.inFlight += 1;
    // One object per request, kept on the response: nothing else is allocated for bookkeeping.
    const inbound = new Inbound(this, req, res, state);
    res[INBOUND] = inbound;
    res.on("close", onResponseClose);
    const refusal = this.closing
      ? new ServiceUnavailableError("the server is shutting down")
      : framingProblem(req);
    let answer: Answer | Promise<Answer>;
    try {
      answer = this.door.admit(inbound, refusal);
    } catch (error) {
      this.failed(inbound, error);
      return;
    }
    if (answer instanceof Promise) {
      answer.then(
        (settled) => this.deliver(inbound, settled),
        (error: unknown) => this.failed(inbound, error),
      );
    } else {
      this.deliver(inbound, answer);
    }
  }

  /** @internal Bookkeeping when a response closes (finished or aborted); the app's part follows. */
  finished(inbound: Inbound): void {
    inbound.state.busy -= 1;
    this.inFlight -= 1;
    // While closing, a connection whose last response went out without Connection: close (it
    // was written before close began) ends here instead of idling until the deadline. So does one
    // whose parser gave up behind requests still being answered, after its refusal (onClientError).
    if ((this.closing || inbound.state.doomed) && inbound.state.busy === 0) {
      const socket = inbound.req.socket;
      if (this.closing) socket.end();
      else {
        writeDeferredAnswer(socket);
        closeGently(socket);
      }
    }
    // Before the app answered (the client left mid-handler), deliver() calls it instead.
    void inbound.answer?.done(!inbound.res.writableFinished);
  }

  /**
   * node's `clientError`: a request its parser refused, or a headers/request timeout. Answered
   * with a bare 400/408/413/431, at once when nothing else is owed on the connection, else after
   * the responses owed to earlier requests (never inside or ahead of them); then the connection
   * closes (lingering).
   */
  private onClientError(error: NodeJS.ErrnoException, socket: Socket): void {
    this.log.debug(
      { code: error.code, reason: error.message },
      "client error: request refused by the parser",
    );
    if (socket.destroyed) return; // a reset or a socket error: nothing left to answer on
    const state = this.sockets.get(socket);
    const busy = state?.busy ?? 0;
    if (socket.writableEnded) {
      // The connection is already closing after a response (bytes the parser met while it did):
      // let that close finish within its bounds rather than reset what it still carries.
      closeGently(socket);
    } else if (canAnswerClientError(socket, busy)) {
      socket.write(clientErrorAnswer(error.code));
      closeGently(socket);
    } else if (state !== undefined && busy > 0 && error.code !== "ERR_HTTP_REQUEST_TIMEOUT") {
      // Responses owed to earlier requests go out first, untouched; the refusal follows them.
      deferClientErrorAnswer(socket, error.code);
      state.doomed = true;
    } else {
      socket.destroy();
    }
  }

  /**
   * @internal Writes what the app answered. A refused request (a bad Host, ambiguous framing) ends
   * the connection: nothing pipelined behind it is processed. One that only came too late
   * (closing) gets its 503 like the ones queued behind it.
   */
  deliver(inbound: Inbound, answer: Answer): void {
    inbound.answer = answer;
    const { state } = inbound;
    if (answer.refused && !this.closing) state.doomed = true;
    this.write(inbound, answer.wire, answer.refused && state.doomed);
    // A client that reset the connection while the handler ran has already closed the
    // response: its `close` fired before this point, so the app finishes now (exactly once).
    if (inbound.closed) void answer.done(!inbound.res.writableFinished);
  }

  /** @internal The app's dispatch never throws; this is the last line of defence. */
  failed(inbound: Inbound, error: unknown): void {
    this.log.error({ err: error }, "unexpected failure while handling a request");
    const { res } = inbound;
    if (!res.headersSent) res.writeHead(500, { "content-length": "0", connection: "close" });
    res.end();
  }

  private write(inbound: Inbound, wire: WireResponse, last: boolean): void {
    const { req, res } = inbound;
    // A body the handler left unread (or a server that is closing) means this connection ends here.
    // While closing, only the last response queued on a connection closes it, so that pipelined
    // requests already accepted behind this one are still answered.
    // Responses go out in request order, so the one for the latest request received is the
    // last on the wire, even when an earlier handler finishes later.
    const latest = inbound.seq === inbound.state.received;
    if (last || unreadBody(req)) {
      // The client may still be sending (an unread body, requests pipelined behind a refusal).
      setWireHeader(wire.headers, "connection", "close");
      if (!this.closing) lingerOnClose(req.socket);
    } else if (this.closing && latest) setWireHeader(wire.headers, "connection", "close");
    try {
      res.writeHead(wire.status, wire.headers);
    } catch (error) {
      this.log.error({ err: error }, "invalid response headers");
      wire.stream?.destroy();
      res.writeHead(500, { "content-length": "0" });
      res.end();
      return;
    }
    if (wire.stream) {
      if (!wire.sendBody) {
        wire.stream.destroy();
        res.end();
        return;
      }
      const stream = wire.stream;
      // Event streams never end by themselves: close() ends them (the client reconnects elsewhere).
      const contentType = wireHeader(wire.headers, "content-type");
      if (typeof contentType === "string" && contentType.startsWith("text/event-stream")) {
        if (this.closing) {
          stream.destroy();
          res.end();
          return;
        }
        this.eventStreams.add(stream);
        res.once("close", () => this.eventStreams.delete(stream));
      }
      // The client may be gone already (node 24's pipeline then throws at once): release the body.
      if (res.destroyed) {
        stream.destroy();
        return;
      }
      if (req.socket.readableEnded) boundHalfClosed(req.socket);
      try {
        pipeline(stream, res, (error) => {
          if (error) this.log.debug({ err: error }, "response stream ended early");
        });
      } catch (error) {
        stream.destroy();
        this.log.debug({ err: error }, "response stream could not start");
      }
      return;
    }
    res.end(wire.sendBody ? (wire.body ?? undefined) : undefined);
  }

  private installGuards(): void {
    const onRejection = (reason: unknown): void => {
      this.log.error({ err: reason }, "unhandled promise rejection (kept running)");
    };
    const onException = (error: unknown): void => {
      this.log.fatal({ err: error }, "uncaught exception (kept running; state may be inconsistent)");
    };
    process.on("unhandledRejection", onRejection);
    process.on("uncaughtException", onException);
    this.guards.push(["unhandledRejection", onRejection], ["uncaughtException", onException]);
  }

  private removeGuards(): void {
    for (const [event, listener] of this.guards) process.off(event, listener);
    this.guards.length = 0;
  }
}
