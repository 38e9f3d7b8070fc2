// `npm run lint` runs `npm run cycles`: dependency-cruiser's no-circular rule over the core, with
// type-only imports counted (.dependency-cruiser.mjs). These tests run the same command line on
// small fixtures, so a config that stops seeing circles (type imports dropped, a resolver that
// no longer maps `./x.js` to `./x.ts`) fails here instead of passing lint in silence.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const config = path.join(root, ".dependency-cruiser.mjs");
const cli = path.join(root, "node_modules/dependency-cruiser/bin/dependency-cruise.mjs");

interface Result {
  readonly code: number;
  readonly output: string;
}

/** Runs the checker as `npm run cycles` does, on `dir` inside the fixture folder. */
function cruise(cwd: string, dir: string): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cli, dir, "--config", config],
      { cwd, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
        resolve({ code, output: stdout + stderr });
      },
    );
  });
}

let fixtures = "";

async function write(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(path.join(fixtures, file)), { recursive: true });
  await writeFile(path.join(fixtures, file), text);
}

beforeAll(async () => {
  fixtures = await mkdtemp(path.join(os.tmpdir(), "flagon-cycles-"));
  // Two modules that name each other's types only: nothing of it is left in the emitted JS.
  await write(
    "type-circle/app.ts",
    'import type { Ctx } from "./ctx.js";\nexport class App { last?: Ctx }\n',
  );
  await write(
    "type-circle/ctx.ts",
    'import type { App } from "./app.js";\nexport interface Ctx { app: App }\n',
  );
  // A value import one way and a type import back.
  await write("mixed-circle/a.ts", 'import { b } from "./b.js";\nexport const a = (): number => b + 1;\n');
  await write(
    "mixed-circle/b.ts",
    'import type { a } from "./a.js";\nexport const b = 1;\nexport type A = typeof a;\n',
  );
  // The fix: the shared type in a module of its own, which imports nothing.
  await write("leaf-type/app-type.ts", "export interface AppLike { readonly name: string }\n");
  await write(
    "leaf-type/ctx.ts",
    'import type { AppLike } from "./app-type.js";\nexport interface Ctx { app: AppLike }\n',
  );
  await write(
    "leaf-type/app.ts",
    'import type { AppLike } from "./app-type.js";\nimport type { Ctx } from "./ctx.js";\n' +
      'export class App implements AppLike { readonly name = "x"; last?: Ctx }\n',
  );
}, 30_000);

afterAll(async () => {
  if (fixtures !== "") await rm(fixtures, { recursive: true, force: true });
});

describe("the import-cycle check (npm run cycles)", () => {
  it("fails on a circle made of type imports only, naming both files", async () => {
    const { code, output } = await cruise(fixtures, "type-circle");
    expect(code).not.toBe(0);
    expect(output).toContain("no-circular");
    expect(output).toContain("type-circle/app.ts");
    expect(output).toContain("type-circle/ctx.ts");
  }, 60_000);

  it("fails on a circle of a value import and a type import", async () => {
    const { code, output } = await cruise(fixtures, "mixed-circle");
    expect(code).not.toBe(0);
    expect(output).toContain("no-circular");
  }, 60_000);

  it("passes once the shared type lives in a leaf module", async () => {
    const { code, output } = await cruise(fixtures, "leaf-type");
    expect(output).toContain("no dependency violations");
    expect(code).toBe(0);
  }, 60_000);

  it("is part of the root lint script and covers the core", () => {
    const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts["lint"]).toContain("npm run cycles");
    expect(pkg.scripts["cycles"]).toMatch(/^depcruise core --config \.dependency-cruiser\.mjs$/);
  });
});
