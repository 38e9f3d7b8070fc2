// issue 11, item 6: SIGTERM to `npm run dev` left the `flagon dev` supervisor and its app running,
// the app holding the port. npm runs the script through `sh -c`, and passes the signal to that
// shell only, which dies without passing it on. The supervisor now also stops when the process
// that started it goes away; on SIGTERM or SIGINT it closes its app, waits for it, and exits.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, symlink } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  childEnv,
  cliRuns,
  coreBuilt,
  coreDir,
  freePort,
  get,
  isAlive,
  notBuiltReason,
  npm,
  removeDir,
  sleep,
  tempApp,
} from "./helpers.js";

if (!coreBuilt) console.warn(`skipped the flagon dev SIGTERM tests: ${notBuiltReason}`);

/** Plain JavaScript (no TypeScript to load): it answers with its own pid and its parent's. */
const APP = `import { Flagon } from "@flagon/core";

export function createApp() {
  const app = new Flagon({ logger: false });
  app.get("/", function pids() {
    return { pid: process.pid, ppid: process.ppid };
  });
  return app;
}
`;

interface Pids {
  readonly pid: number;
  readonly ppid: number;
}

const runs = cliRuns();
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  await runs.cleanup();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An app whose package.json has `"dev": "flagon dev --port <port>"` and a linked flagon bin. */
async function devApp(port: number): Promise<string> {
  const dir = await tempApp("flagon-issue11-dev-", {
    "src/app.js": APP,
    "package.json": JSON.stringify({
      name: "fixture-app",
      private: true,
      type: "module",
      scripts: { dev: `flagon dev --port ${port}` },
      flagon: { app: "src/app.js" },
    }),
  });
  cleanups.push(() => removeDir(dir));
  // The bin as npm links it on install.
  await mkdir(path.join(dir, "node_modules/.bin"));
  await symlink(path.join(coreDir, "bin/flagon.js"), path.join(dir, "node_modules/.bin/flagon"));
  return dir;
}

/** Polls the app until it answers. */
async function answer(url: string, ms: number): Promise<Pids> {
  const end = Date.now() + ms;
  for (;;) {
    const reply = await get(url, 2_000).catch(() => undefined);
    if (reply?.status === 200) return JSON.parse(reply.body) as Pids;
    if (Date.now() > end) throw new Error(`${url} did not answer within ${ms} ms`);
    await sleep(50);
  }
}

async function gone(pid: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (isAlive(pid)) {
    if (Date.now() > end) return false;
    await sleep(50);
  }
  return true;
}

/** Whether the port can be bound again (nothing listens on it any more). */
function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

describe.skipIf(!coreBuilt)("stopping flagon dev", { timeout: 60_000 }, () => {
  it("SIGTERM to the supervisor closes its app, and both exit; the port is free", async () => {
    const port = await freePort();
    const dir = await devApp(port);
    const cli = runs.start(["dev", "--port", String(port)], dir);
    const pids = await answer(`http://127.0.0.1:${port}/`, 30_000);
    expect(pids.ppid).toBe(cli.pid); // the app runs in the supervisor's child

    cli.signal("SIGTERM");
    expect(await cli.waitForExit(10_000)).toEqual({ code: 0, signal: null });
    expect(cli.output).toMatch(/\[flagon\] stopped\n/);
    expect(await gone(pids.pid, 5_000)).toBe(true);
    expect(await bindable(port)).toBe(true);
  });

  it("SIGTERM to `npm run dev` stops the supervisor and its app; the port is free", async () => {
    const port = await freePort();
    const dir = await devApp(port);
    // A process group of its own, so that the cleanup can kill whatever is left.
    const npmRun: ChildProcess = spawn(npm, ["run", "dev"], {
      cwd: dir,
      env: childEnv,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    npmRun.stdout?.on("data", (chunk: Buffer) => (output += String(chunk)));
    npmRun.stderr?.on("data", (chunk: Buffer) => (output += String(chunk)));
    const npmExited = new Promise<void>((resolve) => npmRun.once("exit", () => resolve()));
    cleanups.push(() => {
      try {
        process.kill(-(npmRun.pid ?? 0), "SIGKILL");
      } catch {
        // all gone
      }
    });

    const pids = await answer(`http://127.0.0.1:${port}/`, 30_000);
    const supervisor = pids.ppid;
    expect(supervisor).not.toBe(npmRun.pid); // npm → sh -c → flagon dev → the app

    npmRun.kill("SIGTERM"); // to npm alone, as a process manager or `kill <pid>` sends it
    await npmExited;
    const stopped = (await gone(supervisor, 10_000)) && (await gone(pids.pid, 5_000));
    expect(stopped, `still running after npm exited:\n${output}`).toBe(true);
    expect(output).toContain("[flagon] stopped");
    expect(await bindable(port)).toBe(true);
  });
});
