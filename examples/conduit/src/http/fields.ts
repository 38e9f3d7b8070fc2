// The field rules the request bodies share, with the messages the 422 bodies show
// ("email can't be blank", "user must be an object").
import { z } from "zod";

const missingOr = (what: string) => (issue: { input: unknown }) =>
  issue.input === undefined ? "can't be blank" : `must be ${what}`;

/** A string field; `blank: false` also refuses "" and whitespace. */
export function text(options: { blank?: boolean; max?: number } = {}) {
  let field = z.string({ error: missingOr("a string") });
  if (options.max !== undefined) field = field.max(options.max, `is longer than ${options.max} characters`);
  return options.blank === false ? field.refine((value) => value.trim() !== "", "can't be blank") : field;
}

/** An object field (the body's `user`, `article` or `comment`). */
export function object<S extends z.ZodRawShape>(shape: S) {
  return z.object(shape, { error: missingOr("an object") });
}

/** A list of strings. */
export function strings() {
  return z.array(z.string({ error: missingOr("a string") }), { error: missingOr("a list of strings") });
}
