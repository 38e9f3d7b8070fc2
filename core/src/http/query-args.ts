/**
 * Query or form arguments with repeated keys kept, like Werkzeug's MultiDict.
 * Backed by a Map, so keys such as `__proto__` are plain data.
 */
export class QueryArgs {
  private readonly map = new Map<string, string[]>();

  constructor(source?: string | URLSearchParams) {
    if (source === undefined || source === "") return;
    const params = typeof source === "string" ? new URLSearchParams(source) : source;
    for (const [key, value] of params) {
      const list = this.map.get(key);
      if (list) list.push(value);
      else this.map.set(key, [value]);
    }
  }

  /** The first value of `name`, or undefined. */
  get(name: string): string | undefined {
    return this.map.get(name)?.[0];
  }

  /** Every value of `name` in order (`?x=1&x=2` → `["1", "2"]`). */
  getAll(name: string): string[] {
    return this.map.get(name)?.slice() ?? [];
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
    for (const [key, values] of this.map) for (const value of values) yield [key, value];
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
      out[key] = values.length === 1 ? (values[0] as string) : values.slice();
    }
    return out;
  }
}
