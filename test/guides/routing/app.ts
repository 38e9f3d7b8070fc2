import { Flagon, type FlagonOptions, NO_MATCH, type ConverterFactory, redirect } from "@flagon/core";
import { BooksController } from "./books.controller.js";

/** `<slug:name>`: lower-case words joined by dashes. */
const slug: ConverterFactory = () => ({
  weight: 100,
  match: (text) => (/^[a-z0-9]+(-[a-z0-9]+)*$/.test(text) ? text : NO_MATCH),
  toUrl: (value) => String(value),
});

export function createApp(options: Omit<FlagonOptions, "controllers"> = {}): Flagon {
  const app = new Flagon({ ...options, controllers: [BooksController], converters: { slug } });

  app.get("/", function index() {
    return "Hello, World!";
  });

  app.get("/search", function search(ctx) {
    const { query } = ctx.request;
    return { q: query.get("q") ?? "", tags: query.getAll("tag") };
  });

  app.get("/tags/<slug:name>", function tag(ctx) {
    return { tag: ctx.request.params["name"] };
  });

  app.get("/files/<path:name>", function file(ctx) {
    return { name: ctx.request.params["name"] };
  });

  app.get("/library", function library(ctx) {
    return redirect(ctx.urlFor("BooksController.list"), 301);
  });

  // Flask's @app.errorhandler(404): every 404 of the app, from the router or from abort(404).
  app.setErrorHandler(404, (error, ctx) => ({
    error: error instanceof Error ? error.message : "Not Found",
    path: ctx.request.path,
  }));

  return app;
}
