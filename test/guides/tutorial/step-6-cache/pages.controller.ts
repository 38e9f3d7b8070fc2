// step-6-cache/pages.controller.ts
import { Controller, Get, Param, Render, abort } from "@flagon/core";
import { Cached } from "@flagon/cache";
import { Posts } from "../step-2-database/posts.js";

/**
 * Step 2's pages, cached until a post is published. `varyBy: ["cookie"]` keeps the copy made for
 * a visitor without cookies from being served to a logged-in user (whose own page, which reads the
 * session, is never stored).
 */
@Controller()
export class PagesController {
  constructor(private readonly posts: Posts) {}

  @Cached({ ttl: 60, tags: ["posts"], varyBy: ["cookie"] })
  @Get("/")
  @Render("index.html")
  async index() {
    return { posts: await this.posts.latest() };
  }

  @Cached({ ttl: 300, tags: ["posts"], varyBy: ["cookie"] })
  @Get("/posts/<int:id>")
  @Render("posts/show.html")
  async show(@Param("id") id: number) {
    return { post: (await this.posts.find(id)) ?? abort(404) };
  }
}
