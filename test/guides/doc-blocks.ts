// Reads the fenced code blocks of a Markdown guide, with the file each one says it comes from.

/** A fenced block of a guide. */
export interface DocBlock {
  /** The fence's language (`ts`, `html`, `sh`…), or "" for none. */
  readonly lang: string;
  /** The lines between the fences, joined by "\n" (no final newline). */
  readonly code: string;
  /** From `<!-- file: test/guides/x.ts -->` on the line right above the fence, if there is one. */
  readonly file: string | undefined;
  /** The 1-based line of the opening fence. */
  readonly line: number;
}

const MARKER = /^<!--\s*file:\s*(\S+)\s*-->$/;
const FENCE = /^(`{3,})([\w-]*)\s*$/;

/** Every fenced block of `markdown`, in order. Fences inside a block are text. */
export function docBlocks(markdown: string): DocBlock[] {
  const lines = markdown.split(/\r?\n/);
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i] as string);
    if (!open) continue;
    const fence = open[1] as string;
    const start = i;
    const body: string[] = [];
    for (i += 1; i < lines.length && (lines[i] as string).trimEnd() !== fence; i++)
      body.push(lines[i] as string);
    const marker = start > 0 ? MARKER.exec((lines[start - 1] as string).trim()) : null;
    blocks.push({ lang: open[2] ?? "", code: body.join("\n"), file: marker?.[1], line: start + 1 });
  }
  return blocks;
}

/** Why a block does not match its file, or undefined when it appears in it verbatim. */
export function mismatch(block: DocBlock, fileText: string): string | undefined {
  if (fileText.includes(block.code)) return undefined;
  const lines = block.code.split("\n");
  const first = lines.findIndex((line) => !fileText.includes(line));
  return first === -1
    ? "every line is in the file, but not in this order or not together"
    : `line ${first + 1} of the block is not in the file: ${JSON.stringify(lines[first])}`;
}
