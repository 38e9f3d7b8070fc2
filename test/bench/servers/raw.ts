// Baseline: node:http with hand-written routing.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type nunjucks from "nunjucks";
import { securityHeadersFor } from "./security-headers.js";
import { announce, HELLO, JSON_BODY, OTHER_ROUTES, port, TEMPLATE_CONTEXT, VIEWS } from "./shared.js";

// nunjucks is loaded with the first template request, as Flagon loads it: loading it changes how
// V8 runs some string code in the whole process, which would skew the other routes' figures.
let env: nunjucks.Environment | undefined;
async function templates(): Promise<nunjucks.Environment> {
  if (env === undefined) {
    const { default: engine } = await import("nunjucks");
    env = new engine.Environment(new engine.FileSystemLoader(VIEWS), { autoescape: true });
  }
  return env;
}
const others = new Set(OTHER_ROUTES);

// The `raw-headers` contender: the same server sending the headers Flagon adds by default (its
// security headers for a non-HTML response, and a request id), to show what they cost by themselves.
const extra: Record<string, string> =
  process.env["BENCH_SECURITY_HEADERS"] === "1"
    ? { ...securityHeadersFor("application/json"), "x-request-id": "0123abcd-1" }
    : {};
const server = createServer((req, res) => {
  const url = req.url ?? "/";
  if (req.method === "GET" && url === "/") {
    res.writeHead(200, {
      "content-type": "text/plain; charset=utf-8",
      "content-length": Buffer.byteLength(HELLO),
      ...extra,
    });
    res.end(HELLO);
  } else if (req.method === "GET" && url === "/json") {
    const body = JSON.stringify(JSON_BODY);
    res.writeHead(200, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
      ...extra,
    });
    res.end(body);
  } else if (req.method === "GET" && url.startsWith("/users/")) {
    const body = JSON.stringify({ id: decodeURIComponent(url.slice(7)) });
    res.writeHead(200, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
      ...extra,
    });
    res.end(body);
  } else if (req.method === "POST" && url === "/echo") {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.stringify(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      res.writeHead(200, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body),
        ...extra,
      });
      res.end(body);
    });
  } else if (req.method === "GET" && url === "/template") {
    void templates().then((engine) =>
      engine.render("page.njk", TEMPLATE_CONTEXT, (error, html) => {
        const body = error ? "error" : (html ?? "");
        res.writeHead(error ? 500 : 200, { "content-type": "text/html; charset=utf-8" });
        res.end(body);
      }),
    );
  } else if (others.has(url)) {
    res.end("other");
  } else {
    res.writeHead(404);
    res.end();
  }
});
server.listen(port(), "127.0.0.1", () => announce((server.address() as AddressInfo).port));
