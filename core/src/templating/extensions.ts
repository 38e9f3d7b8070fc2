import { ErrorCodes, FlagonError } from "../errors/codes.js";
import type { Context } from "../http/context.js";

/**
 * A context processor (`app.templates.addContextProcessor`): runs before each render inside a
 * request and returns values every template of that render sees (`current_user`, `csrf_token`).
 * May be async; returning nothing adds nothing.
 */
export type TemplateContextProcessor = (
  ctx: Context,
) => Record<string, unknown> | undefined | void | Promise<Record<string, unknown> | undefined | void>;

/**
 * A nunjucks extension (`app.templates.addExtension`): the tag names it handles and a `parse`
 * method called with nunjucks's parser, nodes and lexer (so a plugin needs no import of
 * nunjucks). Other methods are what the parsed `CallExtension` node calls at render time.
 */
export interface TemplateExtension {
  readonly tags: readonly string[];
  parse(parser: unknown, nodes: unknown, lexer: unknown): unknown;
  readonly [method: string]: unknown;
}

const TAG = /^[A-Za-z_][A-Za-z0-9_]*$/;

function refuse(message: string): never {
  throw new FlagonError(ErrorCodes.TEMPLATES, message);
}

/** Checks a processor before it is queued. */
export function checkProcessor(processor: unknown): asserts processor is TemplateContextProcessor {
  if (typeof processor !== "function") {
    refuse("app.templates.addContextProcessor(processor): processor must be a function");
  }
}

/** Checks an extension before it is queued (its name not taken, tags that nunjucks can parse). */
export function checkExtension(
  name: unknown,
  extension: unknown,
  taken: ReadonlyMap<string, unknown>,
): asserts extension is TemplateExtension {
  const use = `app.templates.addExtension(${JSON.stringify(name)})`;
  if (typeof name !== "string" || name === "") refuse(`${use}: name must be a non-empty string`);
  if (taken.has(name)) refuse(`${use}: an extension named ${JSON.stringify(name)} was already added`);
  const ext = extension as Partial<TemplateExtension> | null;
  if (typeof ext !== "object" || ext === null || typeof ext.parse !== "function") {
    refuse(`${use}: the extension must be an object with a parse(parser, nodes, lexer) method`);
  }
  const tags = ext.tags;
  if (
    !Array.isArray(tags) ||
    tags.length === 0 ||
    !tags.every((tag) => typeof tag === "string" && TAG.test(tag))
  ) {
    refuse(`${use}: tags must be a non-empty array of tag names (letters, digits, _)`);
  }
}

/**
 * Runs the processors in registration order and merges what they return (a later processor's
 * value wins over an earlier one's). Synchronous processors stay synchronous; a throw or a
 * rejection fails the render as it is (an HttpError stays an HttpError).
 */
export async function runProcessors(
  processors: readonly TemplateContextProcessor[],
  ctx: Context,
): Promise<Record<string, unknown>> {
  const values: Record<string, unknown> = {};
  for (const processor of processors) {
    let result = processor(ctx);
    if (result instanceof Promise) result = await result;
    if (result === undefined || result === null) continue;
    if (typeof result !== "object" || Array.isArray(result)) {
      refuse(
        `a template context processor${processor.name ? ` (${processor.name})` : ""} returned ${Array.isArray(result) ? "an array" : typeof result}: it must return an object of values, or nothing`,
      );
    }
    Object.assign(values, result);
  }
  return values;
}
