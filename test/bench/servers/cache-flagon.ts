// Flagon serving a JSON page: BENCH_CACHED=1 through @flagon/cache's @Cached() (every request
// after the first is a hit: the handler does not run), else straight from the handler (a
// constant). The pair measures what a cache hit costs against the cheapest possible handler.
import "reflect-metadata";
import { Flagon, text } from "@flagon/core";
import cache, { Cached } from "@flagon/cache";
import { announce, HELLO, JSON_BODY, port } from "./shared.js";

const CACHED = process.env["BENCH_CACHED"] === "1";

const app = new Flagon({ configFile: false, logger: false, config: { env: "production" } });
app.get("/", () => text(HELLO));
if (CACHED) {
  app.register(cache);
  app.get("/page", () => JSON_BODY, { decorators: [Cached({ ttl: 3600 })] });
} else {
  app.get("/page", () => JSON_BODY);
}
const { port: bound } = await app.listen({ port: port() });
announce(bound);
