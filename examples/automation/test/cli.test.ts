// The real command line: `flagon db migrate --yes`, then `flagon scrape` on a SQLite file, as a
// user would run them; then the app reads back what the command stored.
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app.js";

const run = promisify(execFile);
const here = fileURLToPath(new URL("..", import.meta.url));
const flagon = fileURLToPath(new URL("../../../node_modules/.bin/flagon", import.meta.url));

let dir: string;
beforeAll(async () => (dir = await mkdtemp(path.join(tmpdir(), "flagon-automation-"))));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("flagon scrape", () => {
  it("runs one pass, prints its report, exits 0, and the rows are there", async () => {
    const url = `sqlite:${path.join(dir, "scrape.db")}`;
    const env = {
      ...process.env,
      NODE_ENV: "production",
      FLAGON_DATABASE__URL: url,
      FLAGON_SCRAPE__FETCH_TIMEOUT_MS: "300",
    };
    await run(process.execPath, [flagon, "db", "migrate", "--yes"], { cwd: here, env });
    // execFile rejects on a non-zero exit code, so getting here means exit 0.
    const { stdout } = await run(process.execPath, [flagon, "scrape"], { cwd: here, env });
    expect(stdout).toMatch(/^stored 3, skipped 2 in \d+ ms$/m);
    expect(stdout).toContain("scrape: [3/5] stored linen-napkins"); // the progress, in the app's log
    expect(stdout).toMatch(/skipped http:\/\/127\.0\.0\.1:\d+\/items\/hanging: no answer within 300 ms/);

    const app = createApp({
      configFile: false,
      logger: false,
      config: { database: { url }, scrape: { intervalMs: 0 } },
    });
    try {
      const res = await app.inject("/api/items");
      expect(res.json<{ slug: string }[]>().map((row) => row.slug)).toEqual([
        "linen-napkins",
        "oak-tankard",
        "pewter-flagon",
      ]);
    } finally {
      await app.close();
    }
  }, 60_000);
});
