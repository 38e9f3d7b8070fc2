// Failed-login limits per account and per client IP, in fixed windows. Counters live in a Keyv
// store (Redis in production) behind a deadline; when the store fails, an in-process limiter
// takes over — it fails closed: limits still apply, they are never lifted by an outage.
import { HttpError, type Context } from "@flagon/core";
import type Keyv from "keyv";

export interface LimiterSettings {
  /** Failed logins allowed per account per window. */
  readonly perAccount: number;
  /** Failed logins allowed per client IP per window. */
  readonly perIp: number;
  /** Window length in seconds. */
  readonly window: number;
  /** Milliseconds a store call may take before the in-process counters are used instead. */
  readonly deadline: number;
}

interface Counter {
  count: number;
  resetAt: number;
}

export type LimiterOutage = (event: "down" | "up", error?: unknown) => void;

export class Limiter {
  private readonly local = new Map<string, Counter>();
  private down = false;

  constructor(
    readonly settings: LimiterSettings,
    private readonly store: Keyv | undefined,
    private readonly onOutage: LimiterOutage = () => undefined,
    private readonly now: () => number = Date.now,
  ) {
    store?.on("error", (error: unknown) => this.mark(true, error));
  }

  private keys(ctx: Context, account: string | undefined): string[] {
    const keys = [`ip:${ctx.request.ip ?? "unknown"}`];
    if (account !== undefined && account !== "") keys.push(`account:${account.trim().toLowerCase()}`);
    return keys;
  }

  private limitOf(key: string): number {
    return key.startsWith("ip:") ? this.settings.perIp : this.settings.perAccount;
  }

  /**
   * Throws a 429 with Retry-After when the account or the IP has no attempts left; else
   * resolves to whether the account has failed logins counted (succeed() has some to clear).
   */
  async check(ctx: Context, account?: string): Promise<boolean> {
    let accountFailed = false;
    for (const key of this.keys(ctx, account)) {
      const counter = await this.read(key);
      if (counter !== undefined && key.startsWith("account:")) accountFailed = true;
      if (counter !== undefined && counter.count >= this.limitOf(key)) {
        const retryAfter = Math.max(1, Math.ceil((counter.resetAt - this.now()) / 1000));
        throw new HttpError(429, "too many failed logins; try again later", {
          headers: { "retry-after": String(retryAfter) },
        });
      }
    }
    return accountFailed;
  }

  /** Counts a failed login against the account and the IP. */
  async fail(ctx: Context, account?: string): Promise<void> {
    for (const key of this.keys(ctx, account)) {
      const now = this.now();
      const counter = (await this.read(key)) ?? { count: 0, resetAt: now + this.settings.window * 1000 };
      counter.count += 1;
      await this.write(key, counter);
    }
  }

  /** A successful login clears the account's count (the IP's stays). */
  async succeed(ctx: Context, account?: string): Promise<void> {
    if (account === undefined) return;
    const key = `account:${account.trim().toLowerCase()}`;
    this.local.delete(key);
    if (this.store !== undefined) await this.guard(() => this.store!.delete(key), false);
  }

  private async read(key: string): Promise<Counter | undefined> {
    const now = this.now();
    let counter: Counter | undefined;
    if (this.store !== undefined && !this.down) {
      const remote = await this.guard(() => this.store!.get<Counter>(key), FAILED);
      counter = remote === FAILED ? this.local.get(key) : (remote ?? undefined);
    } else {
      if (this.store !== undefined) await this.probe();
      counter = this.local.get(key);
    }
    if (counter !== undefined && counter.resetAt <= now) return undefined;
    return counter === undefined ? undefined : { ...counter };
  }

  private async write(key: string, counter: Counter): Promise<void> {
    // Always counted here too: if the store fails later, the limits carry on from these.
    this.local.set(key, { ...counter });
    this.sweep();
    if (this.store !== undefined && !this.down) {
      await this.guard(() => this.store!.set(key, counter, Math.max(1, counter.resetAt - this.now())), false);
    }
  }

  /** While down, one store call at a time checks whether it is back. */
  private probing: Promise<void> | undefined;
  private probe(): Promise<void> {
    this.probing ??= this.guard(() => this.store!.get("probe"), FAILED).then(() => {
      this.probing = undefined;
    });
    return this.probing;
  }

  private async guard<T>(call: () => Promise<T>, fallback: T | typeof FAILED): Promise<T | typeof FAILED> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<typeof FAILED>((resolve) => {
      timer = setTimeout(() => resolve(FAILED), this.settings.deadline);
    });
    try {
      const pending = call();
      pending.catch(() => undefined);
      const outcome = await Promise.race([pending, late]);
      this.mark(outcome === FAILED);
      return outcome === FAILED ? fallback : outcome;
    } catch (error) {
      this.mark(true, error);
      return fallback;
    } finally {
      clearTimeout(timer);
    }
  }

  private mark(failed: boolean, error?: unknown): void {
    if (failed === this.down) return;
    this.down = failed;
    this.onOutage(failed ? "down" : "up", error);
  }

  private sweep(): void {
    if (this.local.size < 10_000) return;
    const now = this.now();
    for (const [key, counter] of this.local) if (counter.resetAt <= now) this.local.delete(key);
    // Still full of live counters (an attack over many keys): drop the oldest.
    for (const key of this.local.keys()) {
      if (this.local.size < 10_000) break;
      this.local.delete(key);
    }
  }
}

const FAILED = Symbol("failed");
