import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { backoffDelay, retry } from "../src/resilience/backoff.js";

const options = { attempts: 4, baseMs: 100, maxMs: 300 };

describe("backoffDelay", () => {
  it("doubles its ceiling per retry up to maxMs, and jitters below it", () => {
    const top = { ...options, random: () => 0.9999 };
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, top))).toEqual([99, 199, 299, 299]);
    const half = { ...options, random: () => 0.5 };
    expect([1, 2, 3].map((n) => backoffDelay(n, half))).toEqual([50, 100, 150]);
    expect(backoffDelay(3, { ...options, random: () => 0 })).toBe(0);
  });
});

describe("retry", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("waits the backoff before each retry and returns the first success", async () => {
    const calls: number[] = [];
    const attempt = vi.fn(async (n: number) => {
      calls.push(Date.now());
      if (n < 3) throw new Error(`fail ${n}`);
      return "ok";
    });
    const result = retry(attempt, { ...options, random: () => 0.5, shouldRetry: () => true });
    await vi.advanceTimersByTimeAsync(0);
    expect(attempt).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(49);
    expect(attempt).toHaveBeenCalledTimes(1); // the first wait is 50 ms
    await vi.advanceTimersByTimeAsync(1);
    expect(attempt).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(99);
    expect(attempt).toHaveBeenCalledTimes(2); // the second is 100 ms
    await vi.advanceTimersByTimeAsync(1);
    await expect(result).resolves.toBe("ok");
    expect(calls.map((t) => t - calls[0]!)).toEqual([0, 50, 150]);
  });

  it("stops after the last attempt and throws its error", async () => {
    const attempt = vi.fn((n: number) => Promise.reject(new Error(`fail ${n}`)));
    const result = retry(attempt, { ...options, random: () => 1 - 1e-9, shouldRetry: () => true });
    const settled = expect(result).rejects.toThrow("fail 4");
    await vi.runAllTimersAsync();
    await settled;
    expect(attempt).toHaveBeenCalledTimes(4);
  });

  it("does not retry an error the predicate refuses", async () => {
    const attempt = vi.fn(() => Promise.reject(new Error("404")));
    await expect(retry(attempt, { ...options, shouldRetry: () => false })).rejects.toThrow("404");
    expect(attempt).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("refuses a number of attempts below 1", async () => {
    await expect(
      retry(() => Promise.resolve(1), { ...options, attempts: 0, shouldRetry: () => true }),
    ).rejects.toThrow("attempts must be an integer of at least 1, got 0");
  });
});
