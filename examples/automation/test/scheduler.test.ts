import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Scheduler } from "../src/scrape/scheduler.js";

const log = { warn: vi.fn() };

/** A job whose runs end when the test says so, recording when each started and ended. */
function controlledJob() {
  const runs: { start: number; end?: number; finish: (ok: boolean) => void }[] = [];
  let active = 0;
  let maxActive = 0;
  const job = () =>
    new Promise<string>((resolve, reject) => {
      active++;
      maxActive = Math.max(maxActive, active);
      const run = {
        start: Date.now(),
        end: undefined as number | undefined,
        finish: (ok: boolean) => {
          active--;
          run.end = Date.now();
          if (ok) resolve("done");
          else reject(new Error("index unreachable"));
        },
      };
      runs.push(run);
    });
  return { job, runs, maxActive: () => maxActive };
}

describe("Scheduler", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("never overlaps: a run longer than the interval delays the next, which starts an interval after it ends", async () => {
    const { job, runs, maxActive } = controlledJob();
    const scheduler = new Scheduler(job, { intervalMs: 1000, maxBackoffMs: 60_000, log });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(5000); // five intervals pass while the first run is still going
    expect(runs).toHaveLength(1);
    runs[0]!.finish(true);
    await vi.advanceTimersByTimeAsync(999);
    expect(runs).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toHaveLength(2);
    expect(runs[1]!.start - runs[0]!.end!).toBe(1000);
    runs[1]!.finish(true);
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs).toHaveLength(3);
    runs[2]!.finish(true);
    await scheduler.stop();
    expect(maxActive()).toBe(1);
  });

  it("runNow during a scheduled run joins it instead of starting a second one", async () => {
    const { job, runs, maxActive } = controlledJob();
    const scheduler = new Scheduler(job, { intervalMs: 1000, maxBackoffMs: 60_000, log });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(0);
    const joined = scheduler.runNow();
    expect(runs).toHaveLength(1);
    runs[0]!.finish(true);
    await expect(joined).resolves.toBe("done");
    await scheduler.stop();
    expect(maxActive()).toBe(1);
  });

  it("backs off after failed runs (interval · 2ⁿ, capped) and resets after a success", async () => {
    const { job, runs } = controlledJob();
    const scheduler = new Scheduler(job, { intervalMs: 1000, maxBackoffMs: 5000, log });
    scheduler.start();
    const gaps: number[] = [];
    const outcomes = [false, false, false, false, true, true];
    for (const [i, ok] of outcomes.entries()) {
      while (runs.length <= i) await vi.advanceTimersByTimeAsync(100);
      if (i > 0) gaps.push(runs[i]!.start - runs[i - 1]!.end!);
      runs[i]!.finish(ok);
    }
    await vi.advanceTimersByTimeAsync(0);
    expect(gaps).toEqual([2000, 4000, 5000, 5000, 1000]);
    expect(scheduler.failures).toBe(0);
    expect(log.warn).toHaveBeenCalledWith("scheduled run failed (index unreachable); next in 2000 ms");
    await scheduler.stop();
  });

  it("stop() waits for the run in progress and schedules nothing after it", async () => {
    const { job, runs } = controlledJob();
    const scheduler = new Scheduler(job, { intervalMs: 1000, maxBackoffMs: 5000, log });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(0);
    let stopped = false;
    const stopping = scheduler.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    runs[0]!.finish(true);
    await stopping;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(runs).toHaveLength(1);
  });
});
