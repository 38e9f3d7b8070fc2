// Byte ranges (RFC 9110 §14). One range → 206. Several ranges → the whole file (200), which the
// RFC allows ("a server MAY ignore the Range header field") and every client must accept; it is
// what Express's and Fastify's `send` do. Werkzeug answers 416 instead (FLASK-REFERENCE §1.6):
// we do not, because a 416 breaks clients that merely asked for more than one piece. No
// multipart/byteranges bodies are ever built. A Range header that does not parse, or names
// another unit, is ignored (200), as RFC 9110 §14.2 allows.

/** What to do with a Range header for a file of a given size. */
export type RangeDecision =
  /** No Range, a malformed one, another unit, several ranges, or an empty file: send it all. */
  | { readonly kind: "full" }
  /** One satisfiable range: 206 with these inclusive byte offsets. */
  | { readonly kind: "partial"; readonly start: number; readonly end: number }
  /** No range overlaps the file: 416, with a Content-Range that gives the size. */
  | { readonly kind: "unsatisfiable" };

const FULL = { kind: "full" } as const;
const UNSATISFIABLE = { kind: "unsatisfiable" } as const;
const BOUNDED = /^(\d+)-(\d*)$/;
const SUFFIX = /^-(\d+)$/;
/** More ranges than this are not worth looking at: the answer is the whole file anyway. */
const MAX_RANGES = 100;

/** Decides how to answer `Range` (byte offsets are inclusive, as in Content-Range). */
export function evaluateRange(header: string | undefined, size: number): RangeDecision {
  // An empty file has no byte to point at; like Werkzeug, send it (all zero bytes of it) with 200.
  if (header === undefined || size === 0) return FULL;
  if (header.length < 6 || header.slice(0, 6).toLowerCase() !== "bytes=") return FULL;
  const specs = header
    .slice(6)
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (specs.length === 0 || specs.length > MAX_RANGES) return FULL;
  let satisfiable: { start: number; end: number } | undefined;
  let count = 0;
  for (const spec of specs) {
    const bounded = BOUNDED.exec(spec);
    if (bounded) {
      const first = Number(bounded[1]);
      const last = bounded[2] === "" ? Infinity : Number(bounded[2]);
      if (last < first) return FULL; // an invalid range-spec makes the whole header invalid
      if (first < size) {
        satisfiable ??= { start: first, end: Math.min(last, size - 1) };
        count += 1;
      }
      continue;
    }
    const suffix = SUFFIX.exec(spec);
    if (!suffix) return FULL;
    const length = Number(suffix[1]);
    if (length > 0) {
      satisfiable ??= { start: Math.max(0, size - length), end: size - 1 };
      count += 1;
    }
  }
  if (count === 0) return UNSATISFIABLE;
  if (specs.length > 1 || !satisfiable) return FULL;
  return { kind: "partial", ...satisfiable };
}
