import { Readable } from "node:stream";
import type { Logger } from "pino";
import { ErrorCodes, FlagonError } from "../errors/codes.js";
import type { Context } from "./context.js";
import { FlagonResponse } from "./response.js";

/** One server-sent event. */
export interface SseEvent {
  /** The payload: a string is sent as is, anything else as JSON. Line breaks become several `data:` lines. */
  data?: unknown;
  /** The event type (`event:`); the client's `addEventListener(type)` receives it. No CR, LF or NUL. */
  event?: string;
  /** The event id (`id:`), sent back by a reconnecting client as `Last-Event-ID`. No CR, LF or NUL. */
  id?: string | number;
  /** How long the client waits before reconnecting, in ms (`retry:`). */
  retry?: number;
}

/** What `sse()` streams: events, or strings (each one an event's data). */
export type SseSource = AsyncIterable<SseEvent | string>;

export interface SseOptions {
  /** A `: ping` comment after this many ms without an event, so proxies keep the connection (default 15 000; 0 = none). */
  heartbeat?: number;
  /** A `retry:` field sent first: the client's reconnection delay in ms. */
  retry?: number;
}

const DEFAULT_HEARTBEAT = 15_000;
const FORBIDDEN = /[\r\n\0]/;
const LINE_BREAK = /\r\n|\r|\n/;
const HEARTBEAT = ": ping\n\n";

function invalid(message: string): FlagonError {
  return new FlagonError(ErrorCodes.INVALID_RESPONSE, message);
}

function checkMs(name: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
    throw invalid(`sse ${name} must be a whole number of milliseconds (0 or more), got ${String(value)}`);
  }
}

function field(name: "event" | "id", value: string | number): string {
  const text = String(value);
  if (FORBIDDEN.test(text)) throw invalid(`an SSE ${name} must not contain CR, LF or NUL`);
  return `${name}: ${text}\n`;
}

/**
 * The wire form of one event, ending with the blank line that dispatches it. Throws
 * FLAGON_ERR_INVALID_RESPONSE for an `event` or `id` with CR, LF or NUL (they would inject fields).
 */
export function formatSseEvent(input: SseEvent | string): string {
  const event: SseEvent = typeof input === "string" ? { data: input } : input;
  let out = "";
  if (event.event !== undefined) out += field("event", event.event);
  if (event.id !== undefined) out += field("id", event.id);
  if (event.retry !== undefined) {
    checkMs("retry", event.retry);
    out += `retry: ${event.retry}\n`;
  }
  if (event.data !== undefined) {
    const data = typeof event.data === "string" ? event.data : JSON.stringify(event.data);
    if (data === undefined) throw invalid(`cannot send a ${typeof event.data} as SSE data`);
    for (const line of data.split(LINE_BREAK)) out += `data: ${line}\n`;
  }
  return out === "" ? "" : `${out}\n`;
}

type SourceInput = SseSource | ((signal: AbortSignal) => SseSource);

/**
 * A pull-based stream of events: it asks the source for the next event only when the consumer
 * wants more (backpressure), sends a heartbeat while the source is quiet without dropping the
 * pending `next()`, and on destroy (the client went away) aborts the signal and calls the
 * iterator's `return()`, so a generator's `finally` runs.
 */
class SseStream extends Readable {
  private events: AsyncIterator<SseEvent | string> | undefined;
  private pending: Promise<IteratorResult<SseEvent | string>> | undefined;
  private pulling = false;
  private started = false;
  private lastSent = 0;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private readonly controller = new AbortController();

  constructor(
    private readonly source: SourceInput,
    private readonly heartbeat: number,
    private readonly retry: number | undefined,
    private readonly log: () => Logger | undefined,
  ) {
    super();
  }

  override _read(): void {
    if (this.pulling) return;
    this.pulling = true;
    this.next().then(
      (chunk) => {
        this.pulling = false;
        if (!this.destroyed) this.push(chunk);
      },
      (error: unknown) => {
        this.pulling = false;
        // A source that fails because the client left (an aborted wait) is no news.
        if (this.destroyed) return;
        this.log()?.error({ err: error }, "SSE source failed; the stream was ended");
        this.destroy(error instanceof Error ? error : new Error(String(error)));
      },
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // Settle a heartbeat race in progress, so the pull ends now instead of at the next tick.
    const wake = this.wake;
    this.clearTimer();
    wake?.();
    this.controller.abort();
    const iterator = this.events;
    this.events = undefined;
    if (iterator?.return) {
      // Queued behind a pending next(); the generator's finally runs as soon as it can.
      iterator.return().catch((failure: unknown) => {
        this.log()?.error({ err: failure }, "SSE source failed while closing");
      });
    }
    callback(error);
  }

  /** The next chunk to send: the preamble, an event, a heartbeat, or null at the end. */
  private async next(): Promise<string | null> {
    if (!this.started) {
      this.started = true;
      const input = this.source;
      this.events = (typeof input === "function" ? input(this.controller.signal) : input)[
        Symbol.asyncIterator
      ]();
      this.lastSent = Date.now();
      // Something at once, so the client and proxies see the headers before the first event.
      return this.retry === undefined ? ":\n\n" : `retry: ${this.retry}\n\n`;
    }
    for (;;) {
      const iterator = this.events;
      if (!iterator) return null;
      this.pending ??= iterator.next();
      const result = await this.raceHeartbeat(this.pending);
      if (this.destroyed) return null;
      if (result === undefined) {
        this.lastSent = Date.now();
        return HEARTBEAT;
      }
      this.pending = undefined;
      if (result.done) return null;
      const chunk = formatSseEvent(result.value);
      if (chunk === "") continue;
      this.lastSent = Date.now();
      return chunk;
    }
  }

  /** The pending result, or undefined when `heartbeat` ms passed without an event. */
  private raceHeartbeat(
    pending: Promise<IteratorResult<SseEvent | string>>,
  ): Promise<IteratorResult<SseEvent | string> | undefined> {
    if (this.heartbeat === 0) return pending;
    const delay = Math.max(0, this.lastSent + this.heartbeat - Date.now());
    return new Promise((resolve, reject) => {
      this.wake = () => resolve(undefined);
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.wake = undefined;
        resolve(undefined);
      }, delay);
      pending.then(
        (value) => {
          this.clearTimer();
          resolve(value);
        },
        (error: unknown) => {
          this.clearTimer();
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.wake = undefined;
  }
}

/** A `text/event-stream` response; it binds to the request's logger when prepared. */
class SseResponse extends FlagonResponse {
  private logger: Logger | undefined;

  constructor(source: SourceInput, heartbeat: number, retry: number | undefined) {
    super(null, {
      status: 200,
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache",
        "x-accel-buffering": "no",
      },
    });
    this.body = new SseStream(source, heartbeat, retry, () => this.logger);
  }

  override prepare(ctx: Context): Promise<FlagonResponse> {
    this.logger = ctx.log;
    return Promise.resolve(this);
  }
}

/**
 * Server-sent events: streams what an async iterable (an `async function*`) yields as
 * `text/event-stream`. Strings are sent as data; `{ data, event, id, retry }` objects as full
 * events (non-string data as JSON). A `: ping` comment goes out after `heartbeat` ms without an
 * event. When the client goes away the iterator's `return()` is called, so a generator's
 * `finally` runs; a function source also gets an `AbortSignal` that aborts then, for a generator
 * waiting on something other than its next value. The stream is pulled with backpressure.
 *
 * @example
 * app.get("/clock", () =>
 *   sse(async function* (signal) {
 *     while (!signal.aborted) {
 *       yield { event: "tick", data: { now: Date.now() } };
 *       await setTimeout(1000);
 *     }
 *   }),
 * );
 */
export function sse(source: SourceInput, options: SseOptions = {}): FlagonResponse {
  const heartbeat = options.heartbeat ?? DEFAULT_HEARTBEAT;
  checkMs("heartbeat", heartbeat);
  checkMs("retry", options.retry);
  const iterable = typeof source === "function" || Symbol.asyncIterator in Object(source);
  if (!iterable) throw invalid("sse() needs an async iterable or a function that returns one");
  return new SseResponse(source, heartbeat, options.retry);
}
