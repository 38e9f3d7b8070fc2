// Flagon with a decorated controller reading a row by primary key. BENCH_DB_PLUGIN=1: through
// @flagon/database's injected Database; else through a Kysely instance of the app's own (what
// the framework costs without the plugin).
import "reflect-metadata";
import { Controller, Flagon, Get, inject, NotFoundError, Param, text } from "@flagon/core";
import database, { Database } from "@flagon/database";
import { Kysely } from "kysely";
import { DB_URL, plainDialect, POOL_MAX, TABLE, type Tables } from "./db-shared.js";
import { announce, HELLO, port } from "./shared.js";

const PLUGIN = process.env["BENCH_DB_PLUGIN"] === "1";
const KYSELY = Symbol("kysely");

@Controller()
class Items {
  constructor(@inject(KYSELY) private readonly db: Kysely<Tables>) {}

  @Get("/")
  index() {
    return text(HELLO);
  }

  @Get("/items/<int:id>")
  async item(@Param("id") id: number) {
    const row = await this.db.selectFrom(TABLE).selectAll().where("id", "=", id).executeTakeFirst();
    if (row === undefined) throw new NotFoundError(`no item ${id}`);
    return row;
  }
}

const app = new Flagon({
  controllers: [Items],
  configFile: false,
  logger: false,
  config: { env: "production", database: { url: DB_URL, pool: { max: POOL_MAX } } },
});
if (PLUGIN) {
  app.register(database);
  app.provide({ provide: KYSELY, useFactory: (c) => c.resolve(Database) });
} else {
  const db = new Kysely<Tables>({ dialect: plainDialect() });
  app.provide({ provide: KYSELY, useValue: db });
  app.addHook("onClose", () => db.destroy());
}
const { port: bound } = await app.listen({ port: port() });
announce(bound);
