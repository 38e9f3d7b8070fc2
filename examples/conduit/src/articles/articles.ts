// Articles: the lists (global with filters, and the feed), one article by slug, and the
// author's writes, favourites included.
import { ForbiddenError, Injectable, NotFoundError } from "@flagon/core";
import { Database, sql } from "@flagon/database";
import type { ArticleRow, DB } from "../db.js";
import type { Window } from "../http/paging.js";
import { ArticlePresenter, type ArticleJson, type ArticleWithAuthor } from "./article-json.js";
import { cleanTags, type NewArticleBody, type UpdateArticleBody } from "./schemas.js";
import { slugify, suffixed } from "./slug.js";

export interface ArticleFilters {
  readonly tag?: string | undefined;
  readonly author?: string | undefined;
  readonly favorited?: string | undefined;
  /** Only the authors this user follows (the feed). */
  readonly followedBy?: number | undefined;
}

export interface ArticleList {
  articles: ArticleJson[];
  articlesCount: number;
}

@Injectable()
export class Articles {
  constructor(
    private readonly db: Database<DB>,
    private readonly presenter: ArticlePresenter,
  ) {}

  /** Articles matching every filter given, most recent first, one window of them. */
  async list(filters: ArticleFilters, window: Window, viewer: number | undefined): Promise<ArticleList> {
    const matching = this.matching(filters);
    const counted = await matching.select(sql<number | string>`count(*)`.as("n")).executeTakeFirst();
    const rows = await this.withAuthor(matching)
      .orderBy("articles.created_at", "desc")
      .orderBy("articles.id", "desc")
      .limit(window.limit)
      .offset(window.offset)
      .execute();
    return {
      articles: await this.presenter.present(rows, viewer, { body: false }),
      articlesCount: Number(counted?.n ?? 0),
    };
  }

  async get(slug: string, viewer: number | undefined): Promise<{ article: ArticleJson }> {
    return this.single(await this.bySlug(slug), viewer);
  }

  async create(author: number, input: NewArticleBody["article"]): Promise<{ article: ArticleJson }> {
    const now = new Date().toISOString();
    const { id } = await this.db
      .insertInto("articles")
      .values({
        slug: await this.freeSlug(input.title),
        title: input.title,
        description: input.description,
        body: input.body,
        author_id: author,
        created_at: now,
        updated_at: now,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const tags = cleanTags(input.tagList);
    if (tags.length > 0) {
      await this.db
        .insertInto("article_tags")
        .values(tags.map((tag, position) => ({ article_id: id, tag, position })))
        .execute();
    }
    return this.single(await this.byId(id), author);
  }

  /** The author's changes; a new title gives a new slug. */
  async update(
    viewer: number,
    slug: string,
    changes: UpdateArticleBody["article"],
  ): Promise<{ article: ArticleJson }> {
    const article = this.ownedBy(await this.bySlug(slug), viewer, "edit");
    const values: Partial<ArticleRow> = {};
    if (changes.title !== undefined && changes.title !== article.title) {
      values.title = changes.title;
      values.slug = await this.freeSlug(changes.title, article.id);
    }
    if (changes.description !== undefined) values.description = changes.description;
    if (changes.body !== undefined) values.body = changes.body;
    if (Object.keys(values).length > 0) {
      await this.db
        .updateTable("articles")
        .set({ ...values, updated_at: new Date().toISOString() })
        .where("id", "=", article.id)
        .execute();
    }
    return this.single(await this.byId(article.id), viewer);
  }

  /** Deletes the author's article with its tags, favourites and comments. */
  async delete(viewer: number, slug: string): Promise<void> {
    const article = this.ownedBy(await this.bySlug(slug), viewer, "delete");
    await this.db.deleteFrom("articles").where("id", "=", article.id).execute();
  }

  async favorite(viewer: number, slug: string, on: boolean): Promise<{ article: ArticleJson }> {
    const article = await this.bySlug(slug);
    if (on) {
      await this.db
        .insertInto("favorites")
        .values({ user_id: viewer, article_id: article.id })
        .onConflict((conflict) => conflict.columns(["user_id", "article_id"]).doNothing())
        .execute();
    } else {
      await this.db
        .deleteFrom("favorites")
        .where("user_id", "=", viewer)
        .where("article_id", "=", article.id)
        .execute();
    }
    return this.single(article, viewer);
  }

  /** The article called `slug`, or a 404 naming it. */
  async bySlug(slug: string): Promise<ArticleWithAuthor> {
    const row = await this.withAuthor(this.matching({})).where("articles.slug", "=", slug).executeTakeFirst();
    if (row === undefined) throw new NotFoundError(`article ${JSON.stringify(slug)} does not exist`);
    return row;
  }

  private async byId(id: number): Promise<ArticleWithAuthor> {
    return this.withAuthor(this.matching({})).where("articles.id", "=", id).executeTakeFirstOrThrow();
  }

  private async single(
    row: ArticleWithAuthor,
    viewer: number | undefined,
  ): Promise<{ article: ArticleJson }> {
    const [article] = await this.presenter.present([row], viewer, { body: true });
    return { article: article! };
  }

  private ownedBy(article: ArticleWithAuthor, viewer: number, what: string): ArticleWithAuthor {
    if (article.author_id !== viewer) throw new ForbiddenError(`only the author may ${what} this article`);
    return article;
  }

  /** The title's slug, suffixed while another article holds it. */
  private async freeSlug(title: string, self?: number): Promise<string> {
    let slug = slugify(title);
    for (;;) {
      let query = this.db.selectFrom("articles").select("id").where("slug", "=", slug);
      if (self !== undefined) query = query.where("id", "<>", self);
      if ((await query.executeTakeFirst()) === undefined) return slug;
      slug = suffixed(slugify(title));
    }
  }

  private matching(filters: ArticleFilters) {
    let query = this.db
      .selectFrom("articles")
      .innerJoin("users as author", "author.id", "articles.author_id");
    if (filters.author !== undefined) query = query.where("author.username", "=", filters.author);
    if (filters.tag !== undefined) {
      const tag = filters.tag;
      query = query.where((eb) =>
        eb.exists(
          eb
            .selectFrom("article_tags")
            .select("article_tags.article_id")
            .whereRef("article_tags.article_id", "=", "articles.id")
            .where("article_tags.tag", "=", tag),
        ),
      );
    }
    if (filters.favorited !== undefined) {
      const fan = filters.favorited;
      query = query.where((eb) =>
        eb.exists(
          eb
            .selectFrom("favorites")
            .innerJoin("users as fan", "fan.id", "favorites.user_id")
            .select("favorites.article_id")
            .whereRef("favorites.article_id", "=", "articles.id")
            .where("fan.username", "=", fan),
        ),
      );
    }
    if (filters.followedBy !== undefined) {
      const follower = filters.followedBy;
      query = query.where("articles.author_id", "in", (eb) =>
        eb.selectFrom("follows").select("follows.followed_id").where("follows.follower_id", "=", follower),
      );
    }
    return query;
  }

  private withAuthor(query: ReturnType<Articles["matching"]>) {
    return query.selectAll("articles").select(["author.username", "author.bio", "author.image"]);
  }
}
