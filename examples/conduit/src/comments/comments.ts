// Comments on an article: anyone reads them, a logged-in user writes them, and only their
// author deletes one.
import { ForbiddenError, Injectable, NotFoundError } from "@flagon/core";
import { Database } from "@flagon/database";
import type { DB } from "../db.js";
import { Articles } from "../articles/articles.js";
import { Profiles, profileJson, type ProfileJson } from "../profiles/profiles.js";

/** The spec's Comment. */
export interface CommentJson {
  id: number;
  createdAt: string;
  updatedAt: string;
  body: string;
  author: ProfileJson;
}

@Injectable()
export class Comments {
  constructor(
    private readonly db: Database<DB>,
    private readonly articles: Articles,
    private readonly profiles: Profiles,
  ) {}

  /** The article's comments, oldest first. */
  async list(slug: string, viewer: number | undefined): Promise<{ comments: CommentJson[] }> {
    const article = await this.articles.bySlug(slug);
    return {
      comments: await this.present(viewer, (query) => query.where("comments.article_id", "=", article.id)),
    };
  }

  async add(viewer: number, slug: string, body: string): Promise<{ comment: CommentJson }> {
    const article = await this.articles.bySlug(slug);
    const now = new Date().toISOString();
    const { id } = await this.db
      .insertInto("comments")
      .values({ article_id: article.id, author_id: viewer, body, created_at: now, updated_at: now })
      .returning("id")
      .executeTakeFirstOrThrow();
    const [comment] = await this.present(viewer, (query) => query.where("comments.id", "=", id));
    return { comment: comment! };
  }

  /** Deletes comment `id` of the article; 404 when the article has no such comment, 403 when it is another's. */
  async delete(viewer: number, slug: string, id: number): Promise<void> {
    const article = await this.articles.bySlug(slug);
    const comment = await this.db
      .selectFrom("comments")
      .select(["id", "author_id"])
      .where("id", "=", id)
      .where("article_id", "=", article.id)
      .executeTakeFirst();
    if (comment === undefined)
      throw new NotFoundError(`article ${JSON.stringify(slug)} has no comment ${id}`);
    if (comment.author_id !== viewer) throw new ForbiddenError("only its author may delete this comment");
    await this.db.deleteFrom("comments").where("id", "=", id).execute();
  }

  private async present(
    viewer: number | undefined,
    narrow: (query: ReturnType<Comments["base"]>) => ReturnType<Comments["base"]>,
  ): Promise<CommentJson[]> {
    const rows = await narrow(this.base()).orderBy("comments.created_at").orderBy("comments.id").execute();
    const following = await this.profiles.followedAmong(
      viewer,
      rows.map((row) => row.author_id),
    );
    return rows.map((row) => ({
      id: row.id,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      body: row.body,
      author: profileJson(row, following.has(row.author_id)),
    }));
  }

  private base() {
    return this.db
      .selectFrom("comments")
      .innerJoin("users as author", "author.id", "comments.author_id")
      .selectAll("comments")
      .select(["author.username", "author.bio", "author.image"]);
  }
}
