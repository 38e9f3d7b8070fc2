// Flagon with function routes only.
import "reflect-metadata";
import { Flagon, text } from "@flagon/core";
import { announce, HELLO, JSON_BODY, OTHER_ROUTES, port, TEMPLATE_CONTEXT, VIEWS } from "./shared.js";
import { renderPage } from "./template.js";

const app = new Flagon({
  configFile: false,
  logger: false,
  root: VIEWS,
  config: { env: "production", templates: { folder: "." } },
});
app.get("/", () => text(HELLO));
app.get("/json", () => JSON_BODY);
for (const path of OTHER_ROUTES) app.get(path, () => "other");
app.get("/users/<id>", (ctx) => ({ id: ctx.request.params["id"] }));
app.post("/echo", (ctx) => ctx.request.json());
app.get("/template", (ctx) => renderPage(ctx, TEMPLATE_CONTEXT));
const { port: bound } = await app.listen({ port: port() });
announce(bound);
