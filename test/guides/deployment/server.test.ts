// docs/deployment.md's server.ts, run as `node` runs it: it listens, and exits 0 on SIGTERM.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

const repo = fileURLToPath(new URL("../../../", import.meta.url));
// The loader `flagon start` uses for .ts files (the built server.js needs none).
const loader = fileURLToPath(new URL("cli/dist/loader/import.js", `file://${repo}`));

test("server.ts listens, then closes and exits 0 on SIGTERM", async () => {
  const child = spawn(process.execPath, ["--import", loader, "test/guides/deployment/server.ts"], {
    cwd: repo,
    env: { ...process.env, PORT: "0", NO_COLOR: "1" },
  });
  let out = "";
  const listening = new Promise<void>((resolve) => {
    child.stdout.on("data", (chunk: Buffer) => {
      out += String(chunk);
      if (out.includes("listening on http://127.0.0.1:")) resolve();
    });
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  await listening;
  child.kill("SIGTERM");
  expect(await exited).toBe(0);
}, 30_000);
