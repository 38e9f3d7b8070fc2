// src/lookups.ts: Flask-SQLAlchemy's get_or_404 and first_or_404.
import { Database, firstOr404, getOr404 } from "@flagon/database";
import type { DB } from "./db.js";

/** The article `id` and the latest one; a 404 when either is missing. */
export async function articleAndLatest(db: Database<DB>, id: number) {
  const article = await getOr404(db, "articles", id); // by id, or { key: "slug" }
  const latest = await firstOr404(
    db.selectFrom("articles").selectAll().orderBy("id", "desc"),
    "no articles yet",
  );
  return { article, latest };
}
