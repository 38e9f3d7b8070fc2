/** What nunjucks puts on the errors it raises. */
interface NunjucksErrorLike {
  readonly message: string;
  readonly lineno?: number;
  readonly colno?: number;
}

/**
 * A template could not be found, loaded, compiled or rendered. The message names the template
 * asked for and, for errors inside a template, the template and line where it happened:
 * `rendering "page.html" failed: (page.html) [Line 3, Column 7] Error: …`. Outside development
 * the default error page never shows it (a plain 500).
 */
export class TemplateError extends Error {
  override name = "TemplateError";
  /** The template that was being rendered. */
  readonly template: string;
  /** Line and column of the error inside the innermost template, when nunjucks knows them. */
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(
    template: string,
    message: string,
    options: { cause?: unknown; line?: number; column?: number } = {},
  ) {
    super(message, { cause: options.cause });
    this.template = template;
    this.line = options.line;
    this.column = options.column;
  }
}

// "(page.html) (part.html) [Line 3, Column 7] Error: …": the templates, then the place, then what.
const REPORT = /^((?:\([^()]*\)\s*)*)(?:\[Line (\d+)(?:, Column (\d+))?\]\s*)?([\s\S]*)$/;

/**
 * Wraps whatever nunjucks reported into a one-line TemplateError naming the template. nunjucks
 * counts lines and columns from 1 for syntax errors but from 0 for errors while rendering (those
 * wrap the original error as `cause`), and leaves the place out for line 0; both are fixed here.
 */
export function toTemplateError(template: string, error: unknown): TemplateError {
  if (error instanceof TemplateError) return error;
  const source = (typeof error === "object" && error !== null ? error : {}) as NunjucksErrorLike;
  const detail = typeof source.message === "string" ? source.message : String(error);
  // Lines trimmed and joined (not /\s*\n\s*/g, which is quadratic on long runs of spaces).
  const flat = detail
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .join(" ");
  const [, templates = "", , , rest = flat] = REPORT.exec(flat) ?? [];
  const fromZero = (error as { cause?: unknown }).cause !== undefined;
  const line = typeof source.lineno === "number" ? source.lineno + (fromZero ? 1 : 0) : undefined;
  const column = typeof source.colno === "number" ? source.colno + (fromZero ? 1 : 0) : undefined;
  const place =
    line === undefined || line < 1
      ? ""
      : column === undefined || column < 1
        ? `[Line ${line}] `
        : `[Line ${line}, Column ${column}] `;
  return new TemplateError(
    template,
    `rendering ${JSON.stringify(template)} failed: ${templates}${place}${rest}`,
    {
      cause: error,
      ...(place === "" ? {} : { line }),
      ...(place === "" || column === undefined || column < 1 ? {} : { column }),
    },
  );
}
