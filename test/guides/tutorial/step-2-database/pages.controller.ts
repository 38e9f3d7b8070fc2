// step-2-database/pages.controller.ts
import { Controller, Get, Param, Render, abort } from "@flagon/core";
// A value import, not `import type`: the constructor's parameter type is what gets injected.
import { Posts } from "./posts.js";

@Controller()
export class PagesController {
  constructor(private readonly posts: Posts) {}

  @Get("/")
  @Render("index.html")
  async index() {
    return { posts: await this.posts.latest() };
  }

  @Get("/posts/<int:id>")
  @Render("posts/show.html")
  async show(@Param("id") id: number) {
    return { post: (await this.posts.find(id)) ?? abort(404) };
  }
}
