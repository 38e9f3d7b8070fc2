// `flagon start`: the app in production. With --workers 2, a node:cluster primary and two
// workers share one port; a killed worker is replaced; SIGTERM drains every worker (a request in
// flight finishes) and the command exits 0.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  cliRuns,
  coreBuilt,
  get,
  isAlive,
  notBuiltReason,
  removeDir,
  sleep,
  tempApp,
  TSCONFIG,
} from "./helpers.js";

if (!coreBuilt) console.warn(`skipped the flagon start tests: ${notBuiltReason}`);

// A TypeScript app, so the workers also exercise the TypeScript loader. "/" answers with the
// worker's pid; "/slow" notes that it started, then answers after 1 s.
const appFiles = {
  "tsconfig.json": TSCONFIG,
  "src/app.ts": `import { appendFileSync } from "node:fs";
import { Flagon } from "@flagon/core";

const log = (line: string) => appendFileSync(new URL("../events.log", import.meta.url), line + "\\n");

export function createApp(): Flagon {
  const app = new Flagon({ logger: false });
  app.get("/", function pid() {
    return { pid: process.pid };
  });
  app.get("/slow", async function slow() {
    log("slow started " + process.pid);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    return { pid: process.pid, slow: true };
  });
  app.addHook("onClose", () => log("closed " + process.pid));
  return app;
}
`,
};

const runs = cliRuns();
const dirs: string[] = [];
afterEach(async () => {
  await runs.cleanup();
  for (const dir of dirs.splice(0)) await removeDir(dir);
});

async function app(files: Record<string, string> = appFiles): Promise<string> {
  const dir = await tempApp("flagon-start-", files);
  dirs.push(dir);
  return dir;
}

const workerLines = (output: string): number[] =>
  [...output.matchAll(/worker (\d+) listening on/g)].map((m) => Number(m[1]));

async function pidsOf(url: string, requests: number): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  for (let i = 0; i < requests; i += 1) {
    const reply = await get(url);
    expect(reply.status).toBe(200);
    const { pid } = JSON.parse(reply.body) as { pid: number };
    counts.set(pid, (counts.get(pid) ?? 0) + 1);
  }
  return counts;
}

describe.skipIf(!coreBuilt)("flagon start --workers 2", () => {
  beforeAll(() => {
    expect(coreBuilt, notBuiltReason).toBe(true);
  });

  it(
    "serves from both workers, replaces a killed one, and drains them all on SIGTERM",
    { timeout: 60_000 },
    async () => {
      const dir = await app();
      const started = Date.now();
      const cli = runs.start(["start", "--workers", "2", "--port", "0"], dir);
      const [, url = ""] = await cli.waitForMatch(/listening on (http:\/\/\S+) with 2 workers/, 30_000);
      console.info(`flagon start --workers 2: both workers listening after ${Date.now() - started} ms`);
      const workers = workerLines(cli.output);
      expect(workers).toHaveLength(2);
      expect(new Set(workers).size).toBe(2);

      // 1. Fresh connections are spread over both workers (round robin in the primary).
      const counts = await pidsOf(url, 50);
      console.info(`50 requests: ${[...counts].map(([pid, n]) => `${n} from worker ${pid}`).join(", ")}`);
      expect([...counts.keys()].sort()).toEqual([...workers].sort());

      // 2. A worker that dies is replaced, and the replacement serves.
      const [victim = 0, survivor = 0] = workers;
      process.kill(victim, "SIGKILL");
      const replacement = await cli.waitFor(
        (output) => workerLines(output).find((pid) => !workers.includes(pid)),
        20_000,
        "a replacement worker",
      );
      expect(cli.output).toMatch(
        new RegExp(`worker ${victim} was killed by SIGKILL; starting a replacement`),
      );
      let seen = new Map<number, number>();
      for (let round = 0; round < 10 && !seen.has(replacement); round += 1) {
        seen = new Map([...seen, ...(await pidsOf(url, 10))]);
      }
      expect([...seen.keys()].sort()).toEqual([survivor, replacement].sort());

      // 3. SIGTERM while a slow request is in flight: it completes, then everything exits 0.
      const events = path.join(dir, "events.log");
      const slow = get(`${url}/slow`);
      await waitUntil(
        async () => (await readFile(events, "utf8").catch(() => "")).includes("slow started"),
        10_000,
      );
      const signalled = Date.now();
      cli.signal("SIGTERM");
      const reply = await slow;
      expect(reply.status).toBe(200);
      expect(JSON.parse(reply.body)).toMatchObject({ slow: true });
      const exit = await cli.waitForExit(10_000);
      console.info(`SIGTERM to exit: ${Date.now() - signalled} ms (a 1 s request was in flight)`);
      expect(exit).toEqual({ code: 0, signal: null });
      expect(cli.output).toContain("SIGTERM: draining 2 workers");
      expect(cli.output).toMatch(/\[flagon\] stopped\n/);
      const log = await readFile(events, "utf8");
      for (const pid of [survivor, replacement]) {
        expect(log).toContain(`closed ${pid}`); // app.close() ran: onClose hooks
        expect(isAlive(pid)).toBe(false);
      }
      await expect(get(url, 2_000)).rejects.toThrow(/ECONNREFUSED/);
    },
  );

  it(
    "stops with exit code 1 when the workers cannot start the app, instead of looping",
    { timeout: 30_000 },
    async () => {
      const dir = await app({
        "tsconfig.json": TSCONFIG,
        "src/app.ts": `export function createApp() { throw new Error("no database at db.invalid"); }\n`,
      });
      const cli = runs.start(["start", "--workers", "2", "--port", "0"], dir);
      const exit = await cli.waitForExit(20_000);
      expect(exit.code).toBe(1);
      expect(cli.output).toContain("cannot load the app from src/app.ts: no database at db.invalid");
      expect(cli.output).toMatch(/worker \d+ failed to start \(exited with code 1\); stopping/);
      expect(cli.output.match(/failed to start/g)?.length ?? 0).toBeLessThanOrEqual(2);
    },
  );
});

describe.skipIf(!coreBuilt)("flagon start (one worker)", () => {
  it("serves in its own process and closes gracefully on SIGTERM", { timeout: 30_000 }, async () => {
    const dir = await app();
    const cli = runs.start(["start", "--port", "0"], dir);
    const [, url = ""] = await cli.waitForMatch(/listening on (http:\/\/\S+) \(pid (\d+)/, 20_000);
    const reply = await get(url);
    expect(JSON.parse(reply.body)).toEqual({ pid: cli.pid }); // no cluster: the command's own process
    const slow = get(`${url}/slow`);
    await waitUntil(
      async () =>
        (await readFile(path.join(dir, "events.log"), "utf8").catch(() => "")).includes("slow started"),
      10_000,
    );
    cli.signal("SIGTERM");
    expect((await slow).status).toBe(200);
    expect(await cli.waitForExit(10_000)).toEqual({ code: 0, signal: null });
    expect(cli.output).toContain("SIGTERM: closing");
  });
});

async function waitUntil(check: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms`);
    await sleep(20);
  }
}
