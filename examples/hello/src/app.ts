import { Flagon, text, type Context } from "@flagon/core";

/**
 * Builds the hello app without listening: `server.ts` serves it, the tests `inject` into it.
 *
 * @example
 * const res = await createApp().inject({ url: "/hello/Ada" }); // "Hello, Ada!"
 */
export function createApp(): Flagon {
  const app = new Flagon();

  // A string is sent as text/html.
  app.get("/", () => "Hello, World!");

  // An object or array is sent as JSON.
  app.get("/api/hello", () => ({ message: "Hello, World!" }));

  // `<name>` matches one path segment. User input goes out as text/plain, never as HTML.
  app.get("/hello/<name>", (ctx: Context) => text(`Hello, ${String(ctx.request.params["name"])}!`));

  return app;
}
