import { ErrorCodes, FlagonError } from "../errors/codes.js";

/** Where flashed messages are kept inside the session (Flask's key). */
export const FLASH_KEY = "_flashes";

type Flash = [category: string, message: string];

export interface FlashOptions {
  /** Return `[category, message]` pairs instead of messages. */
  withCategories?: boolean;
  /** Only these categories (the others stay for a later request). */
  categories?: readonly string[];
}

/** What a store does for one session: its backend's half of `regenerate`, `destroy` and saving. */
export interface SessionControl {
  regenerate(session: Session): Promise<void>;
  destroy(session: Session): Promise<void>;
}

function readFlashes(value: unknown): Flash[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (item): item is Flash =>
      Array.isArray(item) && item.length === 2 && typeof item[0] === "string" && typeof item[1] === "string",
  );
}

/**
 * One visitor's session: JSON values by key, kept across requests in a signed cookie or a
 * server-side store. Changes are found by comparing with what was loaded, so changing an object
 * in place (`session.get("cart").push(item)`) is saved too. Get it with `await ctx.session()`.
 *
 * @example
 * const session = await ctx.session();
 * session.set("visits", (session.get<number>("visits") ?? 0) + 1);
 * session.flash("Saved.", "success");
 */
export class Session {
  /** True when the request brought no valid session (none, tampered, expired, or deleted). */
  readonly isNew: boolean;

  private data: Map<string, unknown>;
  private loadedAs: string;
  private forced = false;
  private sealed = false;
  private readonly taken: Flash[] = [];

  /** @internal Built by the session manager. */
  constructor(
    data: Record<string, unknown>,
    isNew: boolean,
    private readonly control: SessionControl,
  ) {
    this.isNew = isNew;
    this.data = new Map(Object.entries(data));
    this.loadedAs = this.serialize();
  }

  get<T = unknown>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }

  /** Stores a JSON value (`undefined` deletes the key). */
  set(key: string, value: unknown): this {
    this.assertOpen();
    if (value === undefined) {
      this.data.delete(key);
      return this;
    }
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch (error) {
      throw new TypeError(`session value "${key}" cannot be stored as JSON`, { cause: error });
    }
    if (text === undefined) throw new TypeError(`session value "${key}" is a ${typeof value}, not JSON`);
    this.data.set(key, value);
    return this;
  }

  delete(key: string): boolean {
    if (!this.data.has(key)) return false;
    this.assertOpen();
    return this.data.delete(key);
  }

  has(key: string): boolean {
    return this.data.has(key);
  }

  /** Removes every key (flashed messages too). */
  clear(): void {
    if (this.data.size === 0) return;
    this.assertOpen();
    this.data.clear();
  }

  keys(): string[] {
    return [...this.data.keys()];
  }

  /** Whether the session differs from what the request brought, or must be re-issued. */
  get modified(): boolean {
    return this.forced || this.serialize() !== this.loadedAs;
  }

  /**
   * Gives the session a new identity and keeps its data: a new id for server sessions (the old
   * id is deleted at once and gives an empty session afterwards), a freshly signed cookie for
   * cookie sessions. Call it when privileges change, above all at login (session fixation).
   */
  async regenerate(): Promise<void> {
    this.assertOpen();
    await this.control.regenerate(this);
    this.forced = true;
  }

  /** Ends the session: deletes it from the store and tells the client to drop the cookie. */
  async destroy(): Promise<void> {
    this.assertOpen();
    await this.control.destroy(this);
    this.data.clear();
    this.forced = true;
  }

  /** Adds a message to show on a later page, like Flask's `flash()`. */
  flash(message: string, category = "message"): void {
    if (typeof message !== "string" || typeof category !== "string") {
      throw new TypeError("flash() takes a message and a category, both strings");
    }
    this.assertOpen();
    this.data.set(FLASH_KEY, [...readFlashes(this.data.get(FLASH_KEY)), [category, message]]);
  }

  /**
   * Takes the flashed messages (of some categories only, with `categories`): they are removed
   * from the session, so each is shown once; later calls in the same request return them again.
   */
  flashes(options?: FlashOptions & { withCategories?: false }): string[];
  flashes(options: FlashOptions & { withCategories: true }): Array<[category: string, message: string]>;
  flashes(options?: FlashOptions): string[] | Array<[category: string, message: string]>;
  flashes(options: FlashOptions = {}): string[] | Array<[category: string, message: string]> {
    const wanted = options.categories;
    const matches = (flash: Flash): boolean => wanted === undefined || wanted.includes(flash[0]);
    const stored = readFlashes(this.data.get(FLASH_KEY));
    const taking = stored.filter(matches);
    if (taking.length > 0 || (stored.length === 0 && this.data.has(FLASH_KEY))) {
      this.assertOpen();
      this.taken.push(...taking);
      const left = stored.filter((flash) => !matches(flash));
      if (left.length > 0) this.data.set(FLASH_KEY, left);
      else this.data.delete(FLASH_KEY);
    }
    const result = this.taken.filter(matches);
    return options.withCategories === true
      ? result.map(([category, message]): Flash => [category, message])
      : result.map(([, message]) => message);
  }

  /** @internal The data as stored: a JSON object. */
  serialize(): string {
    return JSON.stringify(Object.fromEntries(this.data));
  }

  /** @internal The data as a plain object. */
  toJSON(): Record<string, unknown> {
    return Object.fromEntries(this.data);
  }

  /** @internal Called once the session was saved for this response: later changes would be lost. */
  seal(): void {
    this.sealed = true;
  }

  private assertOpen(): void {
    if (this.sealed) {
      throw new FlagonError(
        ErrorCodes.APP_STATE,
        "the session was already saved for this response; change it in the handler or a preHandler/onRequest hook, not after the response is complete",
      );
    }
  }
}
