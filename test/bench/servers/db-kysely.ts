// Baseline for the database routes: node:http with hand-written routing and Kysely alone.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Kysely } from "kysely";
import { plainDialect, TABLE, type Tables } from "./db-shared.js";
import { announce, HELLO, port } from "./shared.js";

const db = new Kysely<Tables>({ dialect: plainDialect() });

const server = createServer((req, res) => {
  const url = req.url ?? "/";
  if (req.method === "GET" && url.startsWith("/items/")) {
    const id = Number(url.slice(7));
    db.selectFrom(TABLE)
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst()
      .then(
        (row) => {
          const body = JSON.stringify(row ?? { error: "not found" });
          res.writeHead(row === undefined ? 404 : 200, {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
          });
          res.end(body);
        },
        () => {
          res.writeHead(500);
          res.end();
        },
      );
  } else if (req.method === "GET" && url === "/") {
    res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
    res.end(HELLO);
  } else {
    res.writeHead(404);
    res.end();
  }
});
server.listen(port(), "127.0.0.1", () => announce((server.address() as AddressInfo).port));
