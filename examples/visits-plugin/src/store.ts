import { AsyncLocalStorage } from "node:async_hooks";
import { Injectable } from "@flagon/core";

/** The visitor of the current request, as the plugin's handlers, services and templates see it. */
export interface Visitor {
  /** The id in the visitor's signed cookie. */
  readonly id: string;
  /** Visits counted for this id, this one included. */
  readonly visits: number;
  /** Whether this request made the id (no valid cookie came with it). */
  readonly isNew: boolean;
}

/** The visit counts, in memory (one per app; a real plugin would keep them in a database). */
@Injectable()
export class VisitStore {
  private readonly counts = new Map<string, number>();
  /** Bumped on every change: the ETag of the stats. */
  version = 0;

  record(id: string): number {
    const visits = (this.counts.get(id) ?? 0) + 1;
    this.counts.set(id, visits);
    this.version += 1;
    return visits;
  }

  add(rows: readonly VisitRow[]): void {
    for (const row of rows) this.counts.set(row.visitor, (this.counts.get(row.visitor) ?? 0) + row.visits);
    this.version += 1;
  }

  get total(): number {
    let total = 0;
    for (const visits of this.counts.values()) total += visits;
    return total;
  }

  /** The `n` visitors with the most visits, most first. */
  top(n: number): { visitor: string; visits: number }[] {
    return [...this.counts]
      .map(([visitor, visits]) => ({ visitor, visits }))
      .sort((a, b) => b.visits - a.visits || a.visitor.localeCompare(b.visitor))
      .slice(0, n);
  }
}

/** One row of a CSV import: `visitor,visits`. */
export interface VisitRow {
  readonly visitor: string;
  readonly visits: number;
}

/**
 * The visit scope: set around each handler by the plugin's interceptor, so any service the
 * handler calls can ask who the visitor is without being handed the context.
 */
export const visitScope = new AsyncLocalStorage<Visitor>();

/** The visitor of the request being handled, inside its handler; undefined outside one. */
export function currentVisitor(): Visitor | undefined {
  return visitScope.getStore();
}
