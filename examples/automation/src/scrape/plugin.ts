import { json, redirect, render } from "@flagon/core";
import { definePlugin } from "@flagon/core/plugin";
import { type Database, databaseOf } from "@flagon/database";
import { z } from "zod";
import type { DB } from "../db.js";
import { type FixtureSite, startFixtureSite } from "../fixtures/site.js";
import { Scheduler } from "./scheduler.js";
import { type PassReport, Scraper } from "./scraper.js";

/** The `scrape` config section (`flagon.config.*`, `FLAGON_SCRAPE__INTERVAL_MS=…`, or code). */
export const scrapeConfig = z
  .object({
    /** The site to scrape; without it, the built-in fixture site on an ephemeral local port. */
    sourceUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** ms between the end of a pass and the start of the next; 0 turns the schedule off. */
    intervalMs: z.number().int().min(0).default(60_000),
    /** ms one page may take. */
    fetchTimeoutMs: z.number().int().min(1).max(60_000).default(2_000),
    /** The longest wait after failed passes. */
    maxBackoffMs: z.number().int().min(1).default(600_000),
  })
  .strict();

export type ScrapeOptions = z.output<typeof scrapeConfig>;

declare module "@flagon/core" {
  interface CoreConfig {
    scrape?: z.input<typeof scrapeConfig>;
  }
}

/** The scheduler of an app (tests run and inspect passes through it). */
export const schedulers = new WeakMap<object, Scheduler<PassReport>>();

/**
 * The job: a `Scraper` on the app's database, a `Scheduler` started when the app is ready and
 * stopped when it closes, `GET /api/items`, `GET /items` (HTML), and `flagon scrape`.
 */
export const scrapePlugin = definePlugin<ScrapeOptions>({
  name: "example-scrape",
  dependencies: ["@flagon/database"],
  configKey: "scrape",
  configSchema: scrapeConfig,
  register(app, options) {
    const db = databaseOf(app) as Database<DB>;
    let site: Promise<FixtureSite> | undefined;
    const source = async () => options.sourceUrl ?? (await (site ??= startFixtureSite())).url;
    const closeSite = async () => {
      const started = site;
      site = undefined;
      if (started) await (await started).close();
    };
    const scraper = new Scraper(db, app.log, { source, fetchTimeoutMs: options.fetchTimeoutMs });
    const scheduler = new Scheduler(() => scraper.runPass(), { ...options, log: app.log });
    schedulers.set(app, scheduler);

    app.addHook("onReady", () => {
      if (options.intervalMs > 0) scheduler.start();
    });
    app.addHook("onClose", async () => {
      await scheduler.stop();
      await closeSite();
    });

    const list = () =>
      db
        .selectFrom("items")
        .select(["slug", "name", "price_cents", "summary", "scraped_at"])
        .orderBy("slug")
        .execute();
    app.get("/api/items", async () => json(await list()), { endpoint: "api_items" });
    app.get(
      "/items",
      async () => {
        const items = (await list()).map((item) => ({ ...item, price: (item.price_cents / 100).toFixed(2) }));
        return render("items.html", { items });
      },
      { endpoint: "items" },
    );
    app.get("/", (ctx) => redirect(ctx.urlFor("items")), { endpoint: "home" });

    app.addCommand({
      name: "scrape",
      description: "Run one scraping pass now and print what it stored and skipped",
      async run({ stdout }) {
        try {
          const report = await scheduler.runNow();
          stdout.write(
            `stored ${report.stored}, skipped ${report.skipped.length} in ${report.durationMs} ms\n`,
          );
          for (const { url, reason } of report.skipped) stdout.write(`  skipped ${url}: ${reason}\n`);
          return 0;
        } finally {
          await closeSite(); // command mode runs no onClose for a plugin whose onReady did not run
        }
      },
    });
  },
});
