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
    return { message: this.greeter.greet("dev"), pid: process.pid, env: process.env["NODE_ENV"] };
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
}

const runs = cliRuns();
let dir: string | undefined;
afterEach(async () => {
  await runs.cleanup();
  if (dir) await removeDir(dir);
  dir = undefined;
});

/** Polls until the app answers with `message`; resolves with the answer. */
async function until(url: string, message: string, ms: number): Promise<Served> {
  const end = Date.now() + ms;
  for (;;) {
    const served = await get(url, 2_000).then(
      (reply) => (reply.status === 200 ? (JSON.parse(reply.body) as Served) : undefined),
      () => undefined, // between two processes nobody listens
    );
    if (served?.message === message) return served;
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

      // An edit: a new process serves the new code.
      const edited = Date.now();
      await writeFiles(dir, { "src/greeter.ts": greeter("Hi") });
      const second = await until(url, "Hi, dev!", 5_000);
      const restartMs = Date.now() - edited;
      const reported = (await cli.waitForMatch(/restarted in (\d+) ms/, 5_000))[1];
      console.info(
        `flagon dev restart: ${restartMs} ms from the write to the first new answer (flagon says ${reported} ms)`,
      );
      expect(restartMs).toBeLessThan(5_000);
      expect(cli.output).toContain(`${path.join("src", "greeter.ts")} changed; restarting`);
      expect(second.pid).not.toBe(first.pid);
      expect(isAlive(first.pid)).toBe(false);
      expect(await startups(dir)).toEqual([String(first.pid), String(second.pid)]);

      // A syntax error: the app exits, the error names the file and line, dev waits for a fix.
      await writeFiles(dir, { "src/greeter.ts": "export class Greeter {\n  greet( {\n}\n" });
      await cli.waitForMatch(/the app exited with code 1; waiting for a change to restart it/, 10_000);
      expect(cli.output).toMatch(/greeter\.ts:\d+:\d+: /);
      await writeFiles(dir, { "src/greeter.ts": greeter("Welcome") });
      const third = await until(url, "Welcome, dev!", 10_000);
      const lines = await startups(dir);
      expect(lines.at(-1)).toBe(String(third.pid));
      expect(new Set(lines).size).toBe(lines.length); // never twice in one process

      // Ctrl+C (SIGINT) to the supervisor: the app closes, everything exits 0.
      cli.signal("SIGINT");
      expect(await cli.waitForExit(10_000)).toEqual({ code: 0, signal: null });
      expect(cli.output).toMatch(/\[flagon\] stopped\n/);
      expect(isAlive(third.pid)).toBe(false);
    },
  );
});
