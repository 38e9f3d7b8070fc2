// step-5-posts/markdown.ts
import { Marked } from "marked";
import sanitizeHtml from "sanitize-html";

// One parser for the app: marked's global options stay untouched.
const parser = new Marked({ gfm: true, async: false });

/** The tags and attributes a post may use; everything else (script, style, on* attributes) is dropped. */
const ALLOWED: sanitizeHtml.IOptions = {
  allowedTags: ["p", "br", "h2", "h3", "blockquote", "pre", "code", "em", "strong", "a", "ul", "ol", "li"],
  allowedAttributes: { a: ["href"] },
  allowedSchemes: ["http", "https", "mailto"],
};

/** A post's Markdown as HTML that is safe to put in the page: rendered, then sanitised. */
export function renderMarkdown(source: string): string {
  return sanitizeHtml(parser.parse(source) as string, ALLOWED);
}
