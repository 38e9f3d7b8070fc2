import { Body, Context, Controller, Ctx, Delete, Get, Param, Post, Put } from "@flagon/core";
import { Can, CurrentUser, LoginRequired, type Principal } from "@flagon/auth";
import { Cache } from "@flagon/cache";
import { z } from "zod";
import { excerpt, renderMarkdown } from "../markdown.js";
import { parseTags, Posts, type Post as BlogPost } from "../posts.js";
import { BlogSettings } from "../settings.js";
import { removeImage } from "../uploads.js";
import type { User } from "../users.js";
import { isAuthor, signedIn } from "./guards.js";
import { POSTS_TAG } from "./posts.controller.js";

/** A post as the API accepts it. */
export const PostInput = z
  .object({
    title: z.string().trim().min(1, "title is required").max(200, "title is at most 200 characters"),
    body: z.string().trim().min(1, "body is required").max(20_000, "body is at most 20000 characters"),
    tags: z.array(z.string().max(30, "a tag is at most 30 characters")).max(5, "at most 5 tags").default([]),
  })
  .strict();
export type PostInput = z.infer<typeof PostInput>;

/**
 * The JSON API beside the pages. Reading is open; writing takes a personal API token
 * (`Authorization: Bearer flg_…`, made on /account/tokens), and only a post's author may change
 * or delete it.
 */
@Controller("/api")
export class ApiController {
  constructor(
    private readonly posts: Posts,
    private readonly cache: Cache,
    private readonly settings: BlogSettings,
  ) {}

  /** `{ items, total, page, perPage, pages, prev, next }`, newest first; `?page=`, `?per_page=`, `?tag=`. */
  @Get("/posts")
  async list(@Ctx() ctx: Context) {
    const tag = ctx.request.query.get("tag") ?? undefined;
    const page = await this.posts.page(ctx, tag);
    return { ...page, items: page.items.map((post) => this.summary(ctx, post)) };
  }

  @Get("/posts/<int:id>")
  async show(@Param("id") id: number, @Ctx() ctx: Context) {
    const post = await this.posts.findOr404(id);
    const comments = await this.posts.comments(id);
    return { ...this.summary(ctx, post), body: post.body, html: renderMarkdown(post.body), comments };
  }

  @Post("/posts")
  @LoginRequired()
  async create(@Body(PostInput) input: PostInput, @CurrentUser() user: Principal<User>, @Ctx() ctx: Context) {
    const id = await this.posts.create(signedIn(user).id, {
      ...input,
      tags: parseTags(input.tags.join(",")),
    });
    await this.cache.invalidateTag(POSTS_TAG);
    ctx.response.status = 201;
    ctx.response.headers.set("location", ctx.urlFor("ApiController.show", { id }));
    return this.show(id, ctx);
  }

  @Put("/posts/<int:id>")
  @LoginRequired()
  @Can(isAuthor)
  async update(@Param("id") id: number, @Body(PostInput) input: PostInput, @Ctx() ctx: Context) {
    await this.posts.findOr404(id);
    await this.posts.update(id, { ...input, tags: parseTags(input.tags.join(",")) });
    await this.cache.invalidateTag(POSTS_TAG);
    return this.show(id, ctx);
  }

  @Delete("/posts/<int:id>")
  @LoginRequired()
  @Can(isAuthor)
  async remove(@Param("id") id: number): Promise<void> {
    const post = await this.posts.findOr404(id);
    await this.posts.delete(id);
    await removeImage(this.settings.uploadsDir, post.image);
    await this.cache.invalidateTag(POSTS_TAG);
  }

  /** Who the token belongs to. */
  @Get("/me")
  @LoginRequired()
  me(@CurrentUser() user: Principal<User>) {
    const me = signedIn(user);
    return { id: me.id, username: me.username };
  }

  private summary(ctx: Context, post: BlogPost) {
    return {
      id: post.id,
      title: post.title,
      author: post.author,
      tags: post.tags,
      excerpt: excerpt(post.body),
      image: post.image === null ? null : ctx.urlFor("UploadsController.image", { name: post.image }),
      url: ctx.urlFor("PostsController.show", { id: post.id }),
      createdAt: post.createdAt,
      updatedAt: post.updatedAt,
    };
  }
}
