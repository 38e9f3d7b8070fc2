// What the runner reads about a server process: its CPU time and RSS from /proc, and the figures
// it reports over IPC (servers/shared.ts). Shared by the rounds, the long-lived run and the soak.
import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import type { ServerStats } from "./servers/shared.js";

/** USER_HZ: the unit of /proc's CPU times (100 on Linux). */
const CLOCK_TICKS = 100;

/**
 * A process's CPU time so far (user + system, ms) from /proc, NaN where there is none. Unlike
 * requests per second, the CPU a request costs barely moves when other work shares the machine.
 */
export function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

/** RSS now and at its peak, MB, from /proc (NaN where there is none). */
export function memory(pid: number | undefined): { rssMb: number; peakMb: number } {
  if (pid === undefined) return { rssMb: Number.NaN, peakMb: Number.NaN };
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (key: string): number =>
      Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN);
    return { rssMb: kb("VmRSS") / 1024, peakMb: kb("VmHWM") / 1024 };
  } catch {
    return { rssMb: Number.NaN, peakMb: Number.NaN };
  }
}

/** Asks a server started with an IPC channel for its heap and event-loop figures. */
export function serverStats(child: ChildProcess, gc = false): Promise<ServerStats | undefined> {
  if (child.send === undefined || !child.connected) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off("message", onMessage);
      resolve(undefined);
    }, 5000);
    const onMessage = (message: unknown): void => {
      if ((message as { type?: unknown } | null)?.type !== "stats") return;
      clearTimeout(timer);
      child.off("message", onMessage);
      resolve(message as ServerStats);
    };
    child.on("message", onMessage);
    child.send({ type: "stats", gc });
  });
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}

export const median = (values: number[]): number => {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
