// Flask-SQLAlchemy's get_or_404 and first_or_404, for Kysely queries.
import { NotFoundError } from "@flagon/core";
import type { Kysely, Selectable } from "kysely";
import type { Database } from "./database.js";

/** A query that can give its first row: any Kysely select (or `returning`) builder. */
export interface FirstRowQuery<O> {
  executeTakeFirst(): Promise<O | undefined>;
}

/** The query's first row, or a 404 (`message` as the problem's detail, default "Not Found"). */
export async function firstOr404<O>(query: FirstRowQuery<O>, message?: string): Promise<O> {
  const row = await query.executeTakeFirst();
  if (row === undefined) throw new NotFoundError(message);
  return row;
}

/**
 * The row of `table` whose `key` column (default `id`) equals `value`, or a 404 naming the
 * table's record: `getOr404(db, "articles", id)`.
 */
export async function getOr404<DB, TB extends keyof DB & string>(
  db: Database<DB>,
  table: TB,
  value: unknown,
  options: { key?: string; message?: string } = {},
): Promise<Selectable<DB[TB]>> {
  // Kysely types columns per table; the key is checked by the database instead.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const query = (db as Kysely<any>)
    .selectFrom(table)
    .selectAll()
    .where(options.key ?? "id", "=", value);
  return (await firstOr404(query, options.message)) as Selectable<DB[TB]>;
}
