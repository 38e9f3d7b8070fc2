// Password hashing with argon2id at OWASP's parameters, behind a small queue: hashing is heavy
// on purpose, and a login flood must not take every thread of the pool from the rest of the app.
import { availableParallelism } from "node:os";
import { hash, type Options, verify } from "@node-rs/argon2";

/** OWASP's argon2id minimum: 19 MiB of memory, 2 passes, 1 lane. */
// `algorithm: 2` is Argon2id (the package's const enum cannot be imported under isolatedModules).
export const ARGON2_PARAMS: Options = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/**
 * Hashes at most this many at once per process; the others wait their turn. By default one
 * core is left to the event loop: 1 on one or two cores, 2 from three (libuv's pool has 4
 * threads, fs and dns keep theirs). Measured on 2 cores with the server pinned to one: at 50
 * logins/s, /health p99 was 34 ms with 1 and 109 ms with 2 (test/bench/auth.ts).
 */
let limit = Math.max(1, Math.min(2, availableParallelism() - 1));
let running = 0;
const waiting: Array<() => void> = [];

/** Sets how many hashes run at once (see the default above). */
export function setHashConcurrency(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError("hash concurrency is a whole number from 1");
  limit = n;
}

async function queued<T>(work: () => Promise<T>): Promise<T> {
  if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/** An argon2id hash of the password, in the PHC string format (`$argon2id$v=19$m=19456,t=2,p=1$…`). */
export function hashPassword(password: string): Promise<string> {
  if (typeof password !== "string" || password === "")
    throw new TypeError("hashPassword() needs a non-empty string");
  return queued(() => hash(password, ARGON2_PARAMS));
}

/**
 * Whether the password matches the hash. A missing hash (an unknown user) is checked against a
 * fixed hash all the same, so that "no such user" takes as long as "wrong password".
 */
export async function verifyPassword(stored: string | null | undefined, password: string): Promise<boolean> {
  const target = typeof stored === "string" && stored.startsWith("$argon2") ? stored : await dummyHash();
  let ok: boolean;
  try {
    ok = await queued(() => verify(target, typeof password === "string" ? password : ""));
  } catch {
    ok = false;
  }
  return ok && target === stored;
}

/** Whether a hash was made with weaker parameters than today's (rehash it at the next login). */
export function needsRehash(stored: string): boolean {
  const match = /^\$argon2(id|i|d)\$v=(\d+)\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(stored);
  if (match === null) return true;
  const [, variant, version, m, t] = match;
  return (
    variant !== "id" ||
    Number(version) < 19 ||
    Number(m) < (ARGON2_PARAMS.memoryCost ?? 0) ||
    Number(t) < (ARGON2_PARAMS.timeCost ?? 0)
  );
}

let dummy: Promise<string> | undefined;

/** A hash of a random password, made once, verified against when there is no user. */
function dummyHash(): Promise<string> {
  dummy ??= hash(`no such user ${Math.random()}`, ARGON2_PARAMS);
  return dummy;
}
