import { Marked } from "marked";
import sanitizeHtml from "sanitize-html";

// One parser for the app, without marked's global options (another module's settings never leak in).
const parser = new Marked({ gfm: true, breaks: false, async: false });

/** What a post's HTML may contain: formatting, links, code, tables, quotes; no script, style or events. */
const ALLOWED: sanitizeHtml.IOptions = {
  allowedTags: [
    ...["p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "code"],
    ...["em", "strong", "del", "a", "ul", "ol", "li", "img"],
    ...["table", "thead", "tbody", "tr", "th", "td"],
  ],
  allowedAttributes: {
    a: ["href", "title", "rel"],
    img: ["src", "alt", "title"],
    th: ["align"],
    td: ["align"],
    ol: ["start"],
  },
  allowedSchemes: ["http", "https", "mailto"],
  // Images only from this site (a path such as /uploads/…): the page's CSP allows no others.
  allowedSchemesByTag: { img: [] },
  allowProtocolRelative: false,
  // Links written by users open normally but pass no ranking and no window reference.
  transformTags: { a: sanitizeHtml.simpleTransform("a", { rel: "nofollow noopener" }) },
};

/**
 * A post's Markdown as safe HTML: marked renders it (raw HTML in the source included), then
 * sanitize-html keeps only the allowed tags and attributes, so `<script>`, `onerror=` and
 * `javascript:` links never reach the page.
 */
export function renderMarkdown(source: string): string {
  const html = parser.parse(source) as string;
  return sanitizeHtml(html, ALLOWED);
}

/** The first words of a post as plain text, for the index and the API's summaries. */
export function excerpt(source: string, length = 220): string {
  const text = sanitizeHtml(renderMarkdown(source), { allowedTags: [], allowedAttributes: {} })
    .replace(/&amp;/g, "&")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, " ")
    .trim();
  if (text.length <= length) return text;
  return `${text
    .slice(0, length)
    .replace(/\s+\S*$/, "")
    .replace(/[\s.,;:!?]+$/, "")}…`;
}
