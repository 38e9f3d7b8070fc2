// What the Redis suites share: where Redis is, whether it answers, unique namespaces, and
// polling for a condition with the time it took.
import net from "node:net";

export const REDIS = new URL(process.env["FLAGON_TEST_REDIS_URL"] ?? "redis://127.0.0.1:6379");

export const hasRedis = await new Promise<boolean>((resolve) => {
  const socket = net.connect({ host: REDIS.hostname, port: Number(REDIS.port), timeout: 1000 });
  const done = (ok: boolean) => {
    socket.destroy();
    resolve(ok);
  };
  socket.once("connect", () => done(true));
  socket.once("error", () => done(false));
  socket.once("timeout", () => done(false));
});

export function warnIfNoRedis(suite: string): void {
  if (!hasRedis) console.warn(`skipping ${suite}: nothing answers at ${REDIS.host}`);
}

export const unique = () => `flagon-test-${process.pid}-${Math.random().toString(36).slice(2)}`;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls `check` every `every` ms until it is true or `limit` ms have passed; gives the ms it
 * took, or Infinity when it never became true.
 */
export async function timeUntil(check: () => boolean | Promise<boolean>, limit: number, every = 25) {
  const started = performance.now();
  for (;;) {
    if (await check()) return performance.now() - started;
    if (performance.now() - started > limit) return Number.POSITIVE_INFINITY;
    await sleep(every);
  }
}
