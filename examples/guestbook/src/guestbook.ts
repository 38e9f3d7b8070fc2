import { Injectable } from "@flagon/core";

/** One signature in the book. */
export interface Entry {
  readonly id: number;
  readonly name: string;
  readonly message: string;
  /** ISO 8601, UTC. */
  readonly createdAt: string;
}

/** The most entries the book keeps; signing a full book drops the oldest entry. */
export const MAX_ENTRIES = 100;
/** Longest name and message, in characters (the form's schema enforces them too). */
export const MAX_NAME_LENGTH = 40;
export const MAX_MESSAGE_LENGTH = 500;
/** Entries a slow subscriber may have waiting before the oldest of them are dropped. */
const MAX_PENDING = 50;

/**
 * The guestbook: entries kept in memory (one book per app, a singleton in the app's container)
 * and a live feed of new ones. Each subscriber gets its own async iterator; it unsubscribes when
 * the iterator is finished (`return()`, e.g. when a `for await` loop exits or an SSE client goes).
 */
@Injectable()
export class Guestbook {
  readonly #entries: Entry[] = [];
  readonly #subscribers = new Set<Subscription>();
  #nextId = 1;

  /** Entries, newest first. */
  list(): Entry[] {
    return [...this.#entries].reverse();
  }

  /** Entries with an id above `afterId`, oldest first (what a reconnecting feed missed). */
  since(afterId: number): Entry[] {
    return this.#entries.filter((entry) => entry.id > afterId);
  }

  /** Adds an entry (trimmed and cut to the length limits) and tells every subscriber. */
  sign(input: { name: string; message: string }): Entry {
    const entry: Entry = Object.freeze({
      id: this.#nextId++,
      name: input.name.trim().slice(0, MAX_NAME_LENGTH),
      message: input.message.trim().slice(0, MAX_MESSAGE_LENGTH),
      createdAt: new Date().toISOString(),
    });
    this.#entries.push(entry);
    if (this.#entries.length > MAX_ENTRIES) this.#entries.splice(0, this.#entries.length - MAX_ENTRIES);
    for (const subscription of this.#subscribers) subscription.push(entry);
    return entry;
  }

  /**
   * A live feed of new entries. With `afterId`, entries signed after that one are delivered
   * first, so a client that reconnects misses nothing still in the book.
   *
   * @example
   * for await (const entry of guestbook.subscribe()) console.log(entry.name); // breaking out unsubscribes
   */
  subscribe(options: { afterId?: number } = {}): AsyncIterableIterator<Entry> {
    const backlog = options.afterId === undefined ? [] : this.since(options.afterId);
    const subscription = new Subscription(backlog.slice(-MAX_PENDING), (s) => this.#subscribers.delete(s));
    this.#subscribers.add(subscription);
    return subscription;
  }

  /**
   * Ends every live feed (their iterators finish), e.g. before shutting down, so that open
   * event streams complete instead of holding the server open.
   */
  endSubscriptions(): void {
    for (const subscription of this.#subscribers) void subscription.return();
  }

  /** How many live feeds are open. */
  get subscriberCount(): number {
    return this.#subscribers.size;
  }
}

/**
 * One subscriber's iterator. Not an `async function*`: a generator parked in `await` cannot be
 * ended from outside until its next value arrives, while this one ends at once on `return()`.
 */
class Subscription implements AsyncIterableIterator<Entry> {
  readonly #pending: Entry[];
  #waiting: ((result: IteratorResult<Entry, undefined>) => void) | undefined;
  #done = false;

  constructor(
    backlog: Entry[],
    private readonly onEnd: (subscription: Subscription) => void,
  ) {
    this.#pending = backlog;
  }

  push(entry: Entry): void {
    if (this.#done) return;
    if (this.#waiting) {
      const resolve = this.#waiting;
      this.#waiting = undefined;
      resolve({ value: entry, done: false });
      return;
    }
    this.#pending.push(entry);
    if (this.#pending.length > MAX_PENDING) this.#pending.shift();
  }

  next(): Promise<IteratorResult<Entry, undefined>> {
    const entry = this.#pending.shift();
    if (entry) return Promise.resolve({ value: entry, done: false });
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    // One reader at a time: a second concurrent next() would replace the first's resolver.
    if (this.#waiting) return Promise.reject(new Error("a subscription has one reader at a time"));
    return new Promise((resolve) => (this.#waiting = resolve));
  }

  return(): Promise<IteratorResult<Entry, undefined>> {
    if (!this.#done) {
      this.#done = true;
      this.#pending.length = 0;
      this.onEnd(this);
      this.#waiting?.({ value: undefined, done: true });
      this.#waiting = undefined;
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
