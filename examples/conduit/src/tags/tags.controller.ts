import { Controller, Get } from "@flagon/core";
import { Database } from "@flagon/database";
import type { DB } from "../db.js";

/** GetTags: every tag in use, the most used first. */
@Controller("/api/tags")
export class TagsController {
  constructor(private readonly db: Database<DB>) {}

  @Get("")
  async list(): Promise<{ tags: string[] }> {
    const rows = await this.db
      .selectFrom("article_tags")
      .select("tag")
      .groupBy("tag")
      .orderBy((eb) => eb.fn.countAll(), "desc")
      .orderBy("tag")
      .execute();
    return { tags: rows.map((row) => row.tag) };
  }
}
