// Every relative link of the guides, the README and CONTRIBUTING resolves: the file exists, and a
// `#fragment` into a Markdown file names one of its headings (GitHub's anchors).
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { docBlocks } from "./doc-blocks.js";

const repo = fileURLToPath(new URL("../../", import.meta.url));

/** The Markdown files whose links are checked: the READMEs at the top and every guide under docs/. */
function documents(): string[] {
  const found = ["README.md", "CONTRIBUTING.md", "plugins/README.md"];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(path.join(repo, dir), { withFileTypes: true })) {
      const rel = path.posix.join(dir, entry.name);
      if (entry.isDirectory() && rel !== "docs/api") walk(rel);
      else if (entry.isFile() && entry.name.endsWith(".md")) found.push(rel);
    }
  };
  walk("docs");
  return found;
}

/** The 1-based numbers of the lines that belong to fenced blocks, fences included. */
function codeLines(markdown: string): Set<number> {
  const lines = new Set<number>();
  for (const block of docBlocks(markdown)) {
    const length = block.code === "" ? 0 : block.code.split("\n").length;
    for (let i = 0; i <= length + 1; i++) lines.add(block.line + i);
  }
  return lines;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, "")
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

/** The anchors of a Markdown file's headings (outside code blocks), with GitHub's -1, -2 for repeats. */
function anchors(markdown: string): Set<string> {
  const inBlocks = codeLines(markdown);
  const seen = new Map<string, number>();
  const result = new Set<string>();
  markdown.split(/\r?\n/).forEach((line, i) => {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading || inBlocks.has(i + 1)) return;
    const base = anchorOf(heading[1] as string);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    result.add(count === 0 ? base : `${base}-${count}`);
  });
  return result;
}

/** The link targets of a Markdown text, outside code blocks and inline code. */
function links(markdown: string): { target: string; line: number }[] {
  const blockLines = codeLines(markdown);
  const found: { target: string; line: number }[] = [];
  markdown.split(/\r?\n/).forEach((text, i) => {
    if (blockLines.has(i + 1)) return;
    const prose = text.replace(/`[^`]*`/g, "");
    for (const match of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g))
      found.push({ target: match[1] as string, line: i + 1 });
    for (const match of prose.matchAll(/^\s*\[[^\]]+\]:\s*(\S+)/g))
      found.push({ target: match[1] as string, line: i + 1 });
  });
  return found;
}

/** Why a relative link of `from` does not resolve, or undefined when it does (or is not relative). */
function broken(from: string, target: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return undefined; // https:, mailto:…
  const [file = "", fragment] = target.split("#", 2);
  const resolved = file === "" ? from : path.posix.normalize(path.posix.join(path.posix.dirname(from), file));
  const absolute = path.join(repo, decodeURIComponent(resolved));
  if (!existsSync(absolute)) return `${resolved} does not exist`;
  if (fragment === undefined || fragment === "" || !resolved.endsWith(".md")) return undefined;
  if (statSync(absolute).isDirectory()) return undefined;
  return anchors(readFileSync(absolute, "utf8")).has(fragment.toLowerCase())
    ? undefined
    : `${resolved} has no heading for #${fragment}`;
}

describe("relative links in the docs", () => {
  test("the anchor of a heading is GitHub's", () => {
    expect(anchorOf("Entry points")).toBe("entry-points");
    expect(anchorOf("`flagon start --workers`: one process per core")).toBe(
      "flagon-start---workers-one-process-per-core",
    );
    expect([...anchors("# A\n## A\n```md\n# not a heading\n```\n")]).toEqual(["a", "a-1"]);
  });

  test("links are read from prose, not from code", () => {
    const text = "See [x](a.md#b) and `[y](c.md)`.\n```md\n[z](d.md)\n```\n[ref]: e.md";
    expect(links(text).map((l) => l.target)).toEqual(["a.md#b", "e.md"]);
  });

  test.each(documents())("%s", (doc) => {
    const problems = links(readFileSync(path.join(repo, doc), "utf8"))
      .map(({ target, line }) => {
        const why = broken(doc, target);
        return why === undefined ? undefined : `${doc}:${line}: (${target}) ${why}`;
      })
      .filter((p) => p !== undefined);
    expect(problems).toEqual([]);
  });
});
