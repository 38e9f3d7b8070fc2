// step-2-database/db.ts
import type { Generated } from "@flagon/database";

/** The tables, as Kysely sees them. */
export interface DB {
  posts: {
    id: Generated<number>;
    title: string;
    body: string;
    created_at: string;
  };
}
