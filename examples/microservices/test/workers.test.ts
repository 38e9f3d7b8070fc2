// `flagon start --workers 2` for the orders service, as production runs it: both workers
// answer, and SIGTERM drains (a request in flight gets its real answer, then the command exits 0).
import { type ChildProcess, spawn } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PRODUCTS } from "../src/catalog/products.js";

const here = fileURLToPath(new URL("..", import.meta.url));
const flagon = fileURLToPath(new URL("../../../node_modules/.bin/flagon", import.meta.url));

/** A catalog stand-in that takes 800 ms per answer, so an order stays in flight that long. */
let catalog: http.Server;
let catalogUrl: string;
beforeAll(async () => {
  catalog = http.createServer((req, res) => {
    setTimeout(() => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(PRODUCTS[0]));
    }, 800);
  });
  await new Promise<void>((resolve) => catalog.listen(0, "127.0.0.1", resolve));
  catalogUrl = `http://127.0.0.1:${(catalog.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => catalog.close(resolve)));

function start(): {
  child: ChildProcess;
  output: () => string;
  url: Promise<string>;
  exit: Promise<number | null>;
} {
  const child = spawn(process.execPath, [flagon, "start", "--workers", "2", "--port", "0"], {
    cwd: here,
    env: { ...process.env, FLAGON_APP: "src/orders/app.ts", CATALOG_URL: catalogUrl, REDIS_URL: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const url = new Promise<string>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const found = /listening on (http:\/\/\S+) with 2 workers/.exec(output);
      if (found) resolve(found[1]!);
    };
    child.stdout.on("data", read);
    child.stderr.on("data", read);
    child.once("exit", () => reject(new Error(`flagon start exited before listening:\n${output}`)));
  });
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => output, url, exit };
}

/** One request on a connection of its own, so the cluster may hand it to either worker. */
async function healthPid(base: string): Promise<number> {
  const res = await fetch(new URL("/health", base), { headers: { connection: "close" } });
  return ((await res.json()) as { pid: number }).pid;
}

describe("flagon start --workers 2", () => {
  it("serves from both workers, and SIGTERM lets the request in flight finish", async () => {
    const run = start();
    try {
      const url = await run.url;
      const pids = new Set<number>();
      for (let i = 0; i < 100 && pids.size < 2; i++) pids.add(await healthPid(url));
      expect(pids.size).toBe(2);
      expect(run.output()).toMatch(new RegExp(`worker ${[...pids][0]} listening`));

      const inFlight = fetch(new URL("/orders", url), {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ productId: 1, quantity: 3 }),
      });
      await new Promise((resolve) => setTimeout(resolve, 200)); // the order now waits on the catalog
      run.child.kill("SIGTERM");
      const res = await inFlight;
      expect(res.status).toBe(201);
      expect(await res.json()).toMatchObject({ quantity: 3, totalCents: 3 * PRODUCTS[0]!.priceCents });
      expect(await run.exit).toBe(0);
      await expect(fetch(new URL("/health", url))).rejects.toThrow(); // nothing listens any more
    } finally {
      if (run.child.exitCode === null) run.child.kill("SIGKILL");
    }
  }, 60_000);
});
