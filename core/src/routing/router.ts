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
    const inner = trailing ? rawPath.slice(1, -1) : rawPath.slice(1);
    const segments = inner === "" ? [] : inner.split("/").map(decode);

    let found: { route: T; params: Record<string, unknown> } | undefined;
    let allow: Set<string> | undefined;
    // 0: no slashed twin; 1: one exists; 2: one exists and takes this method (beats a 405).
    let redirect = 0;

    const accept = (table: Map<string, T>, params: Record<string, unknown>): boolean => {
      const route = table.get(method) ?? (method === "HEAD" ? table.get("GET") : undefined);
      if (route) {
        found = { route, params: { ...params } };
        return true;
      }
      allow ??= new Set();
      for (const m of table.keys()) allow.add(m);
      return false;
    };

    const visit = (
      node: Node<T>,
      index: number,
      params: Record<string, unknown>,
      slashTaken: boolean,
    ): boolean => {
      if (index === segments.length) {
        const wantsSlash = trailing && !slashTaken;
        const table = wantsSlash ? node.slashRoutes : node.routes;
        if (table && accept(table, params)) return true;
        if (!wantsSlash && node.slashRoutes && !slashTaken) {
          const takes = node.slashRoutes.has(method) || (method === "HEAD" && node.slashRoutes.has("GET"));
          redirect = Math.max(redirect, takes ? 2 : 1);
        }
        return false;
      }
      const segment = segments[index] as string;
      const next = node.statics.get(segment);
      if (next && visit(next, index + 1, params, slashTaken)) return true;
      for (const child of node.dynamics) {
        if (child.converter.multiSegment) {
          for (let end = index + 1; end <= segments.length; end++) {
            let text = segments.slice(index, end).join("/");
            const takesSlash = end === segments.length && trailing;
            if (takesSlash) text += "/";
            const value = child.converter.match(text);
            if (value === NO_MATCH) continue;
            params[child.name] = value;
            if (visit(child.node, end, params, takesSlash)) return true;
            delete params[child.name];
          }
          continue;
        }
        const value = child.converter.match(segment);
        if (value === NO_MATCH) continue;
        params[child.name] = value;
        if (visit(child.node, index + 1, params, slashTaken)) return true;
        delete params[child.name];
      }
      return false;
    };

    visit(this.root, 0, {}, false);
    if (found) return { kind: "found", ...found };
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
