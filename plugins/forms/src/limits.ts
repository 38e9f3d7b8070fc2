import { type HttpError, PayloadTooLargeError, type RouteInfo } from "@flagon/core";
import { createRouteDecorator } from "@flagon/core/plugin";
import { z } from "zod";

const count = (max: number) => z.number().int().min(0).max(max);
const bytes = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** Each limit's check, without its default. */
const checks = {
  /** Text fields at most. */
  fields: count(1_000_000),
  /** Parts of a multipart body at most (fields and files together). */
  parts: count(1_000_000),
  /** Bytes of one text field's value at most. */
  fieldSize: bytes,
  /** Bytes of one uploaded file at most. */
  fileSize: bytes,
  /** Uploaded files at most. */
  files: count(10_000),
  /** Bytes of the whole body at most, checked against a declared Content-Length before a byte is read. */
  totalSize: bytes,
};

/** The limits of one form body, urlencoded or multipart. */
export const limitsSchema = z
  .object({
    fields: checks.fields.default(1000),
    parts: checks.parts.default(1000),
    fieldSize: checks.fieldSize.default(1024 * 1024),
    fileSize: checks.fileSize.default(10 * 1024 * 1024),
    files: checks.files.default(10),
    totalSize: checks.totalSize.default(20 * 1024 * 1024),
  })
  .strict();

export type FormLimits = z.output<typeof limitsSchema>;

/**
 * A route's own limits: the checks without the defaults, so that a limit the route does not name
 * stays the app's (`limitsSchema.partial()` would fill it with the default again).
 */
const routeLimitsSchema = z.object(checks).partial().strict();

/**
 * Tighter (or looser) form limits for one route or controller, merged over the app's
 * `forms.limits`: `@FormLimit({ fileSize: 2_000_000, files: 1 })`.
 */
export const FormLimit = createRouteDecorator(
  "forms.limits",
  (limits: Partial<FormLimits>) => routeLimitsSchema.parse(limits),
  { merge: (classValue, methodValue) => ({ ...classValue, ...methodValue }) },
);

/** The limits in force on `route`: the app's, with the route's `@FormLimit` over them. */
export function limitsFor(base: FormLimits, route: RouteInfo | undefined): FormLimits {
  const own = FormLimit.get(route);
  return own === undefined ? base : { ...base, ...own };
}

/** A 413 naming the limit that was passed. */
export function overLimit(name: keyof FormLimits, limits: FormLimits, what: string): HttpError {
  return new PayloadTooLargeError(`${what}: the limit forms.limits.${name} is ${limits[name]}`, {
    details: { limit: name, max: limits[name] },
  });
}
