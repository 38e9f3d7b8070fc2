import { Context, Injectable, abort, inject } from "@flagon/core";

export interface Note {
  id: number;
  author: string;
  text: string;
  at: string;
}

/** Anything that tells the time: an interface, so it is injected by a token. */
export interface Clock {
  now(): Date;
}
export const CLOCK = Symbol("Clock");

/** A singleton (the default): one per app, shared by every request. */
@Injectable()
export class NoteRepository {
  readonly #notes: Note[] = [];

  constructor(@inject(CLOCK) private readonly clock: Clock) {}

  add(author: string, text: string): Note {
    const note = { id: this.#notes.length + 1, author, text, at: this.clock.now().toISOString() };
    this.#notes.push(note);
    return note;
  }

  byAuthor(author: string): Note[] {
    return this.#notes.filter((note) => note.author === author);
  }

  count(): number {
    return this.#notes.length;
  }
}

/** One per request, built from that request's Context: Flask's `g.user`. */
@Injectable({ scope: "request" })
export class CurrentUser {
  readonly name: string | undefined;

  constructor(ctx: Context) {
    this.name = ctx.request.header("x-user");
  }

  /** The user's name, or a 401. */
  require(): string {
    return this.name ?? abort(401, "send an X-User header");
  }
}

/** A new instance wherever it is injected. */
@Injectable({ scope: "transient" })
export class Stopwatch {
  private readonly started = performance.now();

  elapsedMs(): number {
    return performance.now() - this.started;
  }
}

/** Request-scoped, with `dispose()`: called once the handler of its request has finished. */
@Injectable({ scope: "request" })
export class UnitOfWork {
  readonly events: string[] = [];

  constructor(@inject("journal") private readonly journal: string[]) {}

  record(event: string): void {
    this.events.push(event);
  }

  dispose(): void {
    this.journal.push(`committed ${this.events.length} event(s)`);
  }
}
