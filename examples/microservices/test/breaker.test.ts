import { describe, expect, it } from "vitest";
import { BreakerOpenError, type BreakerState, CircuitBreaker } from "../src/resilience/breaker.js";

function setup() {
  let now = 1_000;
  const changes: string[] = [];
  const breaker = new CircuitBreaker("catalog", {
    failureThreshold: 3,
    openMs: 500,
    now: () => now,
    onChange: (from: BreakerState, to: BreakerState) => changes.push(`${from}→${to}`),
  });
  let calls = 0;
  const fail = () => breaker.run(() => (calls++, Promise.reject(new Error("down"))));
  const pass = () => breaker.run(() => (calls++, Promise.resolve("up")));
  return { breaker, changes, fail, pass, calls: () => calls, advance: (ms: number) => (now += ms) };
}

describe("CircuitBreaker", () => {
  it("opens after failureThreshold consecutive failures, then fails fast without calling", async () => {
    const { breaker, fail, calls } = setup();
    for (let i = 0; i < 3; i++) await expect(fail()).rejects.toThrow("down");
    expect(breaker.state).toBe("open");
    for (let i = 0; i < 5; i++) await expect(fail()).rejects.toBeInstanceOf(BreakerOpenError);
    expect(calls()).toBe(3);
    expect(breaker.retryInMs()).toBe(500);
  });

  it("counts only consecutive failures: a success in between resets the count", async () => {
    const { breaker, fail, pass } = setup();
    await expect(fail()).rejects.toThrow();
    await expect(fail()).rejects.toThrow();
    await pass();
    await expect(fail()).rejects.toThrow();
    await expect(fail()).rejects.toThrow();
    expect(breaker.state).toBe("closed");
  });

  it("lets one probe through after openMs; a success closes it", async () => {
    const { breaker, changes, fail, pass, calls, advance } = setup();
    for (let i = 0; i < 3; i++) await expect(fail()).rejects.toThrow();
    advance(499);
    await expect(pass()).rejects.toBeInstanceOf(BreakerOpenError);
    advance(1);
    expect(breaker.state).toBe("half-open");
    await expect(pass()).resolves.toBe("up");
    expect(breaker.state).toBe("closed");
    expect(calls()).toBe(4);
    expect(changes).toEqual(["closed→open", "open→half-open", "half-open→closed"]);
  });

  it("a failed probe opens it again for another openMs", async () => {
    const { breaker, fail, advance } = setup();
    for (let i = 0; i < 3; i++) await expect(fail()).rejects.toThrow();
    advance(500);
    await expect(fail()).rejects.toThrow("down");
    expect(breaker.state).toBe("open");
    expect(breaker.retryInMs()).toBe(500);
  });

  it("lets a single probe out at a time while half-open", async () => {
    const { breaker, fail, advance } = setup();
    for (let i = 0; i < 3; i++) await expect(fail()).rejects.toThrow();
    advance(500);
    let release!: () => void;
    const probe = breaker.run(() => new Promise<void>((resolve) => (release = resolve)));
    await expect(breaker.run(() => Promise.resolve())).rejects.toBeInstanceOf(BreakerOpenError);
    release();
    await probe;
    expect(breaker.state).toBe("closed");
  });

  it("does not count errors that isFailure excludes", async () => {
    const { breaker } = setup();
    for (let i = 0; i < 5; i++) {
      await expect(
        breaker.run(
          () => Promise.reject(new Error("404")),
          () => false,
        ),
      ).rejects.toThrow("404");
    }
    expect(breaker.state).toBe("closed");
  });
});
