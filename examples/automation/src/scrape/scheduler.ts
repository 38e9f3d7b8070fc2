import type { Flagon } from "@flagon/core";

export interface SchedulerOptions {
  /** ms from the end of one pass to the start of the next. */
  readonly intervalMs: number;
  /** The longest wait after failed passes, in ms. */
  readonly maxBackoffMs: number;
  readonly log: Pick<Flagon["log"], "warn">;
}

/**
 * Runs a job every `intervalMs`, never two at once: the next run is scheduled when the current
 * one ends, and `runNow()` during a run joins it instead of starting another. After n failed
 * runs in a row the wait is `intervalMs · 2ⁿ`, at most `maxBackoffMs`; a success resets it.
 */
export class Scheduler<T> {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<T> | undefined;
  #stopped = true;
  #failures = 0;

  constructor(
    private readonly job: () => Promise<T>,
    private readonly options: SchedulerOptions,
  ) {}

  /** Failed runs in a row. */
  get failures(): number {
    return this.#failures;
  }

  /** Whether a run is in progress. */
  get running(): boolean {
    return this.#running !== undefined;
  }

  /** Starts the schedule: a first run at once, then one per interval. */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#schedule(0);
  }

  /** Runs the job now, or joins the run in progress. */
  runNow(): Promise<T> {
    this.#running ??= this.job().finally(() => (this.#running = undefined));
    return this.#running;
  }

  /** The wait before the next run. */
  nextDelay(): number {
    if (this.#failures === 0) return this.options.intervalMs;
    return Math.min(this.options.maxBackoffMs, this.options.intervalMs * 2 ** this.#failures);
  }

  /** Stops the schedule, and waits for a run in progress to end. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running?.catch(() => undefined);
  }

  #schedule(delay: number): void {
    this.#timer = setTimeout(() => {
      this.runNow()
        .then(
          () => (this.#failures = 0),
          (error: unknown) => {
            this.#failures++;
            const wait = this.nextDelay();
            this.options.log.warn(`scheduled run failed (${(error as Error).message}); next in ${wait} ms`);
          },
        )
        .finally(() => {
          if (!this.#stopped) this.#schedule(this.nextDelay());
        });
    }, delay);
  }
}
