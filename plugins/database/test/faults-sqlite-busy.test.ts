import "reflect-metadata";
// Issue 12, item 6 (SQLite): a write that finds the database locked by another process is
// retried for the busy timeout, then answered 503 with Retry-After; a lock released within the
// busy timeout lets the write through; meanwhile the rest of the app keeps serving (the wait is
// timers between tries, not SQLite's busy handler, which would sleep on the event loop's thread).
// The lock is held by a second process, as another worker or a backup would hold it.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Body, Controller, Flagon, Get, Post } from "@flagon/core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import database, { Database, Transactional } from "../src/index.js";

const BUSY_TIMEOUT = 1000;
const PACKAGE = fileURLToPath(new URL("..", import.meta.url));

/**
 * A process that takes the write lock (BEGIN IMMEDIATE) and prints "locked"; it commits and
 * prints "released" on a line "release" on stdin, or by itself after `releaseAfter` ms.
 */
const HOLDER = `
import Database from "better-sqlite3";
const [file, releaseAfter] = process.argv.slice(1);
const db = new Database(file, { timeout: 0 });
db.exec("BEGIN IMMEDIATE");
db.prepare("insert into notes (title) values ('holder')").run();
process.stdout.write("locked\\n");
const release = () => { db.exec("COMMIT"); db.close(); process.stdout.write("released\\n"); process.exit(0); };
if (Number(releaseAfter) > 0) setTimeout(release, Number(releaseAfter));
process.stdin.on("data", (chunk) => { if (String(chunk).includes("release")) release(); });
`;

interface Holder {
  readonly child: ChildProcess;
  readonly released: Promise<void>;
  release(): Promise<void>;
}

async function holdLock(file: string, releaseAfter = 0): Promise<Holder> {
  const child = spawn(process.execPath, ["--input-type=module", "-e", HOLDER, file, String(releaseAfter)], {
    cwd: PACKAGE,
    stdio: ["pipe", "pipe", "inherit"],
  });
  child.stdin?.on("error", () => undefined);
  let out = "";
  const seen = (word: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (out.includes(word)) resolve();
      };
      child.stdout?.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        check();
      });
      child.once("exit", (code) =>
        out.includes(word) ? resolve() : reject(new Error(`holder exited ${code}`)),
      );
      check();
    });
  await seen("locked");
  const released = seen("released");
  return {
    child,
    released,
    async release() {
      child.stdin?.write("release\n");
      await released;
    },
  };
}

@Controller("/notes")
class Notes {
  constructor(private readonly db: Database) {}

  @Get("/ping")
  ping() {
    return { pong: true };
  }

  @Transactional()
  @Post("/")
  async create(@Body() body: { title: string }) {
    await this.db.insertInto("notes").values({ title: body.title }).execute();
    return { ok: true };
  }
}

describe("SQLite locked by another process", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "flagon-busy-"));
  const file = path.join(dir, "app.db");
  let app: Flagon;
  let port: number;
  let db: Database;
  const holders: Holder[] = [];

  beforeAll(async () => {
    app = new Flagon({
      logger: false,
      configFile: false,
      config: { env: "test", database: { url: `sqlite:${file}`, busyTimeout: BUSY_TIMEOUT, retryAfter: 2 } },
      controllers: [Notes],
    });
    app.register(database);
    port = (await app.listen({ port: 0, host: "127.0.0.1" })).port;
    db = app.container.resolve(Database);
    await db.schema
      .createTable("notes")
      .addColumn("id", "integer", (c) => c.primaryKey())
      .addColumn("title", "text", (c) => c.notNull())
      .execute();
  });
  afterEach(async () => {
    for (const holder of holders.splice(0)) {
      if (holder.child.exitCode === null && holder.child.signalCode === null) {
        await holder.release().catch(() => holder.child.kill("SIGKILL"));
      }
    }
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const write = async (title: string) => {
    const began = performance.now();
    const res = await fetch(`http://127.0.0.1:${port}/notes/`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ title }),
    });
    const body = (await res.json()) as Record<string, unknown>;
    return {
      status: res.status,
      retryAfter: res.headers.get("retry-after"),
      body,
      ms: performance.now() - began,
    };
  };
  const titles = async () =>
    (await db.selectFrom("notes").select("title").orderBy("id").execute()).map((r) => r.title as string);

  it("retries for the busy timeout, then answers 503 with Retry-After", async () => {
    holders.push(await holdLock(file));
    const writeStart = performance.now();
    let writeDone = false;
    const writing = write("blocked").finally(() => (writeDone = true));
    // A route that does not touch the database, asked half-way through the wait, answers while
    // the write still waits.
    await new Promise((resolve) => setTimeout(resolve, BUSY_TIMEOUT / 2));
    const pingSent = performance.now() - writeStart;
    const ping = await fetch(`http://127.0.0.1:${port}/notes/ping`);
    await ping.arrayBuffer();
    const pingAnswered = performance.now() - writeStart;
    const answeredDuringWait = !writeDone;
    const res = await writing;
    console.log(
      `SQLITE_BUSY: ${res.status} after ${res.ms.toFixed(0)} ms (busy timeout ${BUSY_TIMEOUT} ms); ` +
        `a non-DB request due at ${BUSY_TIMEOUT / 2} ms was sent at ${pingSent.toFixed(0)} ms and ` +
        `answered ${ping.status} at ${pingAnswered.toFixed(0)} ms`,
    );
    expect(ping.status).toBe(200);
    expect(answeredDuringWait).toBe(true);
    expect(res.status).toBe(503);
    expect(res.retryAfter).toBe("2");
    // It waited for the lock (SQLite's busy handler) before giving up, not failed at once.
    expect(res.ms).toBeGreaterThanOrEqual(BUSY_TIMEOUT - 50);
    expect(JSON.stringify(res.body)).not.toMatch(/SQLITE|notes|insert/i);
    await holders[0]!.release();
    expect(await titles()).toEqual(["holder"]);
    // The connection was given back: the next write goes through.
    expect((await write("after")).status).toBe(200);
    expect(await titles()).toEqual(["holder", "after"]);
  });

  it("lets the write through when the lock is released within the busy timeout", async () => {
    holders.push(await holdLock(file, BUSY_TIMEOUT / 4));
    const res = await write("waited");
    console.log(`lock released after ${BUSY_TIMEOUT / 4} ms: ${res.status} after ${res.ms.toFixed(0)} ms`);
    expect(res.status).toBe(200);
    await holders[0]!.released;
    expect((await titles()).slice(-2)).toEqual(["holder", "waited"]);
  });
});
