import type { Flagon } from "@flagon/core";
import type { Database } from "@flagon/database";
import type { DB } from "../db.js";
import { parseIndex, parseItem } from "./parse.js";

/** What one pass did. */
export interface PassReport {
  /** Pages read and stored (inserted or updated). */
  stored: number;
  /** Pages that failed (an error status, a timeout, markup the parser does not know), with why. */
  skipped: { url: string; reason: string }[];
  durationMs: number;
}

export interface ScraperOptions {
  /** The site's origin; a function, since the built-in fixture site gets its port at start. */
  readonly source: () => Promise<string>;
  /** ms one page may take (connect, headers and body). */
  readonly fetchTimeoutMs: number;
}

/**
 * One pass: read the index, then each page it links to, one after the other; upsert each item by
 * its slug. A page that fails is logged and skipped; an index that fails fails the pass (the
 * scheduler then backs off).
 */
export class Scraper {
  constructor(
    private readonly db: Database<DB>,
    private readonly log: Pick<Flagon["log"], "info" | "warn">,
    private readonly options: ScraperOptions,
  ) {}

  async runPass(): Promise<PassReport> {
    const started = Date.now();
    const base = await this.options.source();
    this.log.info(`scrape: pass started on ${base}`);
    const index = new URL("/", base).href;
    let links: string[];
    try {
      links = parseIndex(await this.fetchPage(index), base);
    } catch (error) {
      throw new Error(`cannot read the index ${index}: ${(error as Error).message}`, { cause: error });
    }
    this.log.info(`scrape: ${links.length} pages to read`);
    const report: PassReport = { stored: 0, skipped: [], durationMs: 0 };
    for (const [n, url] of links.entries()) {
      try {
        const item = parseItem(await this.fetchPage(url));
        await this.store(item, url);
        report.stored++;
        this.log.info(`scrape: [${n + 1}/${links.length}] stored ${item.slug}`);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        report.skipped.push({ url, reason });
        this.log.warn(`scrape: [${n + 1}/${links.length}] skipped ${url}: ${reason}`);
      }
    }
    report.durationMs = Date.now() - started;
    this.log.info(
      `scrape: pass done in ${report.durationMs} ms: ${report.stored} stored, ${report.skipped.length} skipped`,
    );
    return report;
  }

  private async fetchPage(url: string): Promise<string> {
    let res: Response;
    try {
      // The signal bounds the whole page: connecting, the headers and reading the body.
      res = await fetch(url, { signal: AbortSignal.timeout(this.options.fetchTimeoutMs) });
      if (res.ok) return await res.text();
    } catch (error) {
      if (error instanceof DOMException && error.name === "TimeoutError") {
        throw new Error(`no answer within ${this.options.fetchTimeoutMs} ms`, { cause: error });
      }
      const code = ((error as Error).cause as { code?: unknown } | undefined)?.code;
      const why = typeof code === "string" ? code : (error as Error).message;
      throw new Error(`cannot fetch it (${why})`, { cause: error });
    }
    await res.body?.cancel();
    throw new Error(`it answered ${res.status}`);
  }

  private async store(item: ReturnType<typeof parseItem>, url: string): Promise<void> {
    const row = {
      name: item.name,
      price_cents: item.priceCents,
      summary: item.summary,
      source_url: url,
      scraped_at: new Date().toISOString(),
    };
    const insert = this.db.insertInto("items").values({ slug: item.slug, ...row });
    // An upsert on the unique slug: MySQL spells it its own way.
    await (
      this.db.dialectName === "mysql"
        ? insert.onDuplicateKeyUpdate(row)
        : insert.onConflict((conflict) => conflict.column("slug").doUpdateSet(row))
    ).execute();
  }
}
