import { ErrorCodes, FlagonError } from "../errors/codes.js";
import { dependencyRanges, type PluginDefinition } from "./plugins.js";

type Ordered = Pick<PluginDefinition<unknown, never>, "name" | "dependencies" | "before" | "after">;

/**
 * Sorts plugins about to be registered so that each comes after its dependencies and its
 * `after` names, and before its `before` names; otherwise the given order stands (stable).
 * Names not in the list are ignored here (a missing dependency is reported when it is checked).
 * A cycle stops start-up, naming it.
 */
export function orderPlugins<T>(items: readonly T[], plugin: (item: T) => Ordered): T[] {
  const index = new Map<string, number>();
  items.forEach((item, i) => {
    const name = plugin(item).name;
    if (!index.has(name)) index.set(name, i);
  });
  // first[i]: the items that must come before item i.
  const first = items.map(() => new Set<number>());
  const edge = (before: string | number, after: string | number): void => {
    const i = typeof before === "number" ? before : index.get(before);
    const j = typeof after === "number" ? after : index.get(after);
    if (i !== undefined && j !== undefined && i !== j) (first[j] as Set<number>).add(i);
  };
  items.forEach((item, i) => {
    const p = plugin(item);
    for (const [name] of dependencyRanges(p.dependencies)) edge(name, i);
    for (const name of p.after ?? []) edge(name, i);
    for (const name of p.before ?? []) edge(i, name);
  });
  // Each item in the given order, preceded by whatever must come before it and is not out yet:
  // only what has to move moves.
  const out: T[] = [];
  const placed = items.map(() => false);
  const path: number[] = [];
  const place = (i: number): void => {
    if (placed[i]) return;
    if (path.includes(i)) {
      const cycle = [...path.slice(path.indexOf(i)), i].reverse().map((k) => plugin(items[k] as T).name);
      throw new FlagonError(
        ErrorCodes.PLUGIN_DEPENDENCY,
        `plugins cannot be ordered: their dependencies, before and after form a cycle, ${cycle.join(" → ")} (each must be registered before the next)`,
      );
    }
    path.push(i);
    for (const j of [...(first[i] as Set<number>)].sort((a, b) => a - b)) place(j);
    path.pop();
    placed[i] = true;
    out.push(items[i] as T);
  };
  items.forEach((_, i) => place(i));
  return out;
}
