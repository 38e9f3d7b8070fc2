// Baseline: node:http with hand-written routing.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import nunjucks from "nunjucks";
import { announce, HELLO, JSON_BODY, OTHER_ROUTES, port, TEMPLATE_CONTEXT, VIEWS } from "./shared.js";

const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(VIEWS), { autoescape: true });
const others = new Set(OTHER_ROUTES);
const server = createServer((req, res) => {
  const url = req.url ?? "/";
  if (req.method === "GET" && url === "/") {
    res.writeHead(200, {
      "content-type": "text/plain; charset=utf-8",
      "content-length": Buffer.byteLength(HELLO),
    });
    res.end(HELLO);
  } else if (req.method === "GET" && url === "/json") {
    const body = JSON.stringify(JSON_BODY);
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
  } else if (req.method === "GET" && url.startsWith("/users/")) {
    const body = JSON.stringify({ id: decodeURIComponent(url.slice(7)) });
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
  } else if (req.method === "POST" && url === "/echo") {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.stringify(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
      res.end(body);
    });
  } else if (req.method === "GET" && url === "/template") {
    env.render("page.njk", TEMPLATE_CONTEXT, (error, html) => {
      const body = error ? "error" : (html ?? "");
      res.writeHead(error ? 500 : 200, { "content-type": "text/html; charset=utf-8" });
      res.end(body);
    });
  } else if (others.has(url)) {
    res.end("other");
  } else {
    res.writeHead(404);
    res.end();
  }
});
server.listen(port(), "127.0.0.1", () => announce((server.address() as AddressInfo).port));
