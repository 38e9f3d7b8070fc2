// src/pages.ts
import { Context, Controller, Ctx, Get, Render } from "@flagon/core";
import { Database } from "@flagon/database";
import type { DB } from "./db.js";

/** The articles a page at a time: as JSON for API clients, as the HTML home page for browsers. */
@Controller()
export class ArticlePages {
  constructor(private readonly db: Database<DB>) {}

  @Get("/articles/")
  list(@Ctx() ctx: Context) {
    return this.db.paginate(this.db.selectFrom("articles").selectAll().orderBy("id"), ctx, { perPage: 20 });
  }
  // { items: [...], total: 57, page: 2, perPage: 20, pages: 3, prev: 1, next: 3 }

  @Get("/")
  @Render("articles/list.html")
  async browse(@Ctx() ctx: Context) {
    const query = this.db.selectFrom("articles").select(["slug", "title"]).orderBy("id");
    return { page: await this.db.paginate(query, ctx) };
  }
}
