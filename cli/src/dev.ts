// `flagon dev`: a supervisor that runs the app in a child process and restarts it when a file
// changes. The supervisor never loads the app itself, so start-up code runs once per restart.
import { type ChildProcess, fork } from "node:child_process";
import path from "node:path";
import { parseArgs } from "node:util";
import { loadConfig } from "@flagon/core/plugin";
import { type AppLocation, assertAppExists, locateApp } from "./app-commands.js";
import { type CliIO, columns, print } from "./io.js";
import { type ListenTarget, listenOptionSpecs, listenOptionsHelp, listenTarget } from "./listen-options.js";
import { needsTypeScript, requireTypeScript } from "./loader/register.js";
import { decoratorFlagsWarning } from "./tsconfig-check.js";
import { type ChildSpec, GO, isChildMessage } from "./serve.js";
import { onParentExit, onStopSignals } from "./signals.js";
import { type Change, watchApp } from "./watch.js";

export const devHelp = `Usage: flagon dev [--port <n>] [--host <addr>]

Runs the app for development, and restarts it when a file changes: anything under src/ (and
the app module's folder), the config file, .env and tsconfig.json. Templates and static files
need no restart: in development each request sees their latest version (with templates.cache
on, a template change restarts too). TypeScript runs straight from the sources, transpiled by
the typescript package with decorator metadata intact. NODE_ENV and FLAGON_ENV are
"development". Start-up code runs once per start, in the app's own process.

SIGTERM or SIGINT closes the app and exits; so does the exit of the process that started
flagon dev (npm run dev, which does not pass its SIGTERM on through the shell it runs).

The app is the module named by "app" in the config, else src/app.ts, else dist/app.js; it
exports createApp(), which returns the Flagon app without listening.

Options:
${columns([...listenOptionsHelp, ["-h, --help", "Show this help"]])}`;

const CHILD = new URL("./child.js", import.meta.url);
const LOADER = new URL("./loader/import.js", import.meta.url);
const DEBOUNCE_MS = 50;
/** How long a stopping app may take before it is killed: development favours a quick restart. */
const DEV_STOP_TIMEOUT_MS = 2_000;

/** Every option `flagon dev` accepts; the help lists each one. */
export const devOptions = { ...listenOptionSpecs, help: { type: "boolean", short: "h" } } as const;

export async function dev(args: readonly string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: devOptions,
  });
  if (values.help) {
    print(io.stdout, devHelp);
    return 0;
  }
  const target = listenTarget(values);
  const location = await locateApp(io.cwd);
  assertAppExists(location);
  const typescript = needsTypeScript(location.file);
  if (typescript) requireTypeScript(location.root, location.shown);
  const flagsWarning = typescript ? decoratorFlagsWarning(location.root) : undefined;
  if (flagsWarning !== undefined) print(io.stderr, flagsWarning);

  const { config } = await loadConfig({ root: location.root, env: { ...process.env } });
  const appFolder = path.relative(location.root, path.dirname(location.file));
  const folders = ["src", appFolder];
  // Templates are re-read on change by the app itself in development, and static files are read
  // on each request: a restart for them would only drop in-memory state and open connections.
  // With templates.cache switched on, a template change needs a restart.
  const templates = config["templates"] as { folder?: unknown; cache?: unknown } | undefined;
  if (templates?.cache === true)
    folders.push(typeof templates.folder === "string" ? templates.folder : "templates");

  return new DevSupervisor(io, location, target, typescript).run(folders);
}

/**
 * Runs the app in a child process and replaces it on every change. A standby process, forked
 * while the app runs, has typescript and @flagon/core loaded already; a restart hands it the
 * app, so only the app's own modules load anew. No app code runs before that, so start-up code
 * still runs once per start.
 */
class DevSupervisor {
  private child: ChildProcess | undefined;
  private standby: ChildProcess | undefined;
  /** Whether the standby said it waits for GO (a GO sent earlier could be lost). */
  private standbyReady = false;
  private stopping: Promise<void> | undefined;
  private restarting = false;
  private queued: Change | undefined;
  private shuttingDown = false;

  constructor(
    private readonly io: CliIO,
    private readonly location: AppLocation,
    private readonly target: ListenTarget,
    private readonly typescript: boolean,
  ) {}

  run(folders: readonly string[]): Promise<number> {
    return new Promise((resolve) => {
      const watcher = watchApp({
        root: this.location.root,
        folders,
        debounceMs: DEBOUNCE_MS,
        onChange: (change) => void this.restart(change),
      });
      const shown =
        watcher.folders.length > 0 ? `${watcher.folders.join(", ")} and the config` : "the config";
      this.log(`running ${this.location.shown} in development mode; watching ${shown}`);
      this.start(undefined);

      // SIGTERM or SIGINT, or the parent gone: the app closes (SIGTERM to it, SIGKILL after
      // DEV_STOP_TIMEOUT_MS), then this command exits. A second signal kills the app at once.
      const stop = (): void => {
        if (this.shuttingDown) return;
        this.shuttingDown = true;
        stopWatchingParent();
        watcher.close();
        this.dropStandby();
        void this.stopChild().then(() => {
          removeSignals();
          this.log("stopped");
          resolve(0);
        });
      };
      const removeSignals = onStopSignals(stop, () => {
        this.child?.kill("SIGKILL");
        stopWatchingParent();
        removeSignals();
        resolve(1);
      });
      const stopWatchingParent = onParentExit(() => {
        this.log("the process that started flagon dev exited (npm run dev stopped?); stopping");
        stop();
      });
    });
  }

  private async restart(change: Change): Promise<void> {
    if (this.shuttingDown) return;
    if (this.restarting) {
      this.queued ??= change;
      return;
    }
    this.restarting = true;
    const [file = "a file", ...others] = change.files;
    this.log(`${file}${others.length > 0 ? ` (and ${others.length} more)` : ""} changed; restarting`);
    // A file at the root (package.json, tsconfig.json, the config) may change what the standby
    // loaded ahead: start from scratch.
    if (change.files.some((f) => !f.includes(path.sep) && !f.includes("/"))) this.dropStandby();
    await this.stopChild();
    if (!this.shuttingDown) this.start(change);
    this.restarting = false;
    const next = this.queued;
    this.queued = undefined;
    if (next) await this.restart(next);
  }

  /** Starts the app: in the standby process when there is one, else in a new process. */
  private start(change: Change | undefined): void {
    const started = change?.at ?? performance.now();
    const standby = this.standbyReady && this.standby?.connected ? this.standby : undefined;
    if (!standby) this.dropStandby();
    this.standby = undefined;
    const child = standby ?? this.fork(false);
    this.child = child;
    child.on("message", (message) => {
      if (!isChildMessage(message) || message.type !== "flagon:listening" || this.child !== child) return;
      const took = Math.round(performance.now() - started);
      this.log(
        change
          ? `restarted in ${took} ms: listening on ${message.url}`
          : `listening on ${message.url} (started in ${took} ms)`,
      );
      this.prepareStandby();
    });
    child.on("exit", (code, signal) => {
      if (this.child !== child) return;
      this.child = undefined;
      if (this.shuttingDown || this.stopping) return;
      const how = signal ? `was killed by ${signal}` : `exited with code ${code ?? "?"}`;
      this.log(`the app ${how}; waiting for a change to restart it`);
      this.prepareStandby();
    });
    if (child === standby) child.send(GO);
  }

  /** Forks the next app process ahead of time (once the current one is up, not to slow it). */
  private prepareStandby(): void {
    if (this.standby || this.shuttingDown) return;
    const standby = this.fork(true);
    this.standby = standby;
    this.standbyReady = false;
    standby.on("message", (message) => {
      if (isChildMessage(message) && message.type === "flagon:standing-by" && this.standby === standby) {
        this.standbyReady = true;
      }
    });
    standby.on("exit", () => {
      if (this.standby === standby) this.standby = undefined;
    });
  }

  private dropStandby(): void {
    this.standby?.kill("SIGTERM");
    this.standby = undefined;
    this.standbyReady = false;
  }

  private fork(standby: boolean): ChildProcess {
    const spec: ChildSpec = { location: this.location, ...this.target, ...(standby ? { standby } : {}) };
    const inherit = this.io.stdout === process.stdout && this.io.stderr === process.stderr;
    const child = fork(CHILD, [JSON.stringify(spec)], {
      cwd: this.location.root,
      env: {
        ...process.env,
        NODE_ENV: "development",
        FLAGON_ENV: "development",
        FLAGON_APP_ROOT: this.location.root,
        FLAGON_APP_FILE: this.location.file,
        ...(standby ? { FLAGON_PRELOAD_TYPESCRIPT: "1" } : {}),
      },
      execArgv: [...process.execArgv, ...(this.typescript ? ["--import", LOADER.href] : [])],
      stdio: inherit ? ["inherit", "inherit", "inherit", "ipc"] : ["inherit", "pipe", "pipe", "ipc"],
    });
    child.stdout?.pipe(this.io.stdout, { end: false });
    child.stderr?.pipe(this.io.stderr, { end: false });
    return child;
  }

  /** SIGTERM (a graceful close), then SIGKILL if the app takes too long. */
  private stopChild(): Promise<void> {
    const child = this.child;
    if (!child) return Promise.resolve();
    this.stopping ??= new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill("SIGKILL"), DEV_STOP_TIMEOUT_MS);
      child.once("exit", () => {
        clearTimeout(timer);
        if (this.child === child) this.child = undefined;
        this.stopping = undefined;
        resolve();
      });
      child.kill("SIGTERM");
    });
    return this.stopping;
  }

  private log(line: string): void {
    print(this.io.stdout, `[flagon] ${line}`);
  }
}
