// `flagon dev`: a TypeScript app run from its sources with decorator metadata intact (a
// controller gets a service injected by its type, from another file), restarted when a file
// changes, its start-up code run once per start.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  cliRuns,
  coreBuilt,
  freePort,
  get,
  isAlive,
  notBuiltReason,
  removeDir,
  sleep,
  tempApp,
  TSCONFIG,
  writeFiles,
} from "./helpers.js";

if (!coreBuilt) console.warn(`skipped the flagon dev tests: ${notBuiltReason}`);

const greeter = (word: string) => `import { Injectable } from "@flagon/core";

@Injectable()
export class Greeter {
  greet(name: string): string {
    return \`${word}, \${name}!\`;
  }
}
`;

const files = {
  "tsconfig.json": TSCONFIG,
  ".env": "MARK=zero\n",
  "src/greeter.ts": greeter("Hello"),
  // Greeter is injected by its type: without emitDecoratorMetadata, ready() fails with
  // FLAGON_ERR_DI_UNRESOLVED.
  "src/hello.controller.ts": `import { Controller, Get } from "@flagon/core";
import { Greeter } from "./greeter.js";

@Controller()
export class Hello {
  constructor(private readonly greeter: Greeter) {}

  @Get("/")
  index() {
    const { NODE_ENV: env, MARK: mark = null } = process.env;
    return { message: this.greeter.greet("dev"), pid: process.pid, env, mark };
  }
}
`,
  "src/app.ts": `import { appendFileSync } from "node:fs";
import { Flagon } from "@flagon/core";
import { Hello } from "./hello.controller.js";

// Start-up code: one line per start of the app.
appendFileSync(new URL("../startups.log", import.meta.url), \`\${process.pid}\\n\`);

export function createApp(): Flagon {
  return new Flagon({ controllers: [Hello], logger: false });
}
`,
};

interface Served {
  message: string;
  pid: number;
  env: string;
  mark: string | null;
}

const runs = cliRuns();
let dir: string | undefined;
afterEach(async () => {
  await runs.cleanup();
  if (dir) await removeDir(dir);
  dir = undefined;
});

/** Polls until the app answers with `message` (and `mark`, if given); resolves with the answer. */
async function until(url: string, message: string, ms: number, mark?: string): Promise<Served> {
  const end = Date.now() + ms;
  for (;;) {
    const served = await get(url, 2_000).then(
      (reply) => (reply.status === 200 ? (JSON.parse(reply.body) as Served) : undefined),
      () => undefined, // between two processes nobody listens
    );
    if (served?.message === message && (mark === undefined || served.mark === mark)) return served;
    if (Date.now() > end)
      throw new Error(`no "${message}" from ${url} within ${ms} ms (last: ${JSON.stringify(served)})`);
    await sleep(10);
  }
}

const startups = async (root: string) =>
  (await readFile(path.join(root, "startups.log"), "utf8")).trim().split("\n");

describe.skipIf(!coreBuilt)("flagon dev", () => {
  it(
    "runs TypeScript with metadata, restarts on a change, survives a syntax error, runs start-up code once per start",
    { timeout: 60_000 },
    async () => {
      dir = await tempApp("flagon-dev-", files);
      const port = await freePort();
      const url = `http://127.0.0.1:${port}/`;
      const cli = runs.start(["dev", "--port", String(port)], dir);
      await cli.waitForMatch(/listening on http:\/\/127\.0\.0\.1:\d+ \(started in \d+ ms\)/, 30_000);
      expect(cli.output).toContain("running src/app.ts in development mode; watching src and the config");

      const first = await until(url, "Hello, dev!", 5_000);
      expect(first.env).toBe("development");
      expect(first.pid).not.toBe(cli.pid); // the app runs in a child; the supervisor never loads it
      expect(await startups(dir)).toEqual([String(first.pid)]);

      // An edit: a new process serves the new code. Right after a start the standby process
      // may still be loading (a cold start); after a pause it is ready (the usual restart).
      const restart = async (word: string, previous: Served): Promise<Served> => {
        const edited = Date.now();
        await writeFiles(dir ?? "", { "src/greeter.ts": greeter(word) });
        const served = await until(url, `${word}, dev!`, 5_000);
        const took = Date.now() - edited;
        const reported = await cli.waitFor(
          (output) => [...output.matchAll(/restarted in (\d+) ms/g)].at(restarts)?.[1],
          5_000,
          "the restart line",
        );
        restarts += 1;
        timings.push(`${took} ms (flagon says ${reported} ms)`);
        expect(took).toBeLessThan(5_000);
        expect(served.pid).not.toBe(previous.pid);
        expect(isAlive(previous.pid)).toBe(false);
        return served;
      };
      let restarts = 0;
      const timings: string[] = [];
      const second = await restart("Hi", first);
      expect(cli.output).toContain(`${path.join("src", "greeter.ts")} changed; restarting`);
      await sleep(1_500);
      const third = await restart("Hey", second);
      console.info(`flagon dev restarts, from the write to the first new answer: ${timings.join(", then ")}`);
      expect(await startups(dir)).toEqual([first.pid, second.pid, third.pid].map(String));

      // .env at the root: read by the app at start-up, and each change of it is seen (the
      // supervisor never keeps its values).
      expect(third.mark).toBe("zero");
      await writeFiles(dir, { ".env": "MARK=one\n" });
      await until(url, "Hey, dev!", 5_000, "one");
      await writeFiles(dir, { ".env": "MARK=two\n" });
      await until(url, "Hey, dev!", 5_000, "two");
      expect(cli.output).toContain(".env changed; restarting");

      // A syntax error: the app exits, the error names the file and line, dev waits for a fix.
      await writeFiles(dir, { "src/greeter.ts": "export class Greeter {\n  greet( {\n}\n" });
      await cli.waitForMatch(/the app exited with code 1; waiting for a change to restart it/, 10_000);
      expect(cli.output).toMatch(/greeter\.ts:\d+:\d+: /);
      await writeFiles(dir, { "src/greeter.ts": greeter("Welcome") });
      const fourth = await until(url, "Welcome, dev!", 10_000);
      const lines = await startups(dir);
      expect(lines.at(-1)).toBe(String(fourth.pid));
      expect(new Set(lines).size).toBe(lines.length); // never twice in one process

      // Ctrl+C (SIGINT) to the supervisor: the app closes, everything exits 0.
      cli.signal("SIGINT");
      expect(await cli.waitForExit(10_000)).toEqual({ code: 0, signal: null });
      expect(cli.output).toMatch(/\[flagon\] stopped\n/);
      expect(isAlive(fourth.pid)).toBe(false);
    },
  );
});
