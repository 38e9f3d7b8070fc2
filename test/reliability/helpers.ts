import "reflect-metadata";
// The reliability suite's harness: the fixture app (fixtures/server.mjs) in a child process of its
// own, built from core/dist, with its output captured line by line; percentiles; and one place
// that prints the figures each row reports.
import { type ChildProcess, spawn } from "node:child_process";
import http from "node:http";
import net from "node:net";
import { fileURLToPath } from "node:url";
import { childEnv, coreBuilt, notBuiltReason } from "../cli/helpers.js";

export { coreBuilt, notBuiltReason };
export const HOST = "127.0.0.1";
export const MiB = 1024 * 1024;
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const serverScript = fileURLToPath(new URL("./fixtures/server.mjs", import.meta.url));

/** A number from the environment (e.g. FUZZ_SECONDS), or the default. */
export function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === "" ? Number.NaN : Number(raw);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/** Prints a figure under its row, so a test run shows what each row measured. */
export function report(row: number | string, line: string): void {
  console.log(`[reliability] ${row}: ${line}`);
}

export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

export const ms = (value: number): string => `${value.toFixed(value < 10 ? 2 : 1)} ms`;
export const mib = (bytes: number): string => `${(bytes / MiB).toFixed(1)} MiB`;

export interface ServerStats {
  pid: number;
  rss: number;
  peakRss: number;
  heapUsed: number;
  produced: number;
  completed: number;
}

export interface ServerOptions {
  /** Merged into the app config (server timeouts, logLevel, requestLog…). */
  config?: Record<string, unknown>;
  /** Extra routes: "gib" (1 GiB stream), "faults" (detached rejection, throw in a timer). */
  features?: readonly string[];
  /** Flags for node itself, e.g. --expose-gc. */
  nodeArgs?: readonly string[];
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

// Output beyond this is counted, not kept (a long fuzz logs every 500 it provokes).
const KEPT_OUTPUT = 16 * MiB;

/** The fixture app running in a child process. */
export class ServerProcess {
  port = 0;
  exit: Exit | undefined;
  readonly exited: Promise<Exit>;
  /** Every complete output line (stdout and stderr), up to KEPT_OUTPUT bytes. */
  readonly lines: string[] = [];
  /** Lines Flagon's last-resort guard writes, and anything that looks like a crash. */
  readonly crashLines: string[] = [];
  private kept = 0;
  private readonly child: ChildProcess;
  private readonly listeners: Array<(line: string) => void> = [];

  constructor(options: ServerOptions = {}) {
    this.child = spawn(process.execPath, [...(options.nodeArgs ?? []), serverScript], {
      env: {
        ...childEnv,
        PORT: "0",
        RELIABILITY_CONFIG: JSON.stringify(options.config ?? {}),
        RELIABILITY_FEATURES: (options.features ?? []).join(","),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    for (const stream of [this.child.stdout, this.child.stderr]) {
      let partial = "";
      stream?.setEncoding("utf8");
      stream?.on("data", (chunk: string) => {
        const parts = (partial + chunk).split("\n");
        partial = parts.pop() ?? "";
        for (const line of parts) this.onLine(line);
      });
    }
    this.exited = new Promise((resolve) => {
      this.child.once("exit", (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
  }

  /** Starts the fixture and waits for `ready <port>`. */
  static async start(options: ServerOptions = {}): Promise<ServerProcess> {
    const server = new ServerProcess(options);
    const port = await server.waitForLine((line) => /^ready (\d+)$/.exec(line)?.[1], 15_000, "ready");
    server.port = Number(port);
    return server;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get url(): string {
    return `http://${HOST}:${this.port}`;
  }

  get alive(): boolean {
    return this.exit === undefined;
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** SIGKILL unless it already exited; resolves once it is gone. */
  async stop(): Promise<void> {
    if (this.exit) return;
    this.child.kill("SIGKILL");
    await Promise.race([this.exited, sleep(5_000)]);
  }

  /** Resolves with the first value `find` returns for a line (also for lines already seen). */
  waitForLine<T>(find: (line: string) => T | undefined, timeoutMs: number, what: string): Promise<T> {
    for (const line of this.lines) {
      const found = find(line);
      if (found !== undefined) return Promise.resolve(found);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no "${what}" line from the server within ${timeoutMs} ms:\n${this.tail()}`));
      }, timeoutMs);
      const onExit = (exit: Exit): void => {
        done();
        reject(new Error(`the server exited (${JSON.stringify(exit)}) before "${what}":\n${this.tail()}`));
      };
      const listener = (line: string): void => {
        const found = find(line);
        if (found === undefined) return;
        done();
        resolve(found);
      };
      const done = (): void => {
        clearTimeout(timer);
        const i = this.listeners.indexOf(listener);
        if (i >= 0) this.listeners.splice(i, 1);
      };
      this.listeners.push(listener);
      void this.exited.then(onExit);
    });
  }

  /** The JSON log lines (pino), parsed. */
  logs(): Array<Record<string, unknown>> {
    const out: Array<Record<string, unknown>> = [];
    for (const line of this.lines) {
      if (!line.startsWith("{")) continue;
      try {
        out.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not a log line
      }
    }
    return out;
  }

  tail(lines = 20): string {
    return this.lines.slice(-lines).join("\n");
  }

  async stats(options: { gc?: boolean; resetPeak?: boolean } = {}): Promise<ServerStats> {
    const query = new URLSearchParams();
    if (options.gc) query.set("gc", "1");
    if (options.resetPeak) query.set("reset", "1");
    const reply = await get(`${this.url}/__stats?${query.toString()}`);
    if (reply.status !== 200) throw new Error(`/__stats answered ${reply.status}: ${reply.body}`);
    return JSON.parse(reply.body) as ServerStats;
  }

  private onLine(line: string): void {
    if (this.kept < KEPT_OUTPUT) {
      this.lines.push(line);
      this.kept += line.length + 1;
    }
    if (
      /unhandled promise rejection|uncaught exception|unhandledRejection|uncaughtException|^\s+at /.test(line)
    ) {
      if (this.crashLines.length < 100) this.crashLines.push(line);
    }
    for (const listener of [...this.listeners]) listener(line);
  }
}

/** Tracks the servers a test starts and kills what is left (use in afterEach). */
export function servers(): {
  start: (options?: ServerOptions) => Promise<ServerProcess>;
  cleanup: () => Promise<void>;
} {
  const started: ServerProcess[] = [];
  return {
    async start(options) {
      const server = await ServerProcess.start(options);
      started.push(server);
      return server;
    },
    async cleanup() {
      await Promise.all(started.splice(0).map((server) => server.stop()));
    },
  };
}

export interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** A request on a fresh connection (no keep-alive). */
export function get(
  url: string,
  options: { timeoutMs?: number; headers?: http.OutgoingHttpHeaders } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      url,
      { agent: false, headers: options.headers, timeout: options.timeoutMs ?? 10_000 },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on("error", reject);
  });
}

/**
 * Sends raw requests over `connections` keep-alive sockets, `batch` pipelined at a time, and
 * counts the statuses of the responses (framed by Content-Length or chunked). Fast enough for the
 * 100k-request runs of row 33; every request must get exactly one response.
 */
export async function blast(
  port: number,
  requests: Iterable<string>,
  options: { connections?: number; batch?: number } = {},
): Promise<Map<number, number>> {
  const statuses = new Map<number, number>();
  const iterator = requests[Symbol.iterator]();
  const batch = options.batch ?? 50;
  const worker = async (): Promise<void> => {
    const socket = net.connect({ port, host: HOST });
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    const parser = new ResponseCounter(statuses);
    try {
      for (;;) {
        const wire: string[] = [];
        for (let i = 0; i < batch; i++) {
          const next = iterator.next();
          if (next.done) break;
          wire.push(next.value);
        }
        if (wire.length === 0) return;
        const done = parser.expect(wire.length, socket);
        socket.write(wire.join(""));
        await done;
      }
    } finally {
      socket.destroy();
    }
  };
  await Promise.all(Array.from({ length: options.connections ?? 16 }, worker));
  return statuses;
}

class ResponseCounter {
  private buffer: Buffer = Buffer.alloc(0);
  private remaining = 0;
  private resolve: (() => void) | undefined;
  private reject: ((error: Error) => void) | undefined;

  constructor(private readonly statuses: Map<number, number>) {}

  expect(count: number, socket: net.Socket): Promise<void> {
    this.remaining = count;
    return new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
      const onData = (chunk: Buffer): void => {
        this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
        try {
          this.drain();
        } catch (error) {
          finish();
          reject(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        if (this.remaining === 0) {
          finish();
          resolve();
        }
      };
      const onEnd = (): void => {
        finish();
        reject(new Error(`connection closed with ${this.remaining} responses missing`));
      };
      const finish = (): void => {
        socket.off("data", onData);
        socket.off("close", onEnd);
        socket.off("error", onEnd);
      };
      socket.on("data", onData);
      socket.on("close", onEnd);
      socket.on("error", onEnd);
    });
  }

  private drain(): void {
    while (this.remaining > 0) {
      const end = this.buffer.indexOf("\r\n\r\n");
      if (end < 0) return;
      const head = this.buffer.subarray(0, end).toString("latin1");
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
      if (!Number.isInteger(status)) throw new Error(`not a response: ${JSON.stringify(head.slice(0, 100))}`);
      let bodyEnd: number;
      const length = /\r\ncontent-length: *(\d+)/i.exec(head)?.[1];
      if (length !== undefined) {
        bodyEnd = end + 4 + Number(length);
        if (this.buffer.length < bodyEnd) return;
      } else if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
        const last = this.buffer.indexOf("\r\n0\r\n\r\n", end);
        if (last < 0) return;
        bodyEnd = last + 7;
      } else {
        bodyEnd = end + 4;
      }
      this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
      this.buffer = this.buffer.subarray(bodyEnd);
      this.remaining -= 1;
    }
  }
}
