import { abort, type Context, Injectable } from "@flagon/core";
import { Database, type Page } from "@flagon/database";
import type { DB } from "./db.js";

/** A post as pages and the API show it. */
export interface Post {
  id: number;
  title: string;
  body: string;
  image: string | null;
  authorId: number;
  author: string;
  createdAt: string;
  updatedAt: string;
  tags: string[];
}

export interface Comment {
  id: number;
  body: string;
  author: string;
  createdAt: string;
}

/** What a form or the API gives to write a post. */
export interface PostInput {
  title: string;
  body: string;
  tags: string[];
  image?: string | null;
}

/** Posts per page of the index. */
export const PER_PAGE = 5;

/** `"a, B ,a"` → `["a", "b"]`: lower-case, trimmed, unique, at most 5 tags of 30 characters. */
export function parseTags(text: string): string[] {
  const tags = text
    .split(",")
    .map((tag) => tag.trim().toLowerCase().replace(/\s+/g, "-"))
    .filter((tag) => tag !== "");
  return [...new Set(tags)].slice(0, 5);
}

/** The posts, their tags and comments. */
@Injectable()
export class Posts {
  constructor(private readonly db: Database<DB>) {}

  private base() {
    return this.db
      .selectFrom("posts")
      .innerJoin("users", "users.id", "posts.author_id")
      .select([
        "posts.id as id",
        "posts.title as title",
        "posts.body as body",
        "posts.image as image",
        "posts.author_id as authorId",
        "users.username as author",
        "posts.created_at as createdAt",
        "posts.updated_at as updatedAt",
      ]);
  }

  /** One page of posts, newest first, optionally of one tag (`?page=` and `?per_page=` from `ctx`). */
  async page(ctx: Context, tag?: string): Promise<Page<Post>> {
    let query = this.base().orderBy("posts.created_at", "desc").orderBy("posts.id", "desc");
    if (tag !== undefined) {
      query = query.where("posts.id", "in", (eb) =>
        eb
          .selectFrom("post_tags")
          .innerJoin("tags", "tags.id", "post_tags.tag_id")
          .select("post_tags.post_id")
          .where("tags.name", "=", tag),
      );
    }
    const page = await this.db.paginate(query, ctx, { perPage: PER_PAGE, maxPerPage: 50 });
    const tags = await this.tagsOf(page.items.map((post) => post.id));
    return { ...page, items: page.items.map((post) => ({ ...post, tags: tags.get(post.id) ?? [] })) };
  }

  async find(id: number): Promise<Post | undefined> {
    const row = await this.base().where("posts.id", "=", id).executeTakeFirst();
    if (row === undefined) return undefined;
    const tags = await this.tagsOf([id]);
    return { ...row, tags: tags.get(id) ?? [] };
  }

  /** The post, or a 404 naming it. */
  async findOr404(id: number): Promise<Post> {
    return (await this.find(id)) ?? abort(404, `there is no post ${id}`);
  }

  async create(authorId: number, input: PostInput): Promise<number> {
    const now = new Date().toISOString();
    const { id } = await this.db
      .insertInto("posts")
      .values({
        author_id: authorId,
        title: input.title,
        body: input.body,
        image: input.image ?? null,
        created_at: now,
        updated_at: now,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await this.setTags(id, input.tags);
    return id;
  }

  /** Changes a post; `image: undefined` keeps its image, `null` removes it. */
  async update(id: number, input: PostInput): Promise<void> {
    await this.db
      .updateTable("posts")
      .set({
        title: input.title,
        body: input.body,
        updated_at: new Date().toISOString(),
        ...(input.image === undefined ? {} : { image: input.image }),
      })
      .where("id", "=", id)
      .execute();
    await this.setTags(id, input.tags);
  }

  async delete(id: number): Promise<void> {
    await this.db.deleteFrom("posts").where("id", "=", id).execute();
  }

  async comments(postId: number): Promise<Comment[]> {
    return this.db
      .selectFrom("comments")
      .innerJoin("users", "users.id", "comments.author_id")
      .select([
        "comments.id as id",
        "comments.body as body",
        "users.username as author",
        "comments.created_at as createdAt",
      ])
      .where("comments.post_id", "=", postId)
      .orderBy("comments.id")
      .execute();
  }

  async addComment(postId: number, authorId: number, body: string): Promise<void> {
    await this.db
      .insertInto("comments")
      .values({ post_id: postId, author_id: authorId, body, created_at: new Date().toISOString() })
      .execute();
  }

  /** Every tag in use, with how many posts carry it, most used first. */
  async tagCloud(): Promise<{ name: string; count: number }[]> {
    const rows = await this.db
      .selectFrom("tags")
      .innerJoin("post_tags", "post_tags.tag_id", "tags.id")
      .select(["tags.name as name", (eb) => eb.fn.countAll<number>().as("count")])
      .groupBy("tags.name")
      .orderBy("count", "desc")
      .orderBy("tags.name")
      .limit(20)
      .execute();
    return rows.map((row) => ({ name: row.name, count: Number(row.count) }));
  }

  private async setTags(postId: number, names: string[]): Promise<void> {
    await this.db.deleteFrom("post_tags").where("post_id", "=", postId).execute();
    for (const name of names) {
      await this.db
        .insertInto("tags")
        .values({ name })
        .onConflict((oc) => oc.column("name").doNothing())
        .execute();
      const tag = await this.db
        .selectFrom("tags")
        .select("id")
        .where("name", "=", name)
        .executeTakeFirstOrThrow();
      await this.db.insertInto("post_tags").values({ post_id: postId, tag_id: tag.id }).execute();
    }
  }

  private async tagsOf(postIds: number[]): Promise<Map<number, string[]>> {
    const map = new Map<number, string[]>();
    if (postIds.length === 0) return map;
    const rows = await this.db
      .selectFrom("post_tags")
      .innerJoin("tags", "tags.id", "post_tags.tag_id")
      .select(["post_tags.post_id as postId", "tags.name as name"])
      .where("post_tags.post_id", "in", postIds)
      .orderBy("tags.name")
      .execute();
    for (const row of rows) map.set(row.postId, [...(map.get(row.postId) ?? []), row.name]);
    return map;
  }
}
