import "reflect-metadata";
// RELIABILITY row 33, every internal cache bounded, for real: the fixture app runs as a child
// process with --expose-gc and gets 100k distinct Accept, Content-Type and Host values and 100k
// distinct paths (404s); its heap after a full GC must be where it was. The audit of every
// Map/Set/cache in core/src that input could grow is in this folder's README.
import { afterEach, describe, expect, it } from "vitest";
import { blast, coreBuilt, envNumber, mib, MiB, notBuiltReason, report, servers } from "./helpers.js";

if (!coreBuilt) console.warn(`skipped the reliability cache test: ${notBuiltReason}`);

const running = servers();
afterEach(() => running.cleanup());

const DISTINCT = envNumber("CACHE_DISTINCT", 100_000);

function* notFound(count: number, salt: string): Generator<string> {
  for (let i = 0; i < count; i++) {
    yield (
      `GET /missing-${salt}-${i}/x${(i * 7919).toString(36)} HTTP/1.1\r\n` +
      `Host: h${i}-${salt}.example:${1000 + (i % 60000)}\r\n` +
      `Accept: application/x-${salt}${i}+json;q=0.${i % 10}, text/html;level=${i}, */*;q=0.1\r\n\r\n`
    );
  }
}

function* distinctContentTypes(count: number, salt: string): Generator<string> {
  for (let i = 0; i < count; i++) {
    const body = `{"i":${i}}`;
    yield (
      `POST /echo HTTP/1.1\r\nHost: c${i}-${salt}.example\r\n` +
      `Accept: application/vnd.${salt}${i}+json\r\n` +
      `Content-Type: application/vnd.${salt}-${i}+json; charset=utf-8; p${i}=${i}\r\n` +
      `Content-Length: ${body.length}\r\n\r\n${body}`
    );
  }
}

const LEAK_CONTROL = 30_000;

function* leakRequests(count: number): Generator<string> {
  for (let i = 0; i < count; i++) {
    yield `GET /__leak HTTP/1.1\r\nHost: leak.example\r\nAccept: application/x-control-${i}+json;q=0.${i % 10}\r\n\r\n`;
  }
}

describe.skipIf(!coreBuilt)("row 33: bounded caches", () => {
  it(
    `33: ${DISTINCT} distinct Accept / Content-Type / Host values and ${DISTINCT} distinct 404 paths keep the heap flat`,
    { timeout: 120_000 },
    async () => {
      const server = await running.start({ nodeArgs: ["--expose-gc"], features: ["leak"] });
      // Warm-up: JIT, lazily built structures, pino's buffers.
      await blast(server.port, notFound(5000, "warm"));
      await blast(server.port, distinctContentTypes(5000, "warm"));
      const before = await server.stats({ gc: true });

      const t0 = Date.now();
      const missing = await blast(server.port, notFound(DISTINCT, "run"));
      const typed = await blast(server.port, distinctContentTypes(DISTINCT, "run"));
      const seconds = (Date.now() - t0) / 1000;
      const after = await server.stats({ gc: true });

      const growth = after.heapUsed - before.heapUsed;
      report(
        33,
        `${2 * DISTINCT} requests in ${seconds.toFixed(1)} s (${DISTINCT} distinct 404 paths + Accept + Host; ` +
          `${DISTINCT} distinct Content-Types + Accept + Host): heapUsed after full GC ${mib(before.heapUsed)} → ` +
          `${mib(after.heapUsed)} (${growth >= 0 ? "+" : ""}${(growth / MiB).toFixed(2)} MiB), RSS ${mib(before.rss)} → ${mib(after.rss)}`,
      );
      expect(Object.fromEntries(missing)).toEqual({ 404: DISTINCT });
      expect(Object.fromEntries(typed)).toEqual({ 200: DISTINCT });
      // 100k retained entries of even 50 bytes each would be +5 MiB; flat is within GC noise.
      expect(growth).toBeLessThan(2 * MiB);

      // Positive control: the same measurement does see a cache keyed by input (/__leak keeps
      // every Accept value it is sent), so "flat" above is a finding, not a blind spot.
      const leak = await blast(server.port, leakRequests(LEAK_CONTROL));
      const leaked = await server.stats({ gc: true });
      const leakGrowth = leaked.heapUsed - after.heapUsed;
      report(
        33,
        `positive control: ${LEAK_CONTROL} requests to a route that keeps each Accept value → +${(leakGrowth / MiB).toFixed(2)} MiB`,
      );
      expect(Object.fromEntries(leak)).toEqual({ 200: LEAK_CONTROL });
      expect(leakGrowth).toBeGreaterThan(2 * MiB);
    },
  );
});
