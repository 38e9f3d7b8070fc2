// src/articles.ts
import { Body, Controller, Get, Param, Post } from "@flagon/core";
import { Database, firstOr404, getOr404, Transactional } from "@flagon/database";
import type { DB } from "./db.js";

@Controller("/articles")
export class Articles {
  constructor(private readonly db: Database<DB>) {}

  @Get("/<slug>")
  show(@Param("slug") slug: string) {
    return firstOr404(this.db.selectFrom("articles").selectAll().where("slug", "=", slug));
  }

  @Transactional()
  @Post("/")
  async create(@Body() input: { slug: string; title: string; body: string }) {
    await this.db.insertInto("articles").values(input).execute();
    return getOr404(this.db, "articles", input.slug, { key: "slug" });
  }
}
