import "reflect-metadata";
// Shared by the hook and plugin suites (not a test file itself).
import { Writable } from "node:stream";
import { pino, type Logger } from "pino";
import { expect } from "vitest";
import { Flagon, FlagonError } from "@flagon/core";

/** A pino logger whose lines are kept, parsed, for assertions. */
export function collectingLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      for (const line of String(chunk).split("\n")) {
        if (line.trim() !== "") lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { logger: pino({ level: "info" }, stream), lines };
}

/** True when some logged line at error level or above mentions `text` (in msg, err, anywhere). */
export function loggedError(lines: ReadonlyArray<Record<string, unknown>>, text: string): boolean {
  return lines.some((line) => Number(line["level"]) >= 50 && JSON.stringify(line).includes(text));
}

/**
 * Runs set-up (which may throw synchronously: addHook, a decorator) and `ready()`, and returns
 * the FlagonError it failed with. Fails the test when start-up succeeds.
 */
export async function setupError(build: () => Flagon | Promise<Flagon>): Promise<FlagonError> {
  let error: unknown;
  try {
    const app = await build();
    await app.ready();
  } catch (e) {
    error = e;
  }
  expect(error, "set-up should fail").toBeInstanceOf(FlagonError);
  return error as FlagonError;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** `app.plugins` (registered plugins: name → version) as a plain object. */
export function pluginList(app: Flagon): Record<string, string | undefined> {
  return Object.fromEntries(app.plugins);
}
