import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURE_ITEMS } from "../src/fixtures/pages.js";
import { type FixtureSite, startFixtureSite } from "../src/fixtures/site.js";
import { decodeEntities, parseIndex, parseItem } from "../src/scrape/parse.js";

let site: FixtureSite;
beforeAll(async () => (site = await startFixtureSite()));
afterAll(() => site.close());

describe("the fixture parser", () => {
  it("reads the index's links as absolute URLs", async () => {
    const html = await (await fetch(site.url)).text();
    expect(parseIndex(html, site.url)).toEqual(
      ["pewter-flagon", "oak-tankard", "linen-napkins", "broken", "hanging"].map(
        (slug) => `${site.url}/items/${slug}`,
      ),
    );
  });

  it("reads each item page back to the data it was made from, entities decoded", async () => {
    for (const item of FIXTURE_ITEMS) {
      const html = await (await fetch(`${site.url}/items/${item.slug}`)).text();
      expect(parseItem(html)).toEqual(item);
    }
  });

  it("names the part a page lacks", () => {
    expect(() => parseItem('<article class="item" data-slug="x"><h1 class="name">X</h1>')).toThrow(
      "the page has no p.price[data-cents]",
    );
  });

  it("decodes named, decimal and hex entities, and leaves unknown ones", () => {
    expect(decodeEntities("a &amp; b &#60;c&#x3E; &quot;d&#39; &nope; &#99999999;")).toBe(
      "a & b <c> \"d' &nope; &#99999999;",
    );
  });
});
