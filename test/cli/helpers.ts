// Shared by the `flagon` command suites: the built CLI run as a user runs it, in its own process
// group so that a test can always kill it with everything it started; temp apps that use this
// checkout's core; plain HTTP requests without keep-alive.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import { expect } from "vitest";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const coreDir = fileURLToPath(new URL("../../core/", import.meta.url));
export const cliDir = fileURLToPath(new URL("../../cli/", import.meta.url));
export const cliMain = path.join(cliDir, "dist/main.js");
/** `node --import <this>` runs .ts files as the CLI runs the app (its TypeScript loader). */
export const cliLoader = path.join(cliDir, "dist/loader/import.js");

/** The suites run the built command line: without cli/dist and core/dist they skip, saying why. */
export const coreBuilt = existsSync(cliMain) && existsSync(path.join(coreDir, "dist/index.js"));
export const notBuiltReason = `${cliMain} is missing: build first (npm run build)`;

// The child processes must not think they run inside this vitest.
export const childEnv: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !/^(VITEST|TINYPOOL|NODE_ENV$|FLAGON_)/.test(key)),
);

export const npm = process.platform === "win32" ? "npm.cmd" : "npm";

/** How a command ended: its exit code and everything it printed, headed by the command line. */
export interface Outcome {
  code: number;
  output: string;
}

/** Runs a command to its end (or `timeout`), never rejecting: failures are outcomes to assert on. */
export function exec(command: string, args: string[], cwd: string, timeout: number): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd, timeout, env: childEnv, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({
          code,
          output: `$ ${command} ${args.join(" ")}\n${stdout}${stderr}${error?.killed ? "\n(timed out)" : ""}`,
        });
      },
    );
  });
}

export function expectSuccess(outcome: Outcome): void {
  expect(outcome.code, outcome.output).toBe(0);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A running `flagon …` command, its output (stdout and stderr together) and its exit. */
export class CliRun {
  output = "";
  readonly exited: Promise<Exit>;
  exit: Exit | undefined;
  private readonly child: ChildProcess;

  constructor(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
    // detached: a process group of its own, so cleanup can kill the workers and children too.
    this.child = spawn(process.execPath, [cliMain, ...args], {
      cwd,
      env: { ...childEnv, ...env },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child.stdout?.on("data", (chunk: Buffer) => (this.output += chunk.toString()));
    this.child.stderr?.on("data", (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((resolve) => {
      this.child.once("exit", (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Sends a signal to the command's own process (not its group). */
  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Waits until `find(output)` returns something, or fails after `ms` with the output so far. */
  async waitFor<T>(
    find: (output: string) => T | undefined | null | false,
    ms: number,
    what: string,
  ): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const found = find(this.output);
      if (found !== undefined && found !== null && found !== false) return found;
      if (this.exit || Date.now() > end) {
        const why = this.exit ? `the command exited (${JSON.stringify(this.exit)})` : `${ms} ms passed`;
        throw new Error(`waiting for ${what}: ${why}. Output so far:\n${this.output}`);
      }
      await sleep(20);
    }
  }

  /** Waits for the first match of `pattern` in the output. */
  waitForMatch(pattern: RegExp, ms: number): Promise<RegExpMatchArray> {
    return this.waitFor((output) => output.match(pattern), ms, String(pattern));
  }

  /** Waits for the exit, failing after `ms`. */
  async waitForExit(ms: number): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the command did not exit within ${ms} ms:\n${this.output}`)),
        ms,
      );
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kills the whole process group (the command, its workers or app process). */
  kill(): void {
    try {
      process.kill(-this.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** Tracks every command a test starts, and kills what is left in afterEach. */
export function cliRuns(): {
  start: (args: readonly string[], cwd: string, env?: NodeJS.ProcessEnv) => CliRun;
  cleanup: () => Promise<void>;
} {
  const runs: CliRun[] = [];
  return {
    start(args, cwd, env) {
      const run = new CliRun(args, cwd, env);
      runs.push(run);
      return run;
    },
    async cleanup() {
      for (const run of runs.splice(0)) {
        run.kill();
        await Promise.race([run.exited, sleep(2_000)]);
      }
    },
  };
}

/** Whether a process is alive. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A temp folder holding an app: the files given, a package.json of type module, and
 * node_modules/@flagon/core linked to this workspace's core.
 */
export async function tempApp(prefix: string, files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  await mkdir(path.join(dir, "node_modules/@flagon"), { recursive: true });
  await symlink(coreDir, path.join(dir, "node_modules/@flagon/core"), "dir");
  await writeFiles(dir, {
    "package.json": JSON.stringify({ name: "fixture-app", private: true, type: "module" }),
    ...files,
  });
  return dir;
}

export async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [name, contents] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), contents);
  }
}

export const removeDir = (dir: string): Promise<void> => rm(dir, { recursive: true, force: true });

/** The tsconfig of a decorated app (NodeNext, decorators with metadata). */
export const TSCONFIG = JSON.stringify({
  compilerOptions: {
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    strict: true,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
  },
  include: ["src"],
});

export interface Reply {
  readonly status: number;
  readonly body: string;
}

/** A GET on a fresh connection (no keep-alive), so that every request may reach another worker. */
export function get(url: string, timeoutMs = 10_000): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      url,
      { agent: false, headers: { connection: "close" }, timeout: timeoutMs },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on("error", reject);
  });
}

/** A port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
