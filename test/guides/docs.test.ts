// The guides' code blocks are excerpts of files that the tests under test/guides/ run: each
// block marked `<!-- file: … -->` must appear in that file verbatim, so a guide cannot drift
// from code that works.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { docBlocks, mismatch } from "./doc-blocks.js";

const repo = fileURLToPath(new URL("../../", import.meta.url));

/** The guides whose every TypeScript block must come from a tested file. */
const GUIDES = [
  "docs/quickstart.md",
  "docs/routing.md",
  "docs/dependency-injection.md",
  "docs/templates.md",
  "docs/testing.md",
  "docs/configuration.md",
  "docs/database.md",
];

/** The tutorial's steps: reached from docs/tutorial/README.md, and held to the same rule. */
const TUTORIAL = [
  "docs/tutorial/1-pages.md",
  "docs/tutorial/2-database.md",
  "docs/tutorial/3-auth.md",
  "docs/tutorial/4-forms.md",
  "docs/tutorial/5-posts.md",
  "docs/tutorial/6-cache.md",
];

async function read(file: string): Promise<string> {
  return readFile(path.join(repo, file), "utf8");
}

describe("doc-blocks", () => {
  const markdown = [
    "Text.",
    "<!-- file: test/guides/x.ts -->",
    "```ts",
    "const a = 1;",
    "```",
    "",
    "```sh",
    "npm test",
    "```",
  ].join("\n");

  test("reads each block with its language, marker and line", () => {
    expect(docBlocks(markdown)).toEqual([
      { lang: "ts", code: "const a = 1;", file: "test/guides/x.ts", line: 3 },
      { lang: "sh", code: "npm test", file: undefined, line: 7 },
    ]);
  });

  test("a block that drifted from its file is reported with the first line that differs", () => {
    const [block] = docBlocks(markdown);
    expect(mismatch(block!, "export const a = 1;\n")).toBeUndefined();
    expect(mismatch(block!, "const a = 2;\n")).toBe('line 1 of the block is not in the file: "const a = 1;"');
    const two = docBlocks("```ts\nb();\na();\n```")[0]!;
    expect(mismatch(two, "a();\nb();\n")).toMatch(/not in this order/);
  });
});

test("README.md links every guide", async () => {
  const readme = await read("README.md");
  for (const guide of GUIDES) expect(readme).toContain(`](${guide})`);
});

test("the tutorial's README links every step", async () => {
  const readme = await read("docs/tutorial/README.md");
  for (const step of TUTORIAL) expect(readme).toContain(`](${step.slice("docs/tutorial/".length)})`);
});

describe.each([...GUIDES, ...TUTORIAL])("%s", (guide) => {
  test("every TypeScript block names the tested file it comes from", async () => {
    const blocks = docBlocks(await read(guide)).filter((b) => b.lang === "ts" || b.lang === "typescript");
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) {
      expect(
        block.file,
        `${guide}:${block.line} needs a <!-- file: test/guides/… --> line above it`,
      ).toBeDefined();
    }
  });

  test("every marked block appears verbatim in its file, under test/guides/", async () => {
    const blocks = docBlocks(await read(guide)).filter((b) => b.file !== undefined);
    for (const block of blocks) {
      const file = block.file as string;
      expect(file.startsWith("test/guides/"), `${guide}:${block.line}: ${file} is outside test/guides/`).toBe(
        true,
      );
      const problem = mismatch(block, await read(file));
      expect(problem, `${guide}:${block.line} differs from ${file}`).toBeUndefined();
    }
  });
});
