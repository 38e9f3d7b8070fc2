// step-5-posts/posts.controller.ts
import { Context, Controller, Ctx, Route, redirect, render } from "@flagon/core";
import { LoginRequired } from "@flagon/auth";
import { Form } from "@flagon/forms";
import { Posts } from "../step-2-database/posts.js";
import { PostForm } from "./forms.js";

@Controller("/posts")
export class PostsController {
  constructor(private readonly posts: Posts) {}

  /** Only for logged-in users: anyone else is sent to the login page, and back here after it. */
  @LoginRequired()
  @Route("/new", { methods: ["GET", "POST"] })
  async create(@Form() form: PostForm, @Ctx() ctx: Context) {
    if (!form.valid) return render("posts/new.html", { form }, { status: form.submitted ? 422 : 200 });
    const id = await this.posts.create(form.data.title, form.data.body);
    await ctx.flash("Your post is published.");
    return redirect(ctx.urlFor("PagesController.show", { id }), 303);
  }
}
