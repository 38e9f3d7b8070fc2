import type { Generated } from "@flagon/database";

/** The tables, as the migrations in migrations/ make them. */
export interface DB {
  items: {
    id: Generated<number>;
    slug: string;
    name: string;
    price_cents: number;
    summary: string;
    source_url: string;
    /** ISO 8601, when the page was last read. */
    scraped_at: string;
  };
}
