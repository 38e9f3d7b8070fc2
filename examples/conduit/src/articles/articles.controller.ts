import { Body, Context, Controller, Ctx, Delete, Get, Param, Post, Put, Query } from "@flagon/core";
import { LoginRequired } from "@flagon/auth";
import { Transactional } from "@flagon/database";
import type { UserRow } from "../db.js";
import { windowOf } from "../http/paging.js";
import { Me, Viewer } from "../http/viewer.js";
import type { ArticleJson } from "./article-json.js";
import { Articles, type ArticleList } from "./articles.js";
import { NewArticleBody, UpdateArticleBody } from "./schemas.js";

type ArticleAnswer = Promise<{ article: ArticleJson }>;

/**
 * GetArticles, GetArticlesFeed, CreateArticle, GetArticle, UpdateArticle, DeleteArticle,
 * CreateArticleFavorite and DeleteArticleFavorite.
 */
@Controller("/api/articles")
export class ArticlesController {
  constructor(private readonly articles: Articles) {}

  @Get("")
  list(
    @Viewer() viewer: UserRow | undefined,
    @Query("tag") tag?: string,
    @Query("author") author?: string,
    @Query("favorited") favorited?: string,
    @Query("limit") limit?: string,
    @Query("offset") offset?: string,
  ): Promise<ArticleList> {
    return this.articles.list({ tag, author, favorited }, windowOf(limit, offset), viewer?.id);
  }

  /** The articles of the authors the user follows, most recent first. */
  @LoginRequired()
  @Get("/feed")
  feed(
    @Me() me: UserRow,
    @Query("limit") limit?: string,
    @Query("offset") offset?: string,
  ): Promise<ArticleList> {
    return this.articles.list({ followedBy: me.id }, windowOf(limit, offset), me.id);
  }

  /** The article and its tags are written in one transaction: both or neither. */
  @LoginRequired()
  @Transactional()
  @Post("")
  async create(
    @Me() me: UserRow,
    @Body(NewArticleBody) body: NewArticleBody,
    @Ctx() ctx: Context,
  ): ArticleAnswer {
    const article = await this.articles.create(me.id, body.article);
    ctx.response.status = 201;
    return article;
  }

  /** The spec declares no 401 here: a token that does not verify reads as anonymous. */
  @Get("/<slug>")
  show(
    @Param("slug") slug: string,
    @Viewer({ badToken: "anonymous" }) viewer: UserRow | undefined,
  ): ArticleAnswer {
    return this.articles.get(slug, viewer?.id);
  }

  @LoginRequired()
  @Transactional()
  @Put("/<slug>")
  update(
    @Param("slug") slug: string,
    @Me() me: UserRow,
    @Body(UpdateArticleBody) body: UpdateArticleBody,
  ): ArticleAnswer {
    return this.articles.update(me.id, slug, body.article);
  }

  /** Answers 204 with no body. */
  @LoginRequired()
  @Delete("/<slug>")
  async delete(@Param("slug") slug: string, @Me() me: UserRow): Promise<void> {
    await this.articles.delete(me.id, slug);
  }

  @LoginRequired()
  @Post("/<slug>/favorite")
  favorite(@Param("slug") slug: string, @Me() me: UserRow): ArticleAnswer {
    return this.articles.favorite(me.id, slug, true);
  }

  @LoginRequired()
  @Delete("/<slug>/favorite")
  unfavorite(@Param("slug") slug: string, @Me() me: UserRow): ArticleAnswer {
    return this.articles.favorite(me.id, slug, false);
  }
}
