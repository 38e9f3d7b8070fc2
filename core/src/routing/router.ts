import { BadRequestError, UriTooLongError } from "../errors/http-errors.js";
import { type Converter, NO_MATCH } from "./converters.js";
import type { ParsedPath } from "./path.js";
import { Radix } from "./radix.js";

const METHOD_ORDER = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/** Sorts methods the way `Allow` lists them: the common ones in a fixed order, then the rest. */
export function sortMethods(methods: Iterable<string>): string[] {
  const rank = (m: string): number => {
    const i = METHOD_ORDER.indexOf(m);
    return i === -1 ? METHOD_ORDER.length : i;
  };
  return [...new Set(methods)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

interface DynamicChild<T> {
  /** The variable as written, normalised (`int(min=1):id`): equal keys share one branch. */
  readonly key: string;
  readonly name: string;
  readonly converter: Converter;
  /** `converter.multiSegment`, read once: converters of different shapes make that read slow. */
  readonly multiSegment: boolean;
  readonly node: Node<T>;
}

class Node<T = unknown> {
  /** Static children by name, for adding routes and measuring; `radix` finds them in a look-up. */
  readonly statics = new Map<string, Node<T>>();
  readonly radix = new Radix<Node<T>>("");
  readonly dynamics: DynamicChild<T>[] = [];
  /** Routes whose path ends here without a trailing slash, by method. */
  routes: Map<string, T> | undefined;
  /** Routes declared with a trailing slash, by method. */
  slashRoutes: Map<string, T> | undefined;
  /** Fewest and most URL segments between here and a route (Infinity below a `path` converter). */
  minRest = 0;
  maxRest = 0;
}

/** Fills in `minRest` and `maxRest` of a node and everything below it. */
function measure(node: Node): void {
  let min = node.routes || node.slashRoutes ? 0 : Infinity;
  let max = node.routes || node.slashRoutes ? 0 : -Infinity;
  for (const child of node.statics.values()) {
    measure(child);
    min = Math.min(min, 1 + child.minRest);
    max = Math.max(max, 1 + child.maxRest);
  }
  for (const { multiSegment, node: child } of node.dynamics) {
    measure(child);
    min = Math.min(min, 1 + child.minRest);
    max = multiSegment ? Infinity : Math.max(max, 1 + child.maxRest);
  }
  node.minRest = min;
  node.maxRest = max;
}

export type MatchResult<T> =
  | { readonly kind: "found"; readonly route: T; readonly params: Record<string, unknown> }
  /** The path exists for other methods: 405, or the automatic OPTIONS answer. */
  | { readonly kind: "method"; readonly allow: readonly string[] }
  /** Only the slashed form exists: 308 to it. */
  | { readonly kind: "redirect"; readonly path: string }
  | { readonly kind: "none" };

const NONE = { kind: "none" } as const;

function decode(segment: string): string {
  if (!segment.includes("%")) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new BadRequestError("malformed percent-encoding in the URL path");
  }
}

/**
 * A segment trie with Werkzeug's matching rules: static segments beat converters, converters
 * are tried by weight (int/float, then string/uuid/any, then path), a converter that refuses a
 * segment lets the next candidate try, and the first candidate with the method wins. A path
 * that matches only for other methods is a 405 whose `Allow` is the union of them all.
 */
export class Router<T> {
  private readonly root = new Node<T>();
  /** Whether routes were added since the trie was last measured. */
  private unmeasured = true;
  /** All-static paths, for a look-up without walking the trie. */
  private readonly statics = new Map<string, Map<string, T>>();
  /** Scratch state of a look-up, reused: `match` is synchronous, so one at a time. */
  private readonly search = new Search<T>();

  /** Adds a route; returns false when that method and path are already taken. */
  add(parsed: ParsedPath, method: string, route: T): boolean {
    let node = this.root;
    for (const segment of parsed.segments) {
      if (segment.kind === "static") {
        let next = node.statics.get(segment.text);
        if (!next) {
          node.statics.set(segment.text, (next = new Node<T>()));
          Radix.insert(node.radix, segment.text).value = next;
        }
        node = next;
      } else {
        let child = node.dynamics.find((d) => d.key === segment.key);
        if (!child) {
          child = {
            key: segment.key,
            name: segment.name,
            converter: segment.converter,
            multiSegment: Boolean(segment.converter.multiSegment),
            node: new Node<T>(),
          };
          node.dynamics.push(child);
          node.dynamics.sort((a, b) => a.converter.weight - b.converter.weight);
        }
        node = child.node;
      }
    }
    const slash = parsed.trailingSlash && parsed.segments.length > 0;
    const table = slash
      ? (node.slashRoutes ??= new Map<string, T>())
      : (node.routes ??= new Map<string, T>());
    if (table.has(method)) return false;
    table.set(method, route);
    this.unmeasured = true;
    if (parsed.segments.every((s) => s.kind === "static")) {
      const key = parsed.source;
      let byMethod = this.statics.get(key);
      if (!byMethod) this.statics.set(key, (byMethod = new Map<string, T>()));
      byMethod.set(method, route);
    }
    return true;
  }

  /**
   * Finds the route for a method and a raw (still percent-encoded) path. `HEAD` falls back to
   * `GET`. Throws 400 for malformed percent-encoding.
   */
  match(method: string, rawPath: string): MatchResult<T> {
    const direct = this.statics.get(rawPath);
    if (direct) {
      const route = direct.get(method) ?? (method === "HEAD" ? direct.get("GET") : undefined);
      if (route) return { kind: "found", route, params: {} };
    }
    if (this.unmeasured) {
      measure(this.root);
      this.unmeasured = false;
    }
    const trailing = rawPath.length > 1 && rawPath.charCodeAt(rawPath.length - 1) === SLASH;
    const search = this.search;
    search.reset(method, rawPath, trailing);
    search.visit(this.root, 0, false);
    const { found, allow, redirect } = search;
    if (found) return { kind: "found", route: found, params: search.params() };
    if (redirect === 2) return { kind: "redirect", path: `${rawPath}/` };
    if (allow) {
      if (allow.has("GET")) allow.add("HEAD");
      allow.add("OPTIONS");
      return { kind: "method", allow: sortMethods(allow) };
    }
    if (redirect === 1) return { kind: "redirect", path: `${rawPath}/` };
    return NONE;
  }
}

/** Search steps (nodes visited, converters asked) a look-up may take: linear in the segments. */
const STEP_BUDGET_BASE = 1024;
const STEP_BUDGET_PER_SEGMENT = 2;
/** More path segments than any real URL has: a 414 before any segment is decoded. */
export const MAX_SEGMENTS = 1024;

const SLASH = 0x2f;
const PERCENT = 0x25;

function tooLong(): never {
  throw new UriTooLongError(`the URL path has more than ${MAX_SEGMENTS} segments`);
}

function tooComplex(): never {
  throw new UriTooLongError("the URL is too complex to route");
}

/**
 * One look-up's state. Path variables live on two stacks while the trie is searched depth
 * first, and become an object only for the route that wins.
 *
 * `path` converters make the search backtrack over every way to split the URL between them,
 * which hostile URLs turn into polynomial work (two `<path:…>` and 8,000 segments took seconds).
 * Three things bound it: a URL of more than MAX_SEGMENTS segments is a 414 at once; a branch
 * whose remaining segments cannot fit the routes below it is skipped (`minRest`/`maxRest`: a
 * `path` converter followed by fixed segments tries one split, not all of them); and a step
 * budget, linear in the segments, ends a search that still runs long (several `path` converters
 * in a row) with a 414, as Fastify answers a parameter over its maxParamLength.
 */
class Search<T> {
  found: T | undefined;
  allow: Set<string> | undefined;
  // 0: no slashed twin; 1: one exists; 2: one exists and takes this method (beats a 405).
  redirect = 0;
  private method = "";
  private trailing = false;
  private raw = "";
  /**
   * Whether the path holds a `%`. Such a path has its segments decoded up front, into `segments`
   * (malformed encoding is a 400 whatever the routes); any other path is only sliced, when and
   * where a segment is needed, at the offsets in `bounds`.
   */
  private encoded = false;
  private readonly segments: string[] = [];
  /** Segment i of the path runs from `bounds[2 * i]` to `bounds[2 * i + 1]` (exclusive). */
  private readonly bounds: number[] = [];
  private count = 0;
  private readonly names: string[] = [];
  private readonly values: unknown[] = [];
  private depth = 0;
  private steps = 0;
  private budget = 0;
  /** The decoded segments joined by "/", and where each starts: `path` values are slices of it. */
  private joined: string | undefined;
  private readonly starts: number[] = [];

  /** Prepares a look-up: finds the path's segments, and percent-decodes them if it has any `%`. */
  reset(method: string, rawPath: string, trailing: boolean): void {
    this.method = method;
    this.trailing = trailing;
    this.found = undefined;
    this.allow = undefined;
    this.redirect = 0;
    this.depth = 0;
    this.joined = undefined;
    this.raw = rawPath;
    const end = trailing ? rawPath.length - 1 : rawPath.length;
    // Counted before anything is decoded (only a path longer than the limit can exceed it).
    if (end > MAX_SEGMENTS) {
      let seen = 1;
      for (let at = rawPath.indexOf("/", 1); at !== -1 && at < end; at = rawPath.indexOf("/", at + 1)) {
        if (++seen > MAX_SEGMENTS) tooLong();
      }
    }
    // One pass over the characters finds the slashes and any `%` (cheaper than indexOf calls).
    const bounds = this.bounds;
    let count = 0;
    let encoded = false;
    if (end > 1) {
      let start = 1;
      for (let at = 1; at < end; at++) {
        const code = rawPath.charCodeAt(at);
        if (code === SLASH) {
          bounds[2 * count] = start;
          bounds[2 * count + 1] = at;
          count++;
          start = at + 1;
        } else if (code === PERCENT) {
          encoded = true;
        }
      }
      bounds[2 * count] = start;
      bounds[2 * count + 1] = end;
      count++;
    }
    this.encoded = encoded;
    if (encoded) {
      for (let i = 0; i < count; i++) {
        this.segments[i] = decode(rawPath.slice(bounds[2 * i], bounds[2 * i + 1]));
      }
    }
    this.count = count;
    this.steps = 0;
    this.budget = STEP_BUDGET_BASE + STEP_BUDGET_PER_SEGMENT * count;
  }

  /** Segment `i` of the path, decoded. */
  private segment(i: number): string {
    return this.encoded
      ? (this.segments[i] as string)
      : this.raw.slice(this.bounds[2 * i], this.bounds[2 * i + 1]);
  }

  params(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < this.depth; i++) out[this.names[i] as string] = this.values[i];
    return out;
  }

  visit(node: Node<T>, index: number, slashTaken: boolean): boolean {
    const count = this.count;
    const rest = count - index;
    if (rest < node.minRest || rest > node.maxRest) return false;
    if (++this.steps > this.budget) tooComplex();
    if (index === count) return this.terminal(node, slashTaken);
    // Sliced only for a node that has a static child or a one-segment converter to ask.
    let segment: string | undefined;
    if (node.statics.size !== 0) {
      const next = this.encoded
        ? Radix.find(node.radix, this.segments[index] as string, 0, (this.segments[index] as string).length)
        : Radix.find(
            node.radix,
            this.raw,
            this.bounds[2 * index] as number,
            this.bounds[2 * index + 1] as number,
          );
      if (next !== undefined && this.visit(next, index + 1, slashTaken)) return true;
    }
    const dynamics = node.dynamics;
    for (let d = 0; d < dynamics.length; d++) {
      const child = dynamics[d] as DynamicChild<T>;
      if (child.multiSegment) {
        // Only the ends that leave as many segments as the routes below can take.
        const below = child.node;
        const first = Math.max(index + 1, count - below.maxRest);
        const last = Math.min(count, count - below.minRest);
        for (let end = first; end <= last; end++) {
          const text = this.span(index, end);
          if (end === count && this.trailing) {
            // The trailing slash is part of the value (`/p/<path:p>` gets "a/b/")…
            if (++this.steps > this.budget) tooComplex();
            const value = child.converter.match(`${text}/`);
            if (value !== NO_MATCH && this.descend(child, value, end, true)) return true;
            // …or the route's own (`/d/<path:p>/` gets "a/b"), which the slash-less URL redirects to.
          }
          if (++this.steps > this.budget) tooComplex();
          const value = child.converter.match(text);
          if (value !== NO_MATCH && this.descend(child, value, end, false)) return true;
        }
        continue;
      }
      if (++this.steps > this.budget) tooComplex();
      segment ??= this.segment(index);
      const value = child.converter.match(segment);
      if (value !== NO_MATCH && this.descend(child, value, index + 1, slashTaken)) return true;
    }
    return false;
  }

  /**
   * Segments `from` to `to` (exclusive) joined by "/". A few are simply concatenated; more are a
   * slice of the whole path joined once, so that no candidate costs time in its length.
   */
  private span(from: number, to: number): string {
    // Without a `%`, the decoded segments joined by "/" are the path's own text.
    if (!this.encoded) return this.raw.slice(this.bounds[2 * from], this.bounds[2 * to - 1]);
    const { segments } = this;
    if (to - from <= 8) {
      let text = segments[from] as string;
      for (let i = from + 1; i < to; i++) text += `/${segments[i] as string}`;
      return text;
    }
    if (this.joined === undefined) {
      const { segments, starts, count } = this;
      let offset = 0;
      for (let i = 0; i < count; i++) {
        starts[i] = offset;
        offset += (segments[i] as string).length + 1;
      }
      this.joined = segments.slice(0, count).join("/");
    }
    const end = to === this.count ? this.joined.length : (this.starts[to] as number) - 1;
    return this.joined.slice(this.starts[from], end);
  }

  private descend(child: DynamicChild<T>, value: unknown, index: number, slashTaken: boolean): boolean {
    const depth = this.depth;
    this.names[depth] = child.name;
    this.values[depth] = value;
    this.depth = depth + 1;
    if (this.visit(child.node, index, slashTaken)) return true;
    this.depth = depth;
    return false;
  }

  private terminal(node: Node<T>, slashTaken: boolean): boolean {
    const wantsSlash = this.trailing && !slashTaken;
    const table = wantsSlash ? node.slashRoutes : node.routes;
    const { method } = this;
    if (table !== undefined) {
      const route = table.get(method) ?? (method === "HEAD" ? table.get("GET") : undefined);
      if (route !== undefined) {
        this.found = route;
        return true;
      }
      this.allow ??= new Set();
      for (const m of table.keys()) this.allow.add(m);
    }
    if (!wantsSlash && !slashTaken && node.slashRoutes !== undefined) {
      const slashed = node.slashRoutes;
      const takes = slashed.has(method) || (method === "HEAD" && slashed.has("GET"));
      this.redirect = Math.max(this.redirect, takes ? 2 : 1);
    }
    return false;
  }
}
