import {
  Body,
  Context,
  Controller,
  Cookie,
  Ctx,
  Delete,
  Get,
  Header,
  Param,
  Post,
  Query,
  abort,
} from "@flagon/core";
import { z } from "zod";
// A value import, not `import type`: the constructor's parameter type is the injection token.
import { BookStore } from "./book-store.js";

export const NewBook = z.object({
  title: z.string().trim().min(1, "a title is required"),
  year: z.number().int().max(2100),
  tags: z.array(z.string()).default([]),
});
export type NewBook = z.infer<typeof NewBook>;

const Page = z.coerce.number().int().min(1).default(1);

@Controller("/books")
export class BooksController {
  constructor(private readonly store: BookStore) {}

  @Get("/") // declared with a slash: GET /books redirects here
  list(@Query("page", Page) page: number, @Query("tag") tags: string[]) {
    return { page, books: this.store.list(tags) };
  }

  @Get("/<int:id>") // GET /books/abc is a 404: the converter does not match
  show(@Param("id") id: number) {
    return this.store.find(id) ?? abort(404, `there is no book ${id}`);
  }

  @Post("/")
  create(@Body(NewBook) input: NewBook, @Ctx() ctx: Context) {
    const book = this.store.add(input);
    ctx.response.status = 201;
    ctx.response.headers.set("location", ctx.urlFor("BooksController.show", { id: book.id }));
    return book;
  }

  @Delete("/<int:id>")
  remove(@Param("id") id: number, @Header("x-api-key") apiKey?: string) {
    if (apiKey !== "let-me-in") abort(403, "send the right X-Api-Key header");
    if (!this.store.remove(id)) abort(404, `there is no book ${id}`);
  }

  @Get("/<int:id>/cover/<any(small,large):size>")
  cover(@Param("id") id: number, @Param("size") size: string, @Cookie("theme") theme?: string) {
    return { id, size, theme: theme ?? "light" };
  }
}
