// Starts one benchmark server (test/bench/servers/<name>.js) as a child process, pinned to
// CPU 0 when the machine has two, and waits until it answers GET /.
import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";

/** Server on CPU 0 and load on CPU 1 (with fewer than two CPUs, both unpinned). */
export const pinned = availableParallelism() >= 2;

export interface Started {
  readonly child: ChildProcess;
  readonly port: number;
  readonly startupMs: number;
}

export interface StartOptions {
  /** An IPC channel, over which the server reports its memory and event-loop delay (servers/shared.ts). */
  readonly ipc?: boolean;
  /** Flags for node before the script (the soak passes --expose-gc). */
  readonly nodeArgs?: readonly string[];
}

export async function start(
  contender: string,
  extraEnv: Record<string, string> = {},
  options: StartOptions = {},
): Promise<Started> {
  const script = fileURLToPath(new URL(`./servers/${contender}.js`, import.meta.url));
  const began = performance.now();
  const env = { ...process.env, PORT: "0", NODE_ENV: "production", ...extraEnv };
  const stdio: StdioOptions = options.ipc
    ? ["ignore", "pipe", "inherit", "ipc"]
    : ["ignore", "pipe", "inherit"];
  const args = [...(options.nodeArgs ?? []), script];
  const child = pinned
    ? spawn("taskset", ["-c", "0", process.execPath, ...args], { stdio, env })
    : spawn(process.execPath, args, { stdio, env });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /ready (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once("exit", (code) => reject(new Error(`${contender} exited with ${code} before it was ready`)));
  });
  // Start-up to first answer: until GET / answers.
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`);
      await res.arrayBuffer();
      if (res.ok) break;
    } catch {
      /* not yet */
    }
  }
  return { child, port, startupMs: performance.now() - began };
}
