import type { Keyv } from "keyv";
import { ErrorCodes, FlagonError } from "../errors/codes.js";

/** Most Redis commands that may wait for replies at once; more fail at once (no unbounded queue). */
const MAX_QUEUED_COMMANDS = 1000;

export interface RedisSessionStore {
  readonly store: Keyv;
  readonly close: () => Promise<void>;
}

/**
 * A Keyv store on Redis through the optional peer `@keyv/redis`, set up to fail fast: errors
 * throw instead of reading as a miss, commands are not queued while disconnected, the wait queue
 * is bounded, connecting has a deadline, and reconnecting backs off to at most one second so the
 * store recovers within seconds of Redis coming back.
 */
export async function redisStore(
  config: { redis: string; namespace?: string },
  timeoutMs: number,
): Promise<RedisSessionStore> {
  let redis: typeof import("@keyv/redis");
  try {
    redis = await import("@keyv/redis");
  } catch (error) {
    throw new FlagonError(
      ErrorCodes.INVALID_CONFIG,
      "config.session.store { redis } needs the @keyv/redis package: npm install @keyv/redis",
      { cause: error },
    );
  }
  const store = redis.createKeyv(
    {
      url: config.redis,
      disableOfflineQueue: true,
      commandsQueueMaxLength: MAX_QUEUED_COMMANDS,
      socket: {
        connectTimeout: Math.max(timeoutMs, 1000),
        reconnectStrategy: (attempts: number) => Math.min(50 * 2 ** attempts, 1000),
      },
    },
    {
      namespace: config.namespace ?? "flagon",
      throwOnErrors: true,
      throwOnConnectError: true,
      connectionTimeout: timeoutMs,
    },
  );
  const adapter = store.store as { disconnect(force?: boolean): Promise<void> };
  return {
    store,
    // Forced: a polite QUIT would wait for a reply that a hung server never sends.
    close: () => adapter.disconnect(true).catch(() => undefined),
  };
}
