// Express 5 with the same routes.
import express from "express";
import type { AddressInfo } from "node:net";
import nunjucks from "nunjucks";
import { announce, HELLO, JSON_BODY, OTHER_ROUTES, port, TEMPLATE_CONTEXT, VIEWS } from "./shared.js";

const app = express();
nunjucks.configure(VIEWS, { autoescape: true, express: app });
app.disable("x-powered-by");
app.get("/", (_req, res) => {
  res.type("text/plain").send(HELLO);
});
app.get("/json", (_req, res) => {
  res.json(JSON_BODY);
});
for (const path of OTHER_ROUTES) app.get(path, (_req, res) => void res.send("other"));
app.get("/users/:id", (req, res) => {
  res.json({ id: req.params["id"] });
});
app.post("/echo", express.json(), (req, res) => {
  res.json(req.body);
});
app.get("/template", (_req, res) => {
  res.render("page.njk", TEMPLATE_CONTEXT);
});
const server = app.listen(port(), "127.0.0.1", () => announce((server.address() as AddressInfo).port));
