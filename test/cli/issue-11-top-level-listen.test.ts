// issue 11, item 4: the README snippet run with `flagon start` — a module that calls listen() at
// top level and exports no createApp() — ran, then failed with "does not export a createApp()
// function" after 5.6 s. It now fails at once, saying the server was started during the import,
// what the CLI expects, and how to run such a file instead.
import { afterEach, describe, expect, it } from "vitest";
import { cliRuns, coreBuilt, notBuiltReason, removeDir, tempApp, TSCONFIG } from "./helpers.js";

if (!coreBuilt) console.warn(`skipped the issue 11 top-level listen tests: ${notBuiltReason}`);

const runs = cliRuns();
const dirs: string[] = [];
afterEach(async () => {
  await runs.cleanup();
  for (const dir of dirs.splice(0)) await removeDir(dir);
});

describe.skipIf(!coreBuilt)("issue 11: flagon start on a file that listens at top level", () => {
  it("fails quickly and explains the createApp contract and the alternative", async () => {
    const dir = await tempApp("flagon-issue11-listen-", {
      "tsconfig.json": TSCONFIG,
      "src/app.ts": `import { Flagon } from "@flagon/core";
const app = new Flagon({ logger: false });
app.get("/", () => "hello");
await app.listen({ port: 0 });
`,
    });
    dirs.push(dir);
    const started = Date.now();
    const run = runs.start(["start", "--port", "0"], dir);
    const exit = await run.waitForExit(10_000);
    const took = Date.now() - started;
    expect(exit.code, run.output).toBe(1);
    expect(run.output).toMatch(/src\/app\.ts started a server while it was imported/);
    expect(run.output).toMatch(/expects the module to export createApp\(\)/);
    expect(run.output).toMatch(/node dist\/app\.js/);
    expect(took, run.output).toBeLessThan(2_500);
  });

  it("a module without createApp that does not listen gets the contract too", async () => {
    const dir = await tempApp("flagon-issue11-listen-", {
      "tsconfig.json": TSCONFIG,
      "src/app.ts": `export const nothing = 1;\n`,
    });
    dirs.push(dir);
    const run = runs.start(["start", "--port", "0"], dir);
    const exit = await run.waitForExit(10_000);
    expect(exit.code, run.output).toBe(1);
    expect(run.output).toMatch(/does not export a createApp\(\) function: the flagon CLI expects/);
    expect(run.output).not.toMatch(/started a server/);
  });
});
