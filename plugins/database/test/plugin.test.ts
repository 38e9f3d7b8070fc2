import "reflect-metadata";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Controller, Flagon, Get, Injectable } from "@flagon/core";
import { inject } from "@flagon/core/testing";
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import database, { Database, Db, parseDatabaseUrl, redactUrl } from "../src/index.js";

@Injectable()
class Clock {
  constructor(readonly db: Database) {}
}

@Controller("/")
class Probe {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  @Get("/same")
  same(@Db() db: Database) {
    return { same: db === this.db && db === this.clock.db };
  }
}

const app = (config: Record<string, unknown>, root?: string) =>
  new Flagon({
    logger: false,
    configFile: false,
    ...(root ? { root } : {}),
    config,
    controllers: [Probe],
  }).register(database);

describe("@flagon/database, the plugin", () => {
  it("injects one Database by type and through @Db()", async () => {
    const a = app({ database: { url: "sqlite::memory:" } });
    a.provide(Clock);
    expect((await inject(a, "/same")).json()).toEqual({ same: true });
    await a.close();
  });

  it("defaults to sqlite:./data/app.db under the app root, made in onReady with WAL and foreign keys on", async () => {
    const root = await mkdtemp(path.join(tmpdir(), "flagon-db-default-"));
    try {
      const a = app({}, root);
      a.provide(Clock);
      await a.ready();
      expect(existsSync(path.join(root, "data", "app.db"))).toBe(true);
      const db = a.container.resolve(Database);
      expect(db.dialectName).toBe("sqlite");
      const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(db);
      expect(mode.rows[0]?.journal_mode).toBe("wal");
      const fk = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(db);
      expect(fk.rows[0]?.foreign_keys).toBe(1);
      await a.close();
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it("stops start-up on a bad option, naming the key", async () => {
    await expect(app({ database: { pool: { max: 0 } } }).ready()).rejects.toMatchObject({
      code: "FLAGON_ERR_INVALID_CONFIG",
      message: expect.stringContaining("database.pool.max"),
    });
    await expect(app({ database: { uri: "x" } }).ready()).rejects.toMatchObject({
      code: "FLAGON_ERR_INVALID_CONFIG",
    });
  });

  it("refuses a URL it cannot use, without repeating its password", async () => {
    const error = await app({ database: { url: "oracle://scott:tiger@db/orcl" } })
      .ready()
      .catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    const text = `${(error as Error).message} ${String((error as Error).cause)}`;
    expect(text).toContain("names no supported database");
    expect(text).not.toContain("tiger");
  });
});

describe("database URLs", () => {
  it("reads each form", () => {
    expect(parseDatabaseUrl("sqlite::memory:", "/app")).toEqual({
      dialect: "sqlite",
      file: ":memory:",
      memory: true,
    });
    expect(parseDatabaseUrl("sqlite:./data/app.db", "/app")).toEqual({
      dialect: "sqlite",
      file: "/app/data/app.db",
      memory: false,
    });
    expect(parseDatabaseUrl("sqlite:///var/db.sqlite", "/app")).toMatchObject({ file: "/var/db.sqlite" });
    expect(parseDatabaseUrl("postgresql://u@h/db", "/")).toEqual({
      dialect: "postgres",
      url: "postgresql://u@h/db",
    });
    expect(parseDatabaseUrl("mariadb://u@h:3306/db", "/")).toEqual({
      dialect: "mysql",
      url: "mysql://u@h:3306/db",
    });
    expect(() => parseDatabaseUrl("postgres:///db", "/")).toThrow("has no host");
  });

  it("hides passwords", () => {
    expect(redactUrl("postgres://app:s3cr%40t@db:5432/x")).toBe("postgres://app:***@db:5432/x");
    expect(redactUrl("mysql://root@db/x?password=abc&ssl=true")).toBe(
      "mysql://root@db/x?password=***&ssl=true",
    );
    expect(redactUrl("sqlite:./a.db")).toBe("sqlite:./a.db");
  });
});
