// `flagon start`: the app in production, in this process or in N node:cluster workers.
import cluster, { type Worker } from "node:cluster";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { type AppLocation, assertAppExists, locateApp } from "./app-commands.js";
import { CliError, type CliIO, columns, print, UsageError } from "./io.js";
import { type ListenTarget, listenOptionSpecs, listenOptionsHelp, listenTarget } from "./listen-options.js";
import { needsTypeScript, requireTypeScript } from "./loader/register.js";
import { decoratorFlagsWarning } from "./tsconfig-check.js";
import {
  type ChildSpec,
  DEFAULT_CLOSE_TIMEOUT,
  describeStartError,
  isChildMessage,
  serveApp,
} from "./serve.js";
import { onStopSignals, type StopSignal } from "./signals.js";

export const startHelp = `Usage: flagon start [--workers <n>] [--port <n>] [--host <addr>]

Runs the app in production. With one worker (the default) the app runs in this process; with
more, a node:cluster primary starts that many worker processes, which share the port.

SIGTERM or SIGINT stops gracefully: each app stops accepting connections, finishes the requests
in flight (answering late ones with 503), runs its onClose hooks and exits; the command exits
when all have, or kills what is left after config.server.closeTimeout + 2 s. A worker that dies
is replaced, after a growing delay when replacements keep dying.

The app is the module named by "app" in the config, else src/app.ts, else dist/app.js; it
exports createApp(). TypeScript is transpiled at start-up by the typescript package.

Options:
${columns([
  [
    "-w, --workers <n>",
    'Worker processes: a number, or "auto" for one per CPU (default: $WEB_CONCURRENCY, else 1)',
  ],
  ...listenOptionsHelp,
  ["-h, --help", "Show this help"],
])}`;

const CHILD = new URL("./child.js", import.meta.url);
const LOADER = new URL("./loader/import.js", import.meta.url);
/** Added to the apps' closeTimeout before the primary kills what is still running. */
const DRAIN_GRACE_MS = 2_000;
/** A worker that dies sooner than this after it started counts towards the crash-loop backoff. */
const STABLE_AFTER_MS = 10_000;
const MAX_BACKOFF_MS = 30_000;

/** Every option `flagon start` accepts; the help lists each one. */
export const startOptions = {
  ...listenOptionSpecs,
  workers: { type: "string", short: "w" },
  help: { type: "boolean", short: "h" },
} as const;

export async function start(args: readonly string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: startOptions,
  });
  if (values.help) {
    print(io.stdout, startHelp);
    return 0;
  }
  const target = listenTarget(values);
  const workers = workerCount(values.workers);
  const location = await locateApp(io.cwd);
  assertAppExists(location);
  const typescript = needsTypeScript(location.file);
  if (typescript) requireTypeScript(location.root, location.shown);
  const flagsWarning = typescript ? decoratorFlagsWarning(location.root) : undefined;
  if (flagsWarning !== undefined) print(io.stderr, flagsWarning);
  if (workers === 1) return startInProcess(io, location, target);
  return new ClusterPrimary(io, location, target, workers, typescript).run();
}

/** --workers, else $WEB_CONCURRENCY, else 1; "auto" is one per CPU. */
export function workerCount(value: string | undefined, env: NodeJS.ProcessEnv = process.env): number {
  const [raw, source] =
    value !== undefined ? [value, "--workers"] : [env["WEB_CONCURRENCY"] || "1", "WEB_CONCURRENCY"];
  if (raw === "auto") return availableParallelism();
  const count = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(count) || count < 1 || count > 1024) {
    throw new UsageError(`${source} must be a number of processes from 1 to 1024, or "auto"; got "${raw}"`);
  }
  return count;
}

const log = (io: CliIO, line: string): void => print(io.stdout, `[flagon] ${line}`);

async function startInProcess(io: CliIO, location: AppLocation, target: ListenTarget): Promise<number> {
  log(io, `starting ${location.shown} (pid ${process.pid})`);
  let served;
  try {
    served = await serveApp(location, target);
  } catch (error) {
    throw new CliError(describeStartError(location, error), { cause: error });
  }
  log(io, `listening on ${served.url} (pid ${process.pid}, started in ${Math.round(performance.now())} ms)`);
  const { app } = served;
  return new Promise((resolve) => {
    const removeSignals = onStopSignals(
      (signal) => {
        log(io, `${signal}: closing (in-flight requests finish first)`);
        app.close().then(
          () => {
            removeSignals();
            log(io, "stopped");
            resolve(0);
          },
          (error: unknown) => {
            removeSignals();
            print(io.stderr, `[flagon] closing the app failed: ${String(error)}`);
            resolve(1);
          },
        );
      },
      (signal) => {
        print(io.stderr, `[flagon] ${signal} again: exiting without waiting`);
        process.exit(1);
      },
    );
  });
}

interface WorkerState {
  readonly pid: number;
  readonly startedAt: number;
  listening: boolean;
}

/** The node:cluster primary: forks the workers, replaces dead ones, drains them all on a signal. */
class ClusterPrimary {
  private readonly workers = new Map<Worker, WorkerState>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closeTimeout = DEFAULT_CLOSE_TIMEOUT;
  private everListening = false;
  private announced = false;
  private fastCrashes = 0;
  private exitCode = 0;
  private stopping = false;
  private finish: (() => void) | undefined;

  constructor(
    private readonly io: CliIO,
    private readonly location: AppLocation,
    private readonly target: ListenTarget,
    private readonly count: number,
    typescript: boolean,
  ) {
    const spec: ChildSpec = { location, ...target };
    const inherit = io.stdout === process.stdout && io.stderr === process.stderr;
    cluster.setupPrimary({
      exec: fileURLToPath(CHILD),
      args: [JSON.stringify(spec)],
      execArgv: [...process.execArgv, ...(typescript ? ["--import", LOADER.href] : [])],
      cwd: location.root,
      silent: !inherit,
    });
  }

  run(): Promise<number> {
    log(this.io, `starting ${this.count} workers for ${this.location.shown} (primary pid ${process.pid})`);
    return new Promise((resolve) => {
      const removeSignals = onStopSignals(
        (signal) => this.stop(signal),
        (signal) => {
          print(this.io.stderr, `[flagon] ${signal} again: killing the workers`);
          this.exitCode = 1;
          for (const worker of this.workers.keys()) worker.process.kill("SIGKILL");
        },
      );
      this.finish = () => {
        removeSignals();
        for (const timer of this.timers) clearTimeout(timer);
        log(this.io, this.exitCode === 0 ? "stopped" : "stopped, not cleanly");
        resolve(this.exitCode);
      };
      for (let i = 0; i < this.count; i += 1) this.fork();
    });
  }

  private fork(): void {
    const worker = cluster.fork({ FLAGON_APP_ROOT: this.location.root, FLAGON_APP_FILE: this.location.file });
    const state: WorkerState = {
      pid: worker.process.pid ?? 0,
      startedAt: performance.now(),
      listening: false,
    };
    this.workers.set(worker, state);
    worker.process.stdout?.pipe(this.io.stdout, { end: false });
    worker.process.stderr?.pipe(this.io.stderr, { end: false });
    worker.on("message", (message: unknown) => {
      if (!isChildMessage(message) || message.type !== "flagon:listening") return;
      state.listening = true;
      this.everListening = true;
      this.closeTimeout = Math.max(this.closeTimeout, message.closeTimeout);
      log(this.io, `worker ${state.pid} listening on ${message.url} (started in ${message.startedInMs} ms)`);
      const up = [...this.workers.values()].filter((w) => w.listening).length;
      if (!this.announced && up === this.count) {
        this.announced = true;
        log(this.io, `listening on ${message.url} with ${this.count} workers`);
      }
    });
    worker.on("exit", (code, signal) => this.exited(worker, code, signal));
  }

  private exited(worker: Worker, code: number | null, signal: string | null): void {
    const state = this.workers.get(worker);
    this.workers.delete(worker);
    if (!state) return;
    const how = signal ? `was killed by ${signal}` : `exited with code ${code ?? "?"}`;
    if (this.stopping) {
      log(this.io, `worker ${state.pid} ${how}`);
      if (code !== 0) this.exitCode = 1;
      if (this.workers.size === 0) this.finish?.();
      return;
    }
    if (!this.everListening) {
      // No worker ever started: the app itself is broken (the worker printed why). Stop, do not loop.
      print(this.io.stderr, `[flagon] worker ${state.pid} failed to start (${how}); stopping`);
      this.exitCode = 1;
      this.stop(undefined);
      return;
    }
    const lived = performance.now() - state.startedAt;
    this.fastCrashes = lived < STABLE_AFTER_MS || !state.listening ? this.fastCrashes + 1 : 0;
    const delay = this.fastCrashes === 0 ? 0 : Math.min(100 * 2 ** (this.fastCrashes - 1), MAX_BACKOFF_MS);
    print(
      this.io.stderr,
      `[flagon] worker ${state.pid} ${how}; starting a replacement${delay > 0 ? ` in ${delay} ms` : ""}`,
    );
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopping) this.fork();
    }, delay);
    this.timers.add(timer);
  }

  private stop(signal: StopSignal | undefined): void {
    if (this.stopping) return;
    this.stopping = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    if (this.workers.size === 0) {
      this.finish?.();
      return;
    }
    const deadline = this.closeTimeout + DRAIN_GRACE_MS;
    if (signal) log(this.io, `${signal}: draining ${this.workers.size} workers (at most ${deadline} ms)`);
    for (const worker of this.workers.keys()) worker.process.kill("SIGTERM");
    const timer = setTimeout(() => {
      print(
        this.io.stderr,
        `[flagon] ${this.workers.size} workers still running after ${deadline} ms; killing them`,
      );
      this.exitCode = 1;
      for (const worker of this.workers.keys()) worker.process.kill("SIGKILL");
    }, deadline);
    timer.unref();
    this.timers.add(timer);
  }
}
