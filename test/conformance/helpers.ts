// Shared assertions for the conformance suites (not a test file itself).
import "reflect-metadata";
import { expect } from "vitest";
import { Flagon, FlagonError } from "@flagon/core";

export type InjectResponse = Awaited<ReturnType<Flagon["inject"]>>;

export interface ProblemDetails {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: Array<{ location?: string; name?: string; path?: unknown[]; message?: string }>;
  [key: string]: unknown;
}

/** The single value of a response header (fails the test if it is absent). */
export function header(res: InjectResponse, name: string): string {
  const value = res.headers[name.toLowerCase()];
  expect(value, `response header ${name}`).toBeDefined();
  return Array.isArray(value) ? value.join(", ") : String(value);
}

/** All values of a (possibly repeated) response header, e.g. set-cookie. */
export function headerValues(res: InjectResponse, name: string): string[] {
  const value = res.headers[name.toLowerCase()];
  if (value === undefined) return [];
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

/** The `Allow` header as a sorted list; also checks it is written as "A, B, C". */
export function allowOf(res: InjectResponse): string[] {
  const raw = header(res, "allow");
  expect(raw).toMatch(/^[A-Z]+(, [A-Z]+)*$/);
  return raw.split(", ").sort();
}

/** Checks an RFC 9457 problem-details response and returns its body. */
export function expectProblem(res: InjectResponse, status: number): ProblemDetails {
  expect(res.statusCode).toBe(status);
  expect(header(res, "content-type")).toMatch(/^application\/problem\+json\b/);
  const body = res.json<ProblemDetails>();
  expect(body.status).toBe(status);
  expect(typeof body.title).toBe("string");
  return body;
}

/** True when a problem body names the parameter `name` (in `errors[].name` or in `detail`). */
export function problemNames(body: ProblemDetails, name: string): boolean {
  if (body.errors?.some((e) => e.name === name)) return true;
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return typeof body.detail === "string" && new RegExp(`(^|[^\\w-])${escaped}([^\\w-]|$)`).test(body.detail);
}

/**
 * Runs app set-up (construction, route registration) and `app.ready()`, and returns the
 * FlagonError that start-up failed with. Fails the test if start-up succeeds or fails with
 * anything other than a FlagonError.
 */
export async function startupError(build: () => Flagon): Promise<FlagonError> {
  let error: unknown;
  try {
    const app = build();
    await app.ready();
  } catch (e) {
    error = e;
  }
  expect(error, "start-up should fail").toBeInstanceOf(FlagonError);
  return error as FlagonError;
}

/** The error a synchronous call throws (fails the test if it does not throw). */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  expect.fail("expected the call to throw");
}

/** Keys currently on Object.prototype (own, incl. non-enumerable), for pollution checks. */
export function prototypeKeys(): string[] {
  return Reflect.ownKeys(Object.prototype).map(String).sort();
}
