import { BadRequestError } from "../errors/http-errors.js";
import { type Converter, NO_MATCH } from "./converters.js";
import type { ParsedPath } from "./path.js";

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
  readonly node: Node<T>;
}

class Node<T = unknown> {
  readonly statics = new Map<string, Node<T>>();
  readonly dynamics: DynamicChild<T>[] = [];
  /** Routes whose path ends here without a trailing slash, by method. */
  routes: Map<string, T> | undefined;
  /** Routes declared with a trailing slash, by method. */
  slashRoutes: Map<string, T> | undefined;
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
        if (!next) node.statics.set(segment.text, (next = new Node<T>()));
        node = next;
      } else {
        let child = node.dynamics.find((d) => d.key === segment.key);
        if (!child) {
          child = { key: segment.key, name: segment.name, converter: segment.converter, node: new Node<T>() };
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
    const trailing = rawPath.length > 1 && rawPath.endsWith("/");
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

/**
 * One look-up's state. Path variables live on two stacks while the trie is searched depth
 * first, and become an object only for the route that wins.
 */
class Search<T> {
  found: T | undefined;
  allow: Set<string> | undefined;
  // 0: no slashed twin; 1: one exists; 2: one exists and takes this method (beats a 405).
  redirect = 0;
  private method = "";
  private trailing = false;
  private readonly segments: string[] = [];
  private count = 0;
  private readonly names: string[] = [];
  private readonly values: unknown[] = [];
  private depth = 0;

  /** Prepares a look-up: splits and percent-decodes the path's segments into the scratch array. */
  reset(method: string, rawPath: string, trailing: boolean): void {
    this.method = method;
    this.trailing = trailing;
    this.found = undefined;
    this.allow = undefined;
    this.redirect = 0;
    this.depth = 0;
    const end = trailing ? rawPath.length - 1 : rawPath.length;
    let count = 0;
    if (end > 1) {
      let start = 1;
      for (;;) {
        const slash = rawPath.indexOf("/", start);
        const stop = slash === -1 || slash > end ? end : slash;
        this.segments[count++] = decode(rawPath.slice(start, stop));
        if (stop >= end) break;
        start = stop + 1;
      }
    }
    this.count = count;
  }

  params(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < this.depth; i++) out[this.names[i] as string] = this.values[i];
    return out;
  }

  visit(node: Node<T>, index: number, slashTaken: boolean): boolean {
    const { segments, count } = this;
    if (index === count) return this.terminal(node, slashTaken);
    const segment = segments[index] as string;
    const next = node.statics.get(segment);
    if (next !== undefined && this.visit(next, index + 1, slashTaken)) return true;
    const dynamics = node.dynamics;
    for (let d = 0; d < dynamics.length; d++) {
      const child = dynamics[d] as DynamicChild<T>;
      if (child.converter.multiSegment) {
        let text = segment;
        for (let end = index + 1; end <= count; end++) {
          if (end > index + 1) text += `/${segments[end - 1] as string}`;
          const takesSlash = end === count && this.trailing;
          const value = child.converter.match(takesSlash ? `${text}/` : text);
          if (value === NO_MATCH) continue;
          if (this.descend(child, value, end, takesSlash)) return true;
        }
        continue;
      }
      const value = child.converter.match(segment);
      if (value !== NO_MATCH && this.descend(child, value, index + 1, slashTaken)) return true;
    }
    return false;
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
