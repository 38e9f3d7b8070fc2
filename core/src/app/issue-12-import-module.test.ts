// Issue 12: importModule is how a plugin loads the app's TypeScript files (migrations, seeds).
// Under the repository's vitest, core runs from its sources, where the loader's hooks file does
// not exist (it is built to dist/): importing any .ts file failed with "Cannot find module
// core/src/cli/loader/hooks.js" (the loader is now @flagon/cli's, found from the package's root).
// There the host compiles TypeScript already and is used.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { importModule } from "./import-module.js";

let dir = "";
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "flagon-import-module-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

it("imports a TypeScript file of the project, relative to its root", async () => {
  await writeFile(
    path.join(dir, "thing.ts"),
    `enum Kind {
  Table = "table",
}
export const kind: string = Kind.Table;
export function twice(n: number): number {
  return n * 2;
}
`,
  );
  const module = (await importModule("thing.ts", { root: dir })) as {
    kind: string;
    twice: (n: number) => number;
  };
  expect(module.kind).toBe("table");
  expect(module.twice(21)).toBe(42);
});
