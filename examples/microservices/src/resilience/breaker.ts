/** `closed`: calls go through. `open`: calls fail at once. `half-open`: one probe call goes through. */
export type BreakerState = "closed" | "open" | "half-open";

export interface BreakerOptions {
  /** Consecutive failures that open the breaker. */
  readonly failureThreshold: number;
  /** How long it stays open before letting one probe through, in ms. */
  readonly openMs: number;
  /** The clock, `Date.now` unless a test drives it. */
  readonly now?: () => number;
  /** Told of every change of state (to log it). */
  readonly onChange?: (from: BreakerState, to: BreakerState) => void;
}

/** Thrown instead of calling when the breaker is open (or a probe is already out). */
export class BreakerOpenError extends Error {
  override name = "BreakerOpenError";
  constructor(
    readonly service: string,
    /** Milliseconds until a probe may go through. */
    readonly retryInMs: number,
  ) {
    super(`${service} is unavailable (circuit open); retry in ${Math.ceil(retryInMs / 1000)} s`);
  }
}

/**
 * A circuit breaker: after `failureThreshold` failures in a row it opens, and calls fail at once
 * without touching the service; after `openMs` one probe goes through (half-open). A probe that
 * succeeds closes it, one that fails opens it again for another `openMs`.
 */
export class CircuitBreaker {
  #state: BreakerState = "closed";
  #failures = 0;
  #openedAt = 0;
  #probing = false;
  readonly #now: () => number;

  constructor(
    readonly service: string,
    private readonly options: BreakerOptions,
  ) {
    if (!Number.isInteger(options.failureThreshold) || options.failureThreshold < 1) {
      throw new RangeError(
        `breaker: failureThreshold must be an integer of at least 1, got ${options.failureThreshold}`,
      );
    }
    this.#now = options.now ?? Date.now;
  }

  /** The state now: an open breaker whose time is up reads as half-open. */
  get state(): BreakerState {
    if (this.#state === "open" && this.retryInMs() === 0) return "half-open";
    return this.#state;
  }

  /** Milliseconds until an open breaker lets a probe through (0 when it is not open). */
  retryInMs(): number {
    if (this.#state !== "open") return 0;
    return Math.max(0, this.#openedAt + this.options.openMs - this.#now());
  }

  /** Runs `call` unless the breaker is open; counts its outcome (`isFailure` says which errors count). */
  async run<T>(call: () => Promise<T>, isFailure: (error: unknown) => boolean = () => true): Promise<T> {
    const state = this.state;
    if (state === "open") throw new BreakerOpenError(this.service, this.retryInMs());
    if (state === "half-open") {
      if (this.#probing) throw new BreakerOpenError(this.service, this.options.openMs);
      this.#probing = true;
      this.#move("half-open");
    }
    try {
      const result = await call();
      this.#succeeded();
      return result;
    } catch (error) {
      if (isFailure(error)) this.#failed();
      else this.#succeeded();
      throw error;
    } finally {
      if (state === "half-open") this.#probing = false;
    }
  }

  #succeeded(): void {
    this.#failures = 0;
    this.#move("closed");
  }

  #failed(): void {
    this.#failures++;
    if (this.#state === "half-open" || this.#failures >= this.options.failureThreshold) {
      this.#openedAt = this.#now();
      this.#move("open");
    }
  }

  #move(to: BreakerState): void {
    const from = this.#state;
    if (from === to) return;
    this.#state = to;
    this.options.onChange?.(from, to);
  }
}
