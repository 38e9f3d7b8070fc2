/**
 * Query or form arguments with repeated keys kept, like Werkzeug's MultiDict.
 * Backed by a Map, so keys such as `__proto__` are plain data.
 */
export class QueryArgs {
  /** One value as a string, several as an array: most keys come once, so most need no array. */
  private readonly map = new Map<string, string | string[]>();

  constructor(source?: string | URLSearchParams) {
    if (source === undefined || source === "") return;
    const params = typeof source === "string" ? new URLSearchParams(source) : source;
    const map = this.map;
    for (const [key, value] of params) {
      const known = map.get(key);
      if (known === undefined) map.set(key, value);
      else if (typeof known === "string") map.set(key, [known, value]);
      else known.push(value);
    }
  }

  /** The first value of `name`, or undefined. */
  get(name: string): string | undefined {
    const value = this.map.get(name);
    return typeof value === "string" ? value : value?.[0];
  }

  /** Every value of `name` in order (`?x=1&x=2` → `["1", "2"]`). */
  getAll(name: string): string[] {
    const value = this.map.get(name);
    return value === undefined ? [] : typeof value === "string" ? [value] : value.slice();
  }

  has(name: string): boolean {
    return this.map.has(name);
  }

  keys(): IterableIterator<string> {
    return this.map.keys();
  }

  get size(): number {
    return this.map.size;
  }

  /** Each key with its first value, in order of appearance (repeated keys give repeated pairs). */
  *entries(): IterableIterator<[string, string]> {
    for (const [key, values] of this.map) {
      if (typeof values === "string") yield [key, values];
      else for (const value of values) yield [key, value];
    }
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }

  /**
   * A prototype-less object: one value → string, repeated key → array. `__proto__` is dropped
   * so that a careless `Object.assign(target, args)` cannot swap a prototype.
   */
  toObject(): Record<string, string | string[]> {
    const out = Object.create(null) as Record<string, string | string[]>;
    for (const [key, values] of this.map) {
      if (key === "__proto__") continue;
      out[key] = typeof values === "string" ? values : values.slice();
    }
    return out;
  }
}
