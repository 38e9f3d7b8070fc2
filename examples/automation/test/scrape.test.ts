import net, { type AddressInfo } from "node:net";
import type { Flagon } from "@flagon/core";
import { runCommand } from "@flagon/cli/testing";
import { afterEach, describe, expect, it } from "vitest";
import { FIXTURE_ITEMS } from "../src/fixtures/pages.js";
import { schedulers } from "../src/scrape/plugin.js";
import { dbOf, messages, migratedApp } from "./helpers.js";

const open: Flagon[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((app) => app.close()));
});

async function setup() {
  const made = await migratedApp();
  open.push(made.app);
  return { ...made, scheduler: schedulers.get(made.app)! };
}

const expectedRows = FIXTURE_ITEMS.map((item) => ({
  slug: item.slug,
  name: item.name,
  price_cents: item.priceCents,
  summary: item.summary,
})).sort((a, b) => a.slug.localeCompare(b.slug));

describe("a scraping pass", () => {
  it("stores every fixture item, and skips the page that fails and the one that hangs", async () => {
    const { app, logs, scheduler } = await setup();
    const report = await scheduler.runNow();
    expect(report.stored).toBe(3);
    expect(report.skipped).toEqual([
      { url: expect.stringMatching(/\/items\/broken$/), reason: "it answered 500" },
      { url: expect.stringMatching(/\/items\/hanging$/), reason: "no answer within 300 ms" },
    ]);
    const rows = await dbOf(app)
      .selectFrom("items")
      .select(["slug", "name", "price_cents", "summary"])
      .orderBy("slug")
      .execute();
    expect(rows).toEqual(expectedRows);

    const log = messages(logs);
    expect(log).toContain("scrape: 5 pages to read");
    expect(log).toContain("scrape: [1/5] stored pewter-flagon");
    expect(log.some((m) => /^scrape: \[4\/5\] skipped .*\/items\/broken: it answered 500$/.test(m))).toBe(
      true,
    );
    expect(
      log.some((m) => /^scrape: \[5\/5\] skipped .*\/items\/hanging: no answer within 300 ms$/.test(m)),
    ).toBe(true);
    expect(log.some((m) => /^scrape: pass done in \d+ ms: 3 stored, 2 skipped$/.test(m))).toBe(true);
  });

  it("is idempotent: a second pass updates the rows in place", async () => {
    const { app, scheduler } = await setup();
    await scheduler.runNow();
    const read = () =>
      dbOf(app).selectFrom("items").select(["id", "slug", "scraped_at"]).orderBy("slug").execute();
    const first = await read();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await scheduler.runNow()).stored).toBe(3);
    const second = await read();
    expect(second).toHaveLength(3);
    expect(second.map((row) => row.id)).toEqual(first.map((row) => row.id));
    for (const [i, row] of second.entries()) expect(row.scraped_at > first[i]!.scraped_at).toBe(true);
  });

  it("serves the rows as JSON and as a page", async () => {
    const { app, scheduler } = await setup();
    const empty = await app.inject("/items");
    expect(empty.body).toContain("Nothing scraped yet");
    await scheduler.runNow();
    const api = await app.inject("/api/items");
    expect(api.statusCode).toBe(200);
    expect(api.json<object[]>().map((row) => ({ ...row, scraped_at: undefined }))).toEqual(
      expectedRows.map((row) => ({ ...row, scraped_at: undefined })),
    );
    const page = await app.inject("/items");
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-type"]).toMatch(/^text\/html/);
    expect(page.body).toContain("<td>Linen napkins &lt;set of 4&gt;</td>");
    expect(page.body).toContain("€42.00");
    expect((await app.inject("/")).headers["location"]).toBe("/items");
  });

  it("runs one pass from `flagon scrape` (runCommand) and exits 0", async () => {
    const { app } = await setup();
    const { code, stdout } = await runCommand(app, ["scrape"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^stored 3, skipped 2 in \d+ ms\n/);
    expect(stdout).toContain("/items/broken: it answered 500");
    const count = await dbOf(app)
      .selectFrom("items")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(3);
  });

  it("fails the pass when the site itself is unreachable: `flagon scrape` exits 1 naming it", async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve)); // nothing listens there now
    const made = await migratedApp({ sourceUrl: `http://127.0.0.1:${port}` });
    open.push(made.app);
    const { code, stderr } = await runCommand(made.app, ["scrape"]);
    expect(code).toBe(1);
    expect(stderr).toContain(
      `cannot read the index http://127.0.0.1:${port}/: cannot fetch it (ECONNREFUSED)`,
    );
    const count = await dbOf(made.app)
      .selectFrom("items")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
  });
});
