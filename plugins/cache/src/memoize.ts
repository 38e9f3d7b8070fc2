// @Memoize(): a service method's results cached by its arguments, through the Cache the
// service holds; invalidate(cache, method, ...args) forgets one result.
import { Cache } from "./cache.js";

export interface MemoizeOptions {
  /** Seconds a result is fresh (default: the cache's `ttl`). */
  readonly ttl?: number;
  /** Tags to invalidate the results by. */
  readonly tags?: readonly string[];
  /** The key for a call's arguments (default: their JSON). */
  readonly key?: (...args: never[]) => string;
}

const MEMO = Symbol("flagon.cache.memoize");

interface Memoized {
  readonly [MEMO]: { readonly prefix: string; readonly key: (args: unknown[]) => string };
}

const argsKey = (args: unknown[]): string => JSON.stringify(args);

/**
 * Caches what the method resolves to, per arguments. The class must hold the Cache (inject it
 * in the constructor). Concurrent calls with the same arguments run the method once.
 */
export function Memoize(options: MemoizeOptions = {}): MethodDecorator {
  return (target, key, descriptor) => {
    const method = descriptor.value as unknown;
    if (typeof method !== "function")
      throw new TypeError(`@Memoize() decorates methods, and ${String(key)} is not one`);
    const original = method as (...args: unknown[]) => unknown;
    const prefix = `memo:${(target as { constructor: { name: string } }).constructor.name}.${String(key)}`;
    const toKey =
      options.key === undefined
        ? argsKey
        : (args: unknown[]) => (options.key as (...a: unknown[]) => string)(...args);
    const wrapped = function (this: unknown, ...args: unknown[]): Promise<unknown> {
      const cache = cacheOf(this, prefix);
      return cache.wrap(`${prefix}:${toKey(args)}`, () => original.apply(this, args), {
        ...(options.ttl === undefined ? {} : { ttl: options.ttl }),
        ...(options.tags === undefined ? {} : { tags: options.tags }),
      });
    };
    Object.defineProperty(wrapped, "name", { value: original.name });
    Object.defineProperty(wrapped, MEMO, { value: { prefix, key: toKey } });
    descriptor.value = wrapped as never;
    return descriptor;
  };
}

function cacheOf(instance: unknown, prefix: string): Cache {
  if (typeof instance === "object" && instance !== null) {
    for (const value of Object.values(instance)) if (value instanceof Cache) return value;
  }
  throw new Error(
    `@Memoize() on ${prefix.slice(5)} needs the class to hold the Cache: inject it in its constructor`,
  );
}

/** Forgets the result of `method(...args)`: `await invalidate(cache, posts.byAuthor, "ann")`. */
export async function invalidate(cache: Cache, method: unknown, ...args: unknown[]): Promise<void> {
  const memo = (method as Partial<Memoized> | null)?.[MEMO];
  if (memo === undefined) throw new TypeError("invalidate() takes a method decorated with @Memoize()");
  await cache.delete(`${memo.prefix}:${memo.key(args)}`);
}
