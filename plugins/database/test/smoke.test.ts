import "reflect-metadata";
import { Controller, Flagon, Get, Post, Body, json } from "@flagon/core";
import { inject } from "@flagon/core/testing";
import type { Generated } from "kysely";
import { describe, expect, it } from "vitest";
import database, { Database, Db, Transactional } from "../src/index.js";

interface DB {
  notes: { id: Generated<number>; title: string };
}

@Controller("/notes")
class Notes {
  constructor(private readonly db: Database<DB>) {}

  @Get("/")
  list() {
    return this.db.selectFrom("notes").selectAll().orderBy("id").execute();
  }

  @Transactional()
  @Post("/")
  async create(@Body() body: { title: string; fail?: boolean }) {
    await this.db.insertInto("notes").values({ title: body.title }).execute();
    if (body.fail) return json({ failed: true }, { status: 422 });
    return { ok: true };
  }

  @Get("/db")
  same(@Db() db: Database<DB>) {
    return { same: db === this.db };
  }
}

async function app() {
  const a = new Flagon({
    logger: false,
    configFile: false,
    config: { database: { url: "sqlite::memory:" } },
    controllers: [Notes],
  });
  a.register(database);
  await a.ready();
  const db = a.container.resolve(Database) as Database<DB>;
  await db.schema
    .createTable("notes")
    .addColumn("id", "integer", (c) => c.primaryKey())
    .addColumn("title", "text", (c) => c.notNull().unique())
    .execute();
  return { a, db };
}

describe("smoke", () => {
  it("works", async () => {
    const { a } = await app();
    const r1 = await inject(a, { method: "POST", url: "/notes/", json: { title: "x" } });
    console.log(r1.statusCode, r1.body);
    expect(
      (await inject(a, { method: "POST", url: "/notes/", json: { title: "y", fail: true } })).statusCode,
    ).toBe(422);
    const dup = await inject(a, {
      method: "POST",
      url: "/notes/",
      json: { title: "x" },
      headers: { accept: "application/json" },
    });
    expect(dup.statusCode).toBe(409);
    console.log(dup.body);
    expect((await inject(a, "/notes/")).json()).toEqual([{ id: 1, title: "x" }]);
    expect((await inject(a, "/notes/db")).json()).toEqual({ same: true });
    await a.close();
  });
});
