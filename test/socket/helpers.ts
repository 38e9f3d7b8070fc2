import "reflect-metadata";
// Shared helpers for the real-socket suites: a tracked app factory that never leaks a listening
// server, a tiny raw HTTP/1.1 client over `net` (for keep-alive, pipelining, smuggling and
// slow-client tests that fetch cannot express), deferreds, and bounded waits.
import net from "node:net";
import { Flagon } from "@flagon/core";
import { expect } from "vitest";

export const HOST = "127.0.0.1";

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface Deferred<T = void> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (reason: unknown) => void;
  settled: boolean;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const d = { settled: false } as Deferred<T>;
  d.promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  d.resolve = (v) => {
    d.settled = true;
    resolve(v);
  };
  d.reject = (e) => {
    d.settled = true;
    reject(e);
  };
  return d;
}

/** Rejects with a clear message if `p` has not settled after `ms`. */
export async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `cond` every 10 ms; resolves true as soon as it holds, false after `ms`. */
export async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await sleep(10);
  }
  return cond();
}

// ---------------------------------------------------------------------------------------------
// Apps: every app made through `harness.app()` is closed in `harness.cleanup()` (afterEach), with
// a bound, so a misbehaving close() cannot hang the run or leak a listening server.

type FlagonOptions = ConstructorParameters<typeof Flagon>[0];

export interface Harness {
  app(options?: FlagonOptions): Flagon;
  /** Listens on 127.0.0.1:0 and returns the port. */
  listen(app: Flagon): Promise<number>;
  /** Creates a raw client that is destroyed at cleanup. */
  raw(port: number, options?: { allowHalfOpen?: boolean }): Promise<RawClient>;
  /** Registers any teardown function (resolve hung handlers, destroy agents…). */
  defer(fn: () => unknown): void;
  cleanup(): Promise<void>;
}

export function harness(): Harness {
  const apps: Flagon[] = [];
  const clients: RawClient[] = [];
  const teardowns: Array<() => unknown> = [];
  return {
    app(options) {
      const base = (options ?? {}) as Record<string, unknown>;
      const config = (base["config"] ?? {}) as Record<string, unknown>;
      const server = (config["server"] ?? {}) as Record<string, unknown>;
      // Short close deadline by default, so cleanup is bounded even when a test hangs a handler.
      const app = new Flagon({
        logger: false,
        ...base,
        config: { env: "test", ...config, server: { closeTimeout: 1000, ...server } },
      });
      apps.push(app);
      return app;
    },
    async listen(app) {
      const info = await app.listen({ port: 0, host: HOST });
      return info.port;
    },
    async raw(port, options) {
      const c = await RawClient.connect(port, HOST, options?.allowHalfOpen ?? false);
      clients.push(c);
      return c;
    },
    defer(fn) {
      teardowns.push(fn);
    },
    async cleanup() {
      for (const fn of teardowns.splice(0)) {
        try {
          await fn();
        } catch {
          /* best effort */
        }
      }
      for (const c of clients.splice(0)) c.destroy();
      await Promise.all(
        apps.splice(0).map((app) =>
          within(
            app.close().catch(() => undefined),
            5000,
            "app.close() in cleanup",
          ).catch(() => undefined),
        ),
      );
    },
  };
}

/**
 * Connections the app's node adapter still holds open (its per-socket map, which loses an entry
 * when node emits the socket's `close`). Reaches into private state on purpose: a client cannot
 * see whether the server released its end of a connection.
 */
export function openServerSockets(app: Flagon): number {
  const adapter = (app as unknown as { server?: { sockets?: Map<unknown, unknown> } }).server;
  if (adapter?.sockets === undefined) throw new Error("the app is not listening through the node adapter");
  return adapter.sockets.size;
}

// ---------------------------------------------------------------------------------------------
// Raw HTTP/1.1 client.

export interface RawResponse {
  status: number;
  statusText: string;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
  /** Bytes of the head (status line + headers + CRLFCRLF). */
  head: string;
}

export class RawClient {
  readonly socket: net.Socket;
  private buf: Buffer = Buffer.alloc(0);
  private notify: (() => void) | undefined;
  closed = false;
  ended = false;
  error: Error | undefined;
  /** Total bytes received, including bytes already consumed by readResponse(). */
  received = 0;
  readonly closedPromise: Promise<void>;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on("data", (d: Buffer) => {
      this.received += d.length;
      this.buf = Buffer.concat([this.buf, d]);
      this.wake();
    });
    socket.on("end", () => {
      this.ended = true;
      this.wake();
    });
    socket.on("error", (e) => {
      this.error = e;
      this.wake();
    });
    this.closedPromise = new Promise((resolve) => {
      socket.on("close", () => {
        this.closed = true;
        this.wake();
        resolve();
      });
    });
  }

  /** `allowHalfOpen`: keep sending after the server's FIN (by default the client ends too). */
  static connect(port: number, host = HOST, allowHalfOpen = false): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host, allowHalfOpen });
      socket.setNoDelay(true);
      const onError = (e: Error) => reject(e);
      socket.once("error", onError);
      socket.once("connect", () => {
        socket.off("error", onError);
        resolve(new RawClient(socket));
      });
    });
  }

  private wake(): void {
    const n = this.notify;
    this.notify = undefined;
    n?.();
  }

  private waitData(deadline: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const ms = deadline - Date.now();
      if (ms <= 0) return reject(new Error("raw client: timed out waiting for data"));
      const timer = setTimeout(() => {
        this.notify = undefined;
        reject(new Error("raw client: timed out waiting for data"));
      }, ms);
      this.notify = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  write(data: string | Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.write(data, (err) => (err ? reject(err) : resolve()));
    });
  }

  /** Bytes buffered but not consumed by readResponse(). */
  get pending(): Buffer {
    return this.buf;
  }

  get eof(): boolean {
    return this.ended || this.closed || this.error !== undefined;
  }

  /**
   * Reads one complete response (skipping 1xx). `head: true` for responses to HEAD (no body).
   * Rejects on timeout or when the connection ends before a full response arrived.
   */
  async readResponse(opts: { timeout?: number; head?: boolean } = {}): Promise<RawResponse> {
    const deadline = Date.now() + (opts.timeout ?? 3000);
    for (;;) {
      const parsed = this.tryParse(opts.head ?? false);
      if (parsed) {
        if (parsed.status >= 100 && parsed.status < 200) continue;
        return parsed;
      }
      if (this.eof) {
        const reason = this.error ? `error ${this.error.message}` : "connection closed";
        throw new Error(
          `raw client: ${reason} before a complete response; got ${JSON.stringify(this.buf.toString("latin1").slice(0, 300))}`,
        );
      }
      await this.waitData(deadline);
    }
  }

  /**
   * Every response until the peer closes, framed one by one (rejects after `timeout`, or when
   * the connection ends inside a response). Responses follow each other on the wire with no
   * separator, so only framing can tell where one ends and the next begins.
   */
  async readResponsesUntilClose(timeout = 3000): Promise<RawResponse[]> {
    const deadline = Date.now() + timeout;
    const responses: RawResponse[] = [];
    for (;;) {
      if (this.eof && this.buf.length === 0) return responses;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error("raw client: timed out waiting for the connection to close");
      try {
        responses.push(await this.readResponse({ timeout: left }));
      } catch (error) {
        if (this.eof && this.buf.length === 0) return responses;
        throw error;
      }
    }
  }

  /** Resolves with all bytes received until the peer closes (or rejects after `timeout`). */
  async readUntilClose(timeout = 3000): Promise<Buffer> {
    const deadline = Date.now() + timeout;
    while (!this.eof) await this.waitData(deadline);
    return this.buf;
  }

  /** Resolves true if the connection ends/closes within `timeout` ms, false otherwise. */
  async waitEnd(timeout: number): Promise<boolean> {
    const deadline = Date.now() + timeout;
    try {
      while (!this.eof) await this.waitData(deadline);
      return true;
    } catch {
      return false;
    }
  }

  destroy(): void {
    this.socket.destroy();
  }

  private tryParse(head: boolean): RawResponse | undefined {
    const end = this.buf.indexOf("\r\n\r\n");
    if (end < 0) return undefined;
    const headText = this.buf.subarray(0, end).toString("latin1");
    const lines = headText.split("\r\n");
    const m = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(lines[0] ?? "");
    if (!m) throw new Error(`raw client: bad status line ${JSON.stringify(lines[0])}`);
    const status = Number(m[1]);
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const i = line.indexOf(":");
      if (i < 0) continue;
      const name = line.slice(0, i).trim().toLowerCase();
      const value = line.slice(i + 1).trim();
      headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
    }
    let rest = this.buf.subarray(end + 4);
    let body: Buffer;
    let consumed: number;
    if (head || status === 204 || status === 304 || (status >= 100 && status < 200)) {
      body = Buffer.alloc(0);
      consumed = 0;
    } else if (/\bchunked\b/i.test(headers["transfer-encoding"] ?? "")) {
      const chunks: Buffer[] = [];
      let off = 0;
      for (;;) {
        const lineEnd = rest.indexOf("\r\n", off);
        if (lineEnd < 0) return undefined;
        const size = parseInt(rest.subarray(off, lineEnd).toString("latin1").split(";")[0]!, 16);
        if (Number.isNaN(size)) throw new Error("raw client: bad chunk size");
        off = lineEnd + 2;
        if (size === 0) {
          // trailers until an empty line
          for (;;) {
            const tEnd = rest.indexOf("\r\n", off);
            if (tEnd < 0) return undefined;
            const empty = tEnd === off;
            off = tEnd + 2;
            if (empty) break;
          }
          break;
        }
        if (rest.length < off + size + 2) return undefined;
        chunks.push(rest.subarray(off, off + size));
        off += size + 2;
      }
      body = Buffer.concat(chunks);
      consumed = off;
    } else if (headers["content-length"] !== undefined) {
      const len = Number(headers["content-length"]);
      if (rest.length < len) return undefined;
      body = rest.subarray(0, len);
      consumed = len;
    } else {
      // read until close
      if (!this.eof) return undefined;
      body = rest;
      consumed = rest.length;
    }
    rest = rest.subarray(consumed);
    this.buf = Buffer.from(rest);
    return { status, statusText: m[2] ?? "", headers, body: Buffer.from(body), head: headText };
  }
}

/** Watches the process for unhandled rejections and uncaught exceptions while installed. */
export function watchProcessErrors(): { errors: unknown[]; dispose: () => void } {
  const errors: unknown[] = [];
  const onRejection = (reason: unknown) => errors.push(reason);
  const onException = (err: unknown) => errors.push(err);
  process.on("unhandledRejection", onRejection);
  process.on("uncaughtException", onException);
  return {
    errors,
    dispose() {
      process.off("unhandledRejection", onRejection);
      process.off("uncaughtException", onException);
    },
  };
}

/** The request pipelined behind every smuggling vector: it must never run. */
export const SMUGGLED = `GET /smuggled HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`;

/** An app for smuggling vectors: `/`, `POST /echo` reading its body, and the `/smuggled` counter. */
export function smugglingApp(h: Harness): { app: Flagon; smuggled: () => number } {
  const app = h.app();
  let smuggled = 0;
  app.get("/", () => "root");
  app.post("/echo", async (ctx) => ({ body: await ctx.request.text() }));
  app.get("/smuggled", () => {
    smuggled++;
    return "smuggled!";
  });
  return { app, smuggled: () => smuggled };
}

/**
 * Sends one smuggling vector over a raw socket and checks that it is refused: a 400, the
 * connection closed, no response and no handler run for anything behind it, no process error.
 */
export async function expectSmugglingRefused(h: Harness, wire: string): Promise<void> {
  const watch = watchProcessErrors();
  h.defer(() => watch.dispose());
  const { app, smuggled } = smugglingApp(h);
  const port = await h.listen(app);
  const client = await h.raw(port);
  await client.write(wire).catch(() => undefined);
  const res = await client.readResponse({ timeout: 2000 });
  expect(res.status).toBe(400);
  expect(await client.waitEnd(2000)).toBe(true);
  expect(client.pending.toString("latin1")).not.toContain("HTTP/1.1");
  await sleep(100);
  expect(smuggled()).toBe(0);
  expect(watch.errors).toEqual([]);
}
