// The one command: `npm start` (node dist/server.js, built by `npm run build`, which `npm test`
// runs first) migrates an empty database, serves, and exits cleanly on SIGTERM.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, expect, it } from "vitest";

const SERVER = fileURLToPath(new URL("../dist/server.js", import.meta.url));
const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

it("starts on a fresh empty SQLite file with one command, serves the API, and stops on SIGTERM", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "conduit-start-"));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  const child = spawn(process.execPath, [SERVER], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      FLAGON_ENV: "production",
      PORT: "0",
      FLAGON_DATABASE__URL: `sqlite:${path.join(dir, "conduit.db")}`,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  cleanup.push(async () => {
    if (child.exitCode === null) child.kill("SIGKILL");
    await exited;
  });
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening" line within 20 s:\n${output}`)), 20_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const found = /listening on (http:\/\/[^\s]+)/.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]!);
      }
    };
    child.stdout.on("data", read);
    child.stderr.on("data", read);
    child.once("exit", () => reject(new Error(`the server exited before listening:\n${output}`)));
  });
  expect(output).toContain("applied migrations: 20261207000000_create_conduit");

  const user = { username: "ada", email: "ada@example.com", password: "a long password" };
  const created = await fetch(new URL("/api/users", url), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ user }),
  });
  expect(created.status).toBe(201);
  const { user: body } = (await created.json()) as { user: { token: string } };
  const me = await fetch(new URL("/api/user", url), { headers: { authorization: `Token ${body.token}` } });
  expect(me.status).toBe(200);
  expect(await (await fetch(new URL("/api/tags", url))).json()).toEqual({ tags: [] });

  child.kill("SIGTERM");
  expect(await exited).toBe(0);
});
