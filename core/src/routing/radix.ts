// The router's index of a node's static children (see router.ts).

/**
 * One node of a radix tree (a prefix tree whose single-child chains are merged into one edge)
 * over the names of a node's static children. A look-up compares the URL's characters in place,
 * where a `Map` would need the segment sliced out and hashed first.
 */
export class Radix<T> {
  /** First character of each child's prefix, in `children` order. */
  private readonly codes: number[] = [];
  private readonly children: Radix<T>[] = [];
  /**
   * The children again, at `code - low` (a gap is `undefined`): one indexed read instead of a
   * scan of `codes`. Empty when the first characters are too far apart for a short array.
   */
  private table: (Radix<T> | undefined)[] = [];
  private low = 0;
  /** The value of the name that ends exactly here. */
  value: T | undefined;

  constructor(private prefix: string) {}

  /** The radix node where `name` ends, created (splitting an edge if need be) when missing. */
  static insert<T>(root: Radix<T>, name: string): Radix<T> {
    let radix = root;
    let at = 0;
    while (at < name.length) {
      const i = radix.codes.indexOf(name.charCodeAt(at));
      if (i === -1) {
        const leaf = new Radix<T>(name.slice(at));
        radix.codes.push(name.charCodeAt(at));
        radix.children.push(leaf);
        radix.index();
        return leaf;
      }
      let child = radix.children[i] as Radix<T>;
      const { prefix } = child;
      let same = 1;
      while (same < prefix.length && prefix.charCodeAt(same) === name.charCodeAt(at + same)) same++;
      if (same < prefix.length) {
        // The name leaves this edge part-way: the shared part becomes a node of its own.
        const head = new Radix<T>(prefix.slice(0, same));
        child.prefix = prefix.slice(same);
        head.codes.push(child.prefix.charCodeAt(0));
        head.children.push(child);
        head.index();
        radix.children[i] = child = head;
        radix.index();
      }
      radix = child;
      at += same;
    }
    return radix;
  }

  /** Rebuilds `table` from `codes` and `children`. */
  private index(): void {
    const low = Math.min(...this.codes);
    const span = Math.max(...this.codes) - low + 1;
    this.low = low;
    this.table = span > TABLE_SPAN ? [] : Array.from({ length: span }, () => undefined);
    if (span > TABLE_SPAN) return;
    for (let i = 0; i < this.codes.length; i++) {
      this.table[(this.codes[i] as number) - low] = this.children[i];
    }
  }

  /** The value of the name `text` holds from `start` to `end` (exclusive), if there is one. */
  static find<T>(root: Radix<T>, text: string, start: number, end: number): T | undefined {
    let radix = root;
    let at = start;
    while (at !== end) {
      const code = text.charCodeAt(at);
      let child: Radix<T> | undefined;
      const { table } = radix;
      if (table.length !== 0) {
        const slot = code - radix.low;
        if (slot >= 0 && slot < table.length) child = table[slot];
      } else {
        const { codes } = radix;
        for (let i = 0; i < codes.length; i++) {
          if (codes[i] === code) {
            child = radix.children[i];
            break;
          }
        }
      }
      if (child === undefined) return undefined;
      const { prefix } = child;
      const next = at + prefix.length;
      if (next > end) return undefined;
      for (let k = 1; k < prefix.length; k++) {
        if (prefix.charCodeAt(k) !== text.charCodeAt(at + k)) return undefined;
      }
      radix = child;
      at = next;
    }
    return radix.value;
  }
}

/** Widest range of first characters a radix node indexes with an array (ASCII letters and digits fit). */
const TABLE_SPAN = 80;
