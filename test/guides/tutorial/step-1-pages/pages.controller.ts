// step-1-pages/pages.controller.ts
import { Controller, Get, Render } from "@flagon/core";

@Controller()
export class PagesController {
  @Get("/")
  @Render("index.html")
  index() {
    return { posts: [] };
  }
}
