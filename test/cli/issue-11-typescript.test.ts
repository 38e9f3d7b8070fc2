// issue 11, item 3: `npm i -D typescript` installs 7.x (no JavaScript API), and `flagon start`
// died with "Cannot read properties of undefined (reading 'fileExists')". It now refuses with the
// installed version and the fix. And a tsconfig without the decorator flags runs under the CLI
// (which forces them) but not under tsc: start and dev warn, naming the file and the flags.
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cliRuns, coreBuilt, notBuiltReason, removeDir, tempApp, TSCONFIG } from "./helpers.js";

if (!coreBuilt) console.warn(`skipped the issue 11 TypeScript tests: ${notBuiltReason}`);

const APP = `import { Flagon } from "@flagon/core";
export function createApp(): Flagon {
  const app = new Flagon({ logger: false });
  app.get("/", () => "ok");
  return app;
}
`;

const runs = cliRuns();
const dirs: string[] = [];
afterEach(async () => {
  await runs.cleanup();
  for (const dir of dirs.splice(0)) await removeDir(dir);
});

async function app(files: Record<string, string>): Promise<string> {
  const dir = await tempApp("flagon-issue11-ts-", { "src/app.ts": APP, ...files });
  dirs.push(dir);
  return dir;
}

describe.skipIf(!coreBuilt)("issue 11: the TypeScript set-up", () => {
  it("flagon start with typescript 7 installed names the version and the fix", async () => {
    const dir = await app({
      "tsconfig.json": TSCONFIG,
      // What the typescript@7 package looks like to the loader: no transpileModule, no sys.
      "node_modules/typescript/package.json": JSON.stringify({
        name: "typescript",
        version: "7.0.2",
        main: "./lib/typescript.js",
      }),
      "node_modules/typescript/lib/typescript.js": "module.exports = {};\n",
    });
    const run = runs.start(["start", "--port", "0"], dir);
    const exit = await run.waitForExit(15_000);
    expect(exit.code, run.output).toBe(1);
    expect(run.output).toMatch(/typescript 7\.0\.2 is installed/);
    expect(run.output).toMatch(/>=5\.0 <7/);
    expect(run.output).toMatch(/npm install --save-dev typescript@~5\.9/);
    expect(run.output).not.toMatch(/fileExists/);
  });

  it.each(["start", "dev"])(
    "flagon %s warns about a tsconfig without the decorator flags",
    async (command) => {
      const dir = await app({
        "tsconfig.json": `{
  // no decorator flags
  "compilerOptions": { "target": "ES2022", "module": "NodeNext", "strict": true, },
}
`,
      });
      const run = runs.start([command, "--port", "0"], dir);
      await run.waitForMatch(/listening on/, 20_000);
      const warnings = run.output.split("\n").filter((line) => line.includes("warning:"));
      expect(warnings, run.output).toHaveLength(1);
      expect(warnings[0]).toContain(path.join(dir, "tsconfig.json"));
      expect(warnings[0]).toMatch(/"experimentalDecorators": true, "emitDecoratorMetadata": true/);
    },
  );

  it("no warning when the flags are on (here through extends)", async () => {
    const dir = await app({
      "tsconfig.base.json": TSCONFIG,
      "tsconfig.json": JSON.stringify({ extends: "./tsconfig.base.json", include: ["src"] }),
    });
    const run = runs.start(["start", "--port", "0"], dir);
    await run.waitForMatch(/listening on/, 20_000);
    expect(run.output).not.toMatch(/warning:/);
  });
});
