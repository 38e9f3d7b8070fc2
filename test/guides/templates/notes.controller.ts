import { abort, Context, Controller, Ctx, Get, Param, Render } from "@flagon/core";

const NOTES = new Map([
  [1, { id: 1, title: "Shopping", body: "Milk & <eggs>" }],
  [2, { id: 2, title: "Ideas", body: "A guide per feature" }],
]);

@Controller("/notes")
export class NotesController {
  /** `@Render` renders the plain object the method returns: Flask's `return render_template(…)`. */
  @Get("/")
  @Render("notes/list.html")
  list() {
    return { notes: [...NOTES.values()] };
  }

  @Get("/<int:id>")
  @Render("notes/show.html")
  show(@Param("id") id: number) {
    return { note: NOTES.get(id) ?? abort(404) };
  }

  /** `ctx.render()` renders at once and resolves with the response, e.g. to set a header on it. */
  @Get("/<int:id>/print")
  async print(@Param("id") id: number, @Ctx() ctx: Context) {
    const res = await ctx.render("notes/show.html", { note: NOTES.get(id) ?? abort(404) });
    res.headers.set("cache-control", "no-store");
    return res;
  }
}
