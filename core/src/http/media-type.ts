import contentType from "content-type";

/** A parsed `Content-Type`: the lower-cased essence (`type/subtype`) and its parameters. */
export interface MediaType {
  readonly type: string;
  readonly parameters: Readonly<Record<string, string>>;
}

/**
 * The one media-type parser of the framework (RFC 9110 grammar, strict). Body readers,
 * parameter binding and plugins all go through it, so the type that picks a parser is the type
 * that is validated. Returns `null` for a malformed value, `undefined` when there is none.
 * A header sent more than once arrives joined with ", " and is malformed by this grammar.
 */
export function parseMediaType(header: string | undefined): MediaType | null | undefined {
  if (header === undefined || header === "") return undefined;
  try {
    const parsed = contentType.parse(header);
    return { type: parsed.type, parameters: parsed.parameters };
  } catch {
    return null;
  }
}

/** `application/json` and every `application/*+json` (e.g. `application/vnd.api+json`). */
export function isJsonType(type: string): boolean {
  return type === "application/json" || (type.startsWith("application/") && type.endsWith("+json"));
}

export const FORM_TYPE = "application/x-www-form-urlencoded";
