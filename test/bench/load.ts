// Load generation: wrk when installed (pinned to its own CPU), else autocannon in this process.
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import autocannon from "autocannon";

const run = promisify(execFile);

export interface LoadResult {
  readonly rps: number;
  readonly p99ms: number;
  readonly errors: number;
}

export interface LoadSpec {
  readonly url: string;
  readonly method: "GET" | "POST";
  readonly body?: string;
  readonly seconds: number;
  readonly connections: number;
  /** CPU to pin the load generator to (wrk only). */
  readonly cpu: number | undefined;
}

export async function hasWrk(): Promise<boolean> {
  try {
    await run("wrk", ["--version"]);
    return true;
  } catch (error) {
    // wrk prints its version and exits 1; a missing binary is ENOENT.
    return (error as NodeJS.ErrnoException).code !== "ENOENT";
  }
}

function parseLatency(text: string): number {
  // "     99%    1.23ms" in wrk's --latency distribution
  const match = /^\s*99%\s+([\d.]+)(us|ms|s)\s*$/m.exec(text);
  if (!match) return Number.NaN;
  const value = Number(match[1]);
  return match[2] === "us" ? value / 1000 : match[2] === "s" ? value * 1000 : value;
}

async function withWrk(spec: LoadSpec): Promise<LoadResult> {
  const args = ["-t1", `-c${spec.connections}`, `-d${spec.seconds}s`, "--latency"];
  if (spec.method === "POST") {
    const script = join(tmpdir(), `flagon-bench-${process.pid}.lua`);
    const body = JSON.stringify(spec.body ?? "");
    writeFileSync(
      script,
      `wrk.method = "POST"\nwrk.body = ${body}\nwrk.headers["Content-Type"] = "application/json"\n`,
    );
    args.push("-s", script);
  }
  args.push(spec.url);
  const command = spec.cpu === undefined ? "wrk" : "taskset";
  const full = spec.cpu === undefined ? args : ["-c", String(spec.cpu), "wrk", ...args];
  const { stdout } = await run(command, full, { maxBuffer: 1 << 20 });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? Number.NaN);
  const errors = /Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1];
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const socketCount = socketErrors ? socketErrors.slice(1).reduce((n, x) => n + Number(x), 0) : 0;
  return { rps, p99ms: parseLatency(stdout), errors: Number(errors ?? 0) + socketCount };
}

async function withAutocannon(spec: LoadSpec): Promise<LoadResult> {
  const result = await autocannon({
    url: spec.url,
    method: spec.method,
    body: spec.body,
    headers: spec.body ? { "content-type": "application/json" } : {},
    connections: spec.connections,
    duration: spec.seconds,
  });
  return { rps: result.requests.average, p99ms: result.latency.p99, errors: result.errors + result.non2xx };
}

export function load(spec: LoadSpec, wrk: boolean): Promise<LoadResult> {
  return wrk ? withWrk(spec) : withAutocannon(spec);
}
