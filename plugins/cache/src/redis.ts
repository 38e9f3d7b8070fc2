// The stores the options name: the LRU in this process, Redis behind deadlines, or both (a
// local tier in front of Redis, kept coherent across instances by pub/sub).
import { createKeyv, type RedisClientOptions } from "@keyv/redis";
import type { Flagon } from "@flagon/core";
import { RedisBus } from "./bus.js";
import { type CacheStore, KeyvStore, MemoryStore, type OutageListener } from "./stores.js";
import { TieredStore } from "./tiers.js";

export interface StoreOptions {
  readonly url?: string | undefined;
  readonly namespace: string;
  readonly deadline: number;
  readonly memory: { readonly maxEntries: number; readonly maxBytes: number };
  readonly local?:
    { readonly maxEntries: number; readonly maxBytes: number; readonly ttl: number } | undefined;
}

/** The Redis pub/sub channel a namespace's instances announce their writes on. */
export const channelOf = (namespace: string): string => `flagon-cache:${namespace}:invalidate`;

/** The LRU, Redis behind deadlines, or the LRU in front of Redis (`local`). */
export function createStore(app: Flagon, options: StoreOptions): CacheStore {
  if (options.url === undefined) return new MemoryStore(options.memory);
  const client: RedisClientOptions = {
    url: options.url,
    // Fail at once while disconnected instead of queueing: the deadline turns it into a miss.
    disableOfflineQueue: true,
    commandsQueueMaxLength: 1000,
    socket: {
      connectTimeout: Math.max(options.deadline, 1000),
      reconnectStrategy: (attempts: number) => Math.min(50 * 2 ** attempts, 1000),
    },
  };
  const keyv = createKeyv(client, {
    namespace: options.namespace,
    throwOnErrors: true,
    connectionTimeout: options.deadline,
  });
  const shown = options.url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
  const remote = new KeyvStore(
    keyv,
    options.deadline,
    logOutage(
      app,
      `${shown} is unavailable; every lookup is a miss until it answers again`,
      `${shown} is back`,
    ),
  );
  if (options.local === undefined) return remote;
  const bus = new RedisBus(
    client,
    channelOf(options.namespace),
    options.deadline,
    logOutage(
      app,
      `invalidations from ${shown} are not arriving; local copies live ${options.local.ttl} s at most`,
      `invalidations from ${shown} arrive again; the local tier was emptied`,
    ),
  );
  const local = new MemoryStore({ maxEntries: options.local.maxEntries, maxBytes: options.local.maxBytes });
  return new TieredStore(local, remote, bus, options.local.ttl * 1000);
}

/** One warning when a connection is lost, one line when it is back: once per outage. */
function logOutage(app: Flagon, down: string, up: string): OutageListener {
  return (event, error) => {
    if (event === "down") {
      app.log.warn({ err: error instanceof Error ? error.message : String(error) }, `@flagon/cache: ${down}`);
    } else {
      app.log.info(`@flagon/cache: ${up}`);
    }
  };
}
