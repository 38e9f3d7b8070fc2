import { fileURLToPath } from "node:url";
import { Flagon, type FlagonOptions, markSafe, redirect, render } from "@flagon/core";
import { NotesController } from "./notes.controller.js";

/** This folder: it holds `templates/` and `static/`, as a Flask app's package does. */
const root = fileURLToPath(new URL(".", import.meta.url));

/** `{{ text | shout }}`: a filter that builds markup escapes the input itself, then marks it safe. */
function shout(value: unknown): unknown {
  const escaped = String(value).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return markSafe(`<strong>${escaped}</strong>`);
}

export function createApp(options: Omit<FlagonOptions, "controllers" | "root"> = {}): Flagon {
  const app = new Flagon({ ...options, root, controllers: [NotesController] });

  app.templates.addGlobal("siteName", "Notebook");
  app.templates.addFilter("shout", shout);

  app.get("/", function index() {
    return render("index.html", { title: "Welcome", note: "<b>not bold</b>" });
  });

  app.get("/hello.txt", function helloText(ctx) {
    return render("hello.txt", { name: ctx.request.query.get("name") ?? "<world>" });
  });

  app.post("/login", async function login(ctx) {
    await ctx.flash("You were logged in", "success");
    return redirect(ctx.urlFor("index"));
  });

  return app;
}
