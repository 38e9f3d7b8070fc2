// Shared by the suites that run the real `flagon` command: a temp app folder whose src/app.ts
// registers @flagon/database, with node_modules linking this checkout's core and plugin, and a
// way to run `flagon …` in it as a user does.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const pluginDir = fileURLToPath(new URL("../", import.meta.url));
const coreDir = path.resolve(pluginDir, "../../core");
const cliDir = path.resolve(pluginDir, "../../cli");
const flagonBin = path.join(cliDir, "bin/flagon.js");
const kyselyDir = [
  path.join(pluginDir, "node_modules/kysely"),
  path.join(pluginDir, "../../node_modules/kysely"),
].find((dir) => existsSync(path.join(dir, "package.json")))!;

/** The command runs the builds: without them the suites skip, saying why. */
export const built =
  existsSync(path.join(cliDir, "dist/main.js")) &&
  existsSync(path.join(coreDir, "dist/index.js")) &&
  existsSync(path.join(pluginDir, "dist/index.js"));
export const notBuiltReason =
  "cli/dist, core/dist or plugins/database/dist is missing: build first (npm run build)";

const APP = `import { Flagon } from "@flagon/core";
import database from "@flagon/database";

export function createApp(): Flagon {
  const app = new Flagon({
    logger: false,
    config: { database: { url: process.env["DATABASE_URL"] ?? "sqlite:./data/app.db" } },
  });
  app.register(database);
  return app;
}
`;

const TSCONFIG = JSON.stringify({
  compilerOptions: {
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    strict: true,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
  },
  include: ["src", "migrations", "seeds"],
});

/** A temp app folder holding src/app.ts, a tsconfig.json and `files`; remove it with removeApp. */
export async function tempApp(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "flagon-db-cli-"));
  await mkdir(path.join(dir, "node_modules/@flagon"), { recursive: true });
  await symlink(coreDir, path.join(dir, "node_modules/@flagon/core"), "dir");
  await symlink(pluginDir, path.join(dir, "node_modules/@flagon/database"), "dir");
  // Migrations import kysely (sql, types), as an app that depends on it does.
  await symlink(kyselyDir, path.join(dir, "node_modules/kysely"), "dir");
  const all: Record<string, string> = {
    "package.json": JSON.stringify({ name: "db-cli-fixture", private: true, type: "module" }),
    "tsconfig.json": TSCONFIG,
    "src/app.ts": APP,
    ...files,
  };
  for (const [name, text] of Object.entries(all)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  return dir;
}

export const removeApp = (dir: string): Promise<void> => rm(dir, { recursive: true, force: true });

export interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

// The child must not think it runs inside this vitest.
const childEnv = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !/^(VITEST|TINYPOOL|NODE_ENV$|FLAGON_)/.test(key)),
);

/** Runs `flagon <args…>` in `cwd` to its end (or `timeout` ms), never rejecting. */
export function flagon(
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
  timeout = 60_000,
): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [flagonBin, ...args],
      { cwd, timeout, env: { ...childEnv, ...env } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr: `${stderr}${error?.killed ? "\n(timed out)" : ""}` });
      },
    );
  });
}
