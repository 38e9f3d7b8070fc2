// A parser for the fixture site's known markup, and nothing more: the index's `a.item` links,
// and an item page's `article.item` with its name, price (in `data-cents`) and summary.

/** What one item page holds. */
export interface ParsedItem {
  slug: string;
  name: string;
  priceCents: number;
  summary: string;
}

/** The item pages the index links to, as absolute URLs resolved against `base`. */
export function parseIndex(html: string, base: string): string[] {
  const links: string[] = [];
  for (const match of html.matchAll(/<a class="item" href="([^"]+)"/g)) {
    links.push(new URL(decodeEntities(match[1]!), base).href);
  }
  return links;
}

/** The item on a page; throws naming the first part it cannot find. */
export function parseItem(html: string): ParsedItem {
  const slug = pick(html, /<article class="item" data-slug="([^"]+)"/, "article.item[data-slug]");
  const name = pick(html, /<h1 class="name">([^<]*)<\/h1>/, "h1.name");
  const cents = pick(html, /<p class="price" data-cents="(\d+)"/, "p.price[data-cents]");
  const summary = pick(html, /<p class="summary">([^<]*)<\/p>/, "p.summary");
  return { slug, name, priceCents: Number(cents), summary };
}

function pick(html: string, pattern: RegExp, what: string): string {
  const found = pattern.exec(html)?.[1];
  if (found === undefined) throw new Error(`the page has no ${what}`);
  return decodeEntities(found).trim();
}

const NAMED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** Decodes the entities HTML text holds: named (`&amp;`), decimal (`&#38;`) and hex (`&#x26;`). */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] === "#") {
      const code = ref[1] === "x" || ref[1] === "X" ? parseInt(ref.slice(2), 16) : Number(ref.slice(1));
      return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED[ref.toLowerCase()] ?? whole;
  });
}
