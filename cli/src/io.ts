import type { Writable } from "node:stream";

/** Where a command runs and writes: process values in `main.ts`, buffers in tests. */
export interface CliIO {
  readonly cwd: string;
  readonly stdout: Writable;
  readonly stderr: Writable;
}

/** Wrong arguments: the message is printed and the command exits with code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";

  /** `help`: the command line whose `--help` to point at. */
  constructor(
    message: string,
    readonly help = "flagon --help",
  ) {
    super(message);
  }
}

/** A failure that is not the user's typing: printed, exit code 1. */
export class CliError extends Error {
  override readonly name = "CliError";
}

export function print(stream: Writable, text: string): void {
  stream.write(text.endsWith("\n") ? text : `${text}\n`);
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Lines of `  name   description`, the names padded to one column. */
export function columns(rows: ReadonlyArray<readonly [string, string]>): string {
  const width = Math.max(0, ...rows.map(([name]) => name.length));
  return rows.map(([name, text]) => `  ${name.padEnd(width)}  ${text}`.trimEnd()).join("\n");
}

/** A text table: a header row and rows, columns padded to their widest cell. */
export function table(rows: ReadonlyArray<readonly string[]>): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** Milliseconds since `start` (a `performance.now()` value), rounded, for progress lines. */
export function elapsed(start: number): string {
  return `${Math.round(performance.now() - start)} ms`;
}

/** Prints a failed command's error as `flagon` does and returns its exit code: 2 bad usage, else 1. */
export function reportError(error: unknown, stderr: Writable): number {
  if (error instanceof UsageError || isParseArgsError(error)) {
    const help = error instanceof UsageError ? error.help : "flagon --help";
    print(stderr, `flagon: ${errorMessage(error)}\nRun "${help}" for usage.`);
    return 2;
  }
  print(stderr, `flagon: ${errorMessage(error)}`);
  return 1;
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("ERR_PARSE_ARGS_");
}
