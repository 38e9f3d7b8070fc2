// docs/quickstart.md, done as the page says: the app is compiled with its own tsconfig by tsc,
// started with `npm start`'s command, and answers what the page shows over a real socket. Its
// own tests (quickstart/test/) run as part of this project.
import { execFile, spawn } from "node:child_process";
import { readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, expect, test } from "vitest";

const dir = fileURLToPath(new URL("./quickstart/", import.meta.url));
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const run = promisify(execFile);

afterAll(() => rm(path.join(dir, "dist"), { recursive: true, force: true }));

test("package.json's scripts are the commands the page runs", async () => {
  const pkg = JSON.parse(await readFile(path.join(dir, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  };
  expect(pkg.scripts).toEqual({
    build: "tsc -p tsconfig.build.json",
    start: "node dist/server.js",
    test: "vitest run",
  });
});

test("`npm run build && npm start` serves the app; SIGTERM stops it", async () => {
  await run(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: dir });
  const child = spawn(process.execPath, ["dist/server.js"], {
    cwd: dir,
    env: { ...process.env, PORT: "0", NO_COLOR: "1" },
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (chunk: Buffer) => {
        out += String(chunk);
        const found = /listening on (http:\/\/\S+)/.exec(out);
        if (found) resolve((found[1] as string).replace(/\/$/, ""));
      });
      child.once("exit", (code) => reject(new Error(`server exited (${code}) before listening: ${out}`)));
    });

    const home = await fetch(`${url}/`);
    expect(home.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await home.text()).toBe("<h1>Hello, World!</h1>");
    expect(await (await fetch(`${url}/hello/Ada`)).json()).toEqual({ greeting: "Hello, Ada!" });

    const signed = await fetch(`${url}/guests`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Ada" }),
    });
    expect(await signed.json()).toEqual({ id: 1, name: "Ada" });
    expect(await (await fetch(`${url}/guests/1`)).json()).toEqual({ id: 1, name: "Ada" });

    const missing = await fetch(`${url}/guests/2`, { headers: { accept: "application/json" } });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ status: 404, detail: "no such guest" });
    expect((await fetch(`${url}/guests/two`)).status).toBe(404);

    const invalid = await fetch(`${url}/guests`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ name: "" }),
    });
    expect(invalid.status).toBe(422);
    expect(await invalid.json()).toMatchObject({
      status: 422,
      errors: [{ location: "body", path: ["name"] }],
    });
  } finally {
    child.kill("SIGTERM");
  }
  expect(await exited).toBe(0);
}, 60_000);
