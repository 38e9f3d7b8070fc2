// Fastify 5 with the same routes; the template through @fastify/view and nunjucks.
import view from "@fastify/view";
import Fastify from "fastify";
import nunjucks from "nunjucks";
import { announce, HELLO, JSON_BODY, OTHER_ROUTES, port, TEMPLATE_CONTEXT, VIEWS } from "./shared.js";

const app = Fastify({ logger: false });
await app.register(view, { engine: { nunjucks }, root: VIEWS });
app.get("/", (_req, reply) => reply.type("text/plain; charset=utf-8").send(HELLO));
app.get("/json", () => JSON_BODY);
for (const path of OTHER_ROUTES) app.get(path, () => "other");
app.get<{ Params: { id: string } }>("/users/:id", (req) => ({ id: req.params.id }));
app.post("/echo", (req) => req.body);
app.get("/template", (_req, reply) => reply.view("page.njk", TEMPLATE_CONTEXT));
await app.listen({ port: port(), host: "127.0.0.1" });
announce(
  app.server.address() && typeof app.server.address() === "object"
    ? (app.server.address() as { port: number }).port
    : 0,
);
