import {
  Context,
  Controller,
  Ctx,
  Get,
  Param,
  Post,
  Render,
  Route,
  redirect,
  render,
  type FlagonResponse,
} from "@flagon/core";
import { Can, CurrentUser, LoginRequired, type Principal } from "@flagon/auth";
import { Cache, Cached } from "@flagon/cache";
import { Form } from "@flagon/forms";
import { CommentForm, PostForm } from "../forms/index.js";
import { parseTags, Posts, type Post as BlogPost } from "../posts.js";
import { BlogSettings } from "../settings.js";
import { removeImage, storeImage } from "../uploads.js";
import type { User } from "../users.js";
import { isAuthor, signedIn } from "./guards.js";

/** The cache tag of every page that lists posts; a write invalidates it. */
export const POSTS_TAG = "posts";

/**
 * How the lists are cached: a minute, by tag. Keyed by the Cookie header too, so that the page
 * stored for a visitor without cookies is served only to such visitors: a signed-in reader (or
 * one with a flash message waiting) never gets it, and their own pages are never stored.
 */
const INDEX_CACHE = { ttl: 60, tags: [POSTS_TAG], varyBy: ["cookie"] };

/** The blog's pages: the index, tag pages, a post with its comments, and writing posts. */
@Controller()
export class PostsController {
  constructor(
    private readonly posts: Posts,
    private readonly cache: Cache,
    private readonly settings: BlogSettings,
  ) {}

  /**
   * The newest posts, a page at a time. Cached for anonymous visitors; @flagon/cache never stores
   * the page of a signed-in user (their session is read) nor one that sets a cookie.
   */
  @Cached(INDEX_CACHE)
  @Get("/")
  @Render("index.html")
  async index(@Ctx() ctx: Context) {
    return {
      page: await this.posts.page(ctx),
      tags: await this.posts.tagCloud(),
      href: ctx.urlFor("PostsController.index"),
    };
  }

  /** The posts of one tag. */
  @Cached(INDEX_CACHE)
  @Get("/tags/<tag>")
  @Render("index.html")
  async tag(@Param("tag") tag: string, @Ctx() ctx: Context) {
    const href = ctx.urlFor("PostsController.tag", { tag });
    return { page: await this.posts.page(ctx, tag), tags: await this.posts.tagCloud(), tag, href };
  }

  /** A post, its comments and, for a signed-in reader, the comment form. */
  @Get("/posts/<int:id>")
  async show(@Param("id") id: number): Promise<FlagonResponse> {
    return this.postPage(await this.posts.findOr404(id), new CommentForm());
  }

  @Route("/posts/new", { methods: ["GET", "POST"] })
  @LoginRequired()
  async create(
    @Form() form: PostForm,
    @CurrentUser() user: Principal<User>,
    @Ctx() ctx: Context,
  ): Promise<FlagonResponse> {
    const page = () =>
      render("posts/form.html", { form, post: undefined }, { status: form.submitted ? 422 : 200 });
    if (!form.valid) return page();
    const { title, body, tags } = form.data;
    const stored = await this.storedImage(form);
    if (stored === false) return page();
    const id = await this.posts.create(signedIn(user).id, {
      title,
      body,
      tags: parseTags(tags),
      image: stored ?? null,
    });
    await this.cache.invalidateTag(POSTS_TAG);
    await ctx.flash("Your post is published.", "success");
    return redirect(ctx.urlFor("PostsController.show", { id }), 303);
  }

  /** Editing, for the post's author only (anyone else gets a 403). */
  @Route("/posts/<int:id>/edit", { methods: ["GET", "POST"] })
  @LoginRequired()
  @Can(isAuthor)
  async edit(
    @Param("id") id: number,
    @Form() submitted: PostForm,
    @Ctx() ctx: Context,
  ): Promise<FlagonResponse> {
    const post = await this.posts.findOr404(id);
    // A GET shows the post's current values; a post shows what was submitted.
    const form = submitted.submitted
      ? submitted
      : new PostForm(null, { initial: { title: post.title, body: post.body, tags: post.tags.join(", ") } });
    const page = () => render("posts/form.html", { form, post }, { status: form.submitted ? 422 : 200 });
    if (!form.valid) return page();
    const { title, body, tags, removeImage: remove } = form.data;
    const stored = await this.storedImage(form);
    if (stored === false) return page();
    // A new image replaces the old one; "remove" without a new one leaves none.
    const replacement = stored ?? (remove ? null : undefined);
    await this.posts.update(id, { title, body, tags: parseTags(tags), image: replacement });
    if (replacement !== undefined) await removeImage(this.settings.uploadsDir, post.image);
    await this.cache.invalidateTag(POSTS_TAG);
    await ctx.flash("Your changes are saved.", "success");
    return redirect(ctx.urlFor("PostsController.show", { id }), 303);
  }

  @Post("/posts/<int:id>/delete")
  @LoginRequired()
  @Can(isAuthor)
  async delete(@Param("id") id: number, @Ctx() ctx: Context): Promise<FlagonResponse> {
    const post = await this.posts.findOr404(id);
    await this.posts.delete(id);
    await removeImage(this.settings.uploadsDir, post.image);
    await this.cache.invalidateTag(POSTS_TAG);
    await ctx.flash(`“${post.title}” is deleted.`, "info");
    return redirect(ctx.urlFor("PostsController.index"), 303);
  }

  @Post("/posts/<int:id>/comments")
  @LoginRequired()
  async comment(
    @Param("id") id: number,
    @Form() form: CommentForm,
    @CurrentUser() user: Principal<User>,
    @Ctx() ctx: Context,
  ): Promise<FlagonResponse> {
    const post = await this.posts.findOr404(id);
    if (!form.valid) return this.postPage(post, form, 422);
    await this.posts.addComment(id, signedIn(user).id, form.data.body);
    await ctx.flash("Thanks for your comment.", "success");
    return redirect(`${ctx.urlFor("PostsController.show", { id })}#comments`, 303);
  }

  /**
   * Stores the form's image, if it has one: its name, undefined without an image, or false when
   * the file is refused (the form then carries the error to show).
   */
  private async storedImage(form: PostForm): Promise<string | undefined | false> {
    const { image } = form.data;
    if (image === undefined) return undefined;
    const result = await storeImage(this.settings.uploadsDir, image);
    if ("name" in result) return result.name;
    form.addError("image", result.error);
    return false;
  }

  private async postPage(post: BlogPost, commentForm: CommentForm, status = 200): Promise<FlagonResponse> {
    const comments = await this.posts.comments(post.id);
    return render("posts/show.html", { post, comments, commentForm }, { status });
  }
}
