/** How `retry` waits between attempts: exponential growth from `baseMs`, capped, with jitter. */
export interface BackoffOptions {
  /** Attempts in all, the first one included (1 means no retry). */
  readonly attempts: number;
  /** The ceiling of the first wait, in ms; each later ceiling doubles. */
  readonly baseMs: number;
  /** No wait is longer than this, in ms. */
  readonly maxMs: number;
  /** A number in [0, 1); `Math.random` unless a test fixes it. */
  readonly random?: () => number;
}

/**
 * The wait before retry number `retry` (1 for the first retry): "full jitter", a random time
 * between 0 and `min(maxMs, baseMs * 2^(retry-1))`, so that clients that failed together do
 * not come back together.
 */
export function backoffDelay(retry: number, options: BackoffOptions): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** (retry - 1));
  return Math.floor((options.random ?? Math.random)() * ceiling);
}

/** Decides whether an error is worth another attempt (a refused connection is; a 404 is not). */
export type RetryPredicate = (error: unknown) => boolean;

/**
 * Runs `attempt` until it succeeds, `shouldRetry` says no, or the attempts are spent; waits
 * `backoffDelay` between attempts. Only give it idempotent work: a retried POST may run twice.
 * `signal` stops the waiting (the last error is thrown).
 */
export async function retry<T>(
  attempt: (n: number) => Promise<T>,
  options: BackoffOptions & { readonly shouldRetry: RetryPredicate; readonly signal?: AbortSignal },
): Promise<T> {
  if (!Number.isInteger(options.attempts) || options.attempts < 1) {
    throw new RangeError(`retry: attempts must be an integer of at least 1, got ${options.attempts}`);
  }
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (n >= options.attempts || !options.shouldRetry(error) || options.signal?.aborted) throw error;
      await sleep(backoffDelay(n, options), options.signal);
    }
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}
