import "reflect-metadata";
// RELIABILITY row 26, streaming backpressure, for real: the fixture app (a child process) streams
// 1 GiB generated on the fly (GET /gib, a `stream()` over an async generator) to a raw socket
// that stops reading. The row asks for 30 s without reading; CI waits BACKPRESSURE_SECONDS
// (default 10 s: the producer stalls within the first second, so 30 s only costs CI time). Then
// the client reads the whole GiB, to show the stream was paused, not broken.
// test/socket/streaming.test.ts covers the same in-process (the producer stalls, a disconnect
// runs the generator's finally).
import net from "node:net";
import { performance } from "node:perf_hooks";
import { afterEach, describe, expect, it } from "vitest";
import { coreBuilt, envNumber, HOST, mib, MiB, notBuiltReason, report, servers, sleep } from "./helpers.js";

if (!coreBuilt) console.warn(`skipped the reliability backpressure test: ${notBuiltReason}`);

const running = servers();
afterEach(() => running.cleanup());

const PAUSE_SECONDS = envNumber("BACKPRESSURE_SECONDS", 10);
const GiB = 1024 * MiB;

describe.skipIf(!coreBuilt)("row 26: streaming backpressure", () => {
  it(
    `26: 1 GiB streamed to a client that does not read for ${PAUSE_SECONDS} s → RSS growth < 64 MiB, producer paused`,
    { timeout: (PAUSE_SECONDS + 60) * 1000 },
    async () => {
      const server = await running.start({ features: ["gib"] });
      await server.stats(); // warm the stats route itself
      const base = await server.stats({ gc: false, resetPeak: true });

      const socket = net.connect({ port: server.port, host: HOST });
      let received = 0;
      let tail: Buffer = Buffer.alloc(0);
      const ended = new Promise<void>((resolve, reject) => {
        socket.on("end", resolve);
        socket.on("error", reject);
      });
      socket.on("data", (chunk: Buffer) => {
        received += chunk.length;
        tail = Buffer.concat([tail, chunk]).subarray(-16);
      });
      await new Promise<void>((resolve) => socket.once("connect", resolve));
      socket.pause(); // the client stops reading: only the kernel's socket buffers fill
      socket.write(`GET /gib HTTP/1.1\r\nHost: ${HOST}\r\nConnection: close\r\n\r\n`);

      const samples: Array<{ t: number; produced: number; rss: number }> = [];
      const t0 = performance.now();
      for (let s = 1; s <= PAUSE_SECONDS; s++) {
        await sleep(t0 + s * 1000 - performance.now());
        const stats = await server.stats();
        samples.push({ t: s, produced: stats.produced, rss: stats.peakRss });
      }
      const during = await server.stats();
      const half = samples[Math.floor(samples.length / 2) - 1] ?? samples[0]!;
      const last = samples[samples.length - 1]!;
      const growth = during.peakRss - base.rss;
      report(
        26,
        `client not reading for ${PAUSE_SECONDS} s: produced ${mib(samples[0]!.produced)} after 1 s, ${mib(half.produced)} after ${half.t} s, ` +
          `${mib(last.produced)} after ${last.t} s of 1024 MiB; peak RSS ${mib(during.peakRss)} (growth ${mib(growth)}, target < 64 MiB)`,
      );
      expect(growth).toBeLessThan(64 * MiB);
      // Paused: nothing more was produced in the second half of the wait (one chunk of slack).
      expect(last.produced - half.produced).toBeLessThanOrEqual(64 * 1024);
      expect(last.produced).toBeLessThan(64 * MiB);

      // Now read everything: the stream resumes and completes.
      const r0 = performance.now();
      await server.stats({ resetPeak: true });
      socket.resume();
      await ended;
      const seconds = (performance.now() - r0) / 1000;
      const after = await server.stats();
      report(
        26,
        `then read ${mib(received)} in ${seconds.toFixed(1)} s (${(received / MiB / seconds).toFixed(0)} MiB/s); ` +
          `peak RSS while streaming ${mib(after.peakRss)} (growth ${mib(after.peakRss - base.rss)})`,
      );
      expect(after.produced).toBe(GiB);
      expect(received).toBeGreaterThan(GiB);
      expect(tail.toString("latin1").endsWith("0\r\n\r\n")).toBe(true); // the chunked body ended cleanly
      expect(after.peakRss - base.rss).toBeLessThan(64 * MiB);
      socket.destroy();
    },
  );
});
