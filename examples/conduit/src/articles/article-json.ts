// Rows of articles (joined with their authors) to the spec's Article: their tags, favourite
// counts, and what the viewer favours and follows, read in four queries for the whole list.
import { Injectable } from "@flagon/core";
import { Database, sql } from "@flagon/database";
import type { ArticleRow, DB, UserRow } from "../db.js";
import { Profiles, profileJson, type ProfileJson } from "../profiles/profiles.js";

/** An article row with its author's public fields, as the list and single queries select it. */
export type ArticleWithAuthor = ArticleRow & Pick<UserRow, "username" | "bio" | "image">;

/** The spec's Article; lists leave out the body (MultipleArticlesResponse has none). */
export interface ArticleJson {
  slug: string;
  title: string;
  description: string;
  body?: string;
  tagList: string[];
  createdAt: string;
  updatedAt: string;
  favorited: boolean;
  favoritesCount: number;
  author: ProfileJson;
}

@Injectable()
export class ArticlePresenter {
  constructor(
    private readonly db: Database<DB>,
    private readonly profiles: Profiles,
  ) {}

  async present(
    rows: readonly ArticleWithAuthor[],
    viewer: number | undefined,
    options: { body: boolean },
  ): Promise<ArticleJson[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((row) => row.id);
    // One after another: inside a request transaction they share one connection.
    const tags = await this.db
      .selectFrom("article_tags")
      .select(["article_id", "tag"])
      .where("article_id", "in", ids)
      .orderBy("article_id")
      .orderBy("position")
      .execute();
    const counts = await this.db
      .selectFrom("favorites")
      .select(["article_id", sql<number | string>`count(*)`.as("n")])
      .where("article_id", "in", ids)
      .groupBy("article_id")
      .execute();
    const mine =
      viewer === undefined
        ? []
        : await this.db
            .selectFrom("favorites")
            .select("article_id")
            .where("user_id", "=", viewer)
            .where("article_id", "in", ids)
            .execute();
    const following = await this.profiles.followedAmong(
      viewer,
      rows.map((row) => row.author_id),
    );
    const tagsOf = new Map<number, string[]>();
    for (const { article_id, tag } of tags) tagsOf.set(article_id, [...(tagsOf.get(article_id) ?? []), tag]);
    const countOf = new Map(counts.map((row) => [row.article_id, Number(row.n)]));
    const favoured = new Set(mine.map((row) => row.article_id));
    return rows.map((row) => ({
      slug: row.slug,
      title: row.title,
      description: row.description,
      ...(options.body ? { body: row.body } : {}),
      tagList: tagsOf.get(row.id) ?? [],
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      favorited: favoured.has(row.id),
      favoritesCount: countOf.get(row.id) ?? 0,
      author: profileJson(row, following.has(row.author_id)),
    }));
  }
}
