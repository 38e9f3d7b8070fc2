import { describe, expect, it } from "vitest";
import { UsageError } from "./io.js";
import { listenTarget } from "./listen-options.js";
import { workerCount } from "./start.js";

describe("--port and --host", () => {
  it("default to $PORT and $HOST, else 3000 on 127.0.0.1", () => {
    expect(listenTarget({}, {})).toEqual({ port: 3000, host: "127.0.0.1" });
    expect(listenTarget({}, { PORT: "8080", HOST: "0.0.0.0" })).toEqual({ port: 8080, host: "0.0.0.0" });
    expect(listenTarget({ port: "0", host: "::1" }, { PORT: "8080" })).toEqual({ port: 0, host: "::1" });
  });

  it.each([["-1"], ["65536"], ["80a"], ["1e3"], [""], ["3.5"]])("refuses the port %j", (port) => {
    expect(() => listenTarget({ port }, {})).toThrow(UsageError);
    expect(() => listenTarget({ port }, {})).toThrow(/--port must be a whole number from 0 to 65535/);
  });

  it("names $PORT when the bad value came from it", () => {
    expect(() => listenTarget({}, { PORT: "http" })).toThrow(/^PORT must be/);
  });
});

describe("--workers", () => {
  it("defaults to $WEB_CONCURRENCY, else 1; auto is one per CPU", () => {
    expect(workerCount(undefined, {})).toBe(1);
    expect(workerCount(undefined, { WEB_CONCURRENCY: "3" })).toBe(3);
    expect(workerCount("2", { WEB_CONCURRENCY: "3" })).toBe(2);
    expect(workerCount("auto", {})).toBeGreaterThanOrEqual(1);
  });

  it.each([["0"], ["-2"], ["two"], ["1.5"], ["2000"]])("refuses %j", (value) => {
    expect(() => workerCount(value, {})).toThrow(/--workers must be a number of processes from 1 to 1024/);
  });
});
