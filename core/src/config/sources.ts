import { isPlainObject, UNSAFE_KEYS } from "./merge.js";

/** Where a config value came from, for error messages. */
export interface ConfigSource {
  readonly kind: "defaults" | "file" | "env" | "code";
  /** `defaults`, the config file's absolute path, `environment variable FLAGON_…`, or `code`. */
  readonly label: string;
}

interface SourceNode {
  source: ConfigSource | undefined;
  readonly children: Map<string, SourceNode>;
}

/**
 * Which layer last set each config path. Layers are recorded in merge order with the rules of
 * `mergeConfig`: a plain object records itself and walks its keys; any other value records
 * itself and forgets what earlier layers recorded beneath it, since it replaced all of that.
 */
export class SourceTree {
  readonly #root: SourceNode = { source: undefined, children: new Map() };

  constructor(private readonly fallback: ConfigSource) {}

  record(layer: Record<string, unknown>, sourceAt: (path: readonly string[]) => ConfigSource): void {
    walk(this.#root, layer, [], sourceAt);
  }

  /** The source of the deepest recorded prefix of `path`, else the fallback. */
  sourceOf(path: readonly PropertyKey[]): ConfigSource {
    let node = this.#root;
    let found = this.fallback;
    for (const key of path) {
      if (typeof key === "symbol") break;
      const child = node.children.get(String(key));
      if (child === undefined) break;
      if (child.source !== undefined) found = child.source;
      node = child;
    }
    return found;
  }
}

function walk(
  node: SourceNode,
  value: Record<string, unknown>,
  path: readonly string[],
  sourceAt: (path: readonly string[]) => ConfigSource,
): void {
  for (const [key, child] of Object.entries(value)) {
    if (child === undefined || UNSAFE_KEYS.has(key)) continue;
    const childPath = [...path, key];
    let childNode = node.children.get(key);
    if (childNode === undefined) {
      childNode = { source: undefined, children: new Map() };
      node.children.set(key, childNode);
    }
    childNode.source = sourceAt(childPath);
    if (isPlainObject(child)) walk(childNode, child, childPath, sourceAt);
    else childNode.children.clear();
  }
}
