import { createRouteDecorator, type HttpError, PayloadTooLargeError, type RouteInfo } from "@flagon/core";
import { z } from "zod";

const count = (max: number) => z.number().int().min(0).max(max);
const bytes = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** The limits of one form body, urlencoded or multipart. */
export const limitsSchema = z
  .object({
    /** Text fields at most. */
    fields: count(1_000_000).default(1000),
    /** Parts of a multipart body at most (fields and files together). */
    parts: count(1_000_000).default(1000),
    /** Bytes of one text field's value at most. */
    fieldSize: bytes.default(1024 * 1024),
    /** Bytes of one uploaded file at most. */
    fileSize: bytes.default(10 * 1024 * 1024),
    /** Uploaded files at most. */
    files: count(10_000).default(10),
    /** Bytes of the whole body at most, checked against a declared Content-Length before a byte is read. */
    totalSize: bytes.default(20 * 1024 * 1024),
  })
  .strict();

export type FormLimits = z.output<typeof limitsSchema>;

/**
 * Tighter (or looser) form limits for one route or controller, merged over the app's
 * `forms.limits`: `@FormLimit({ fileSize: 2_000_000, files: 1 })`.
 */
export const FormLimit = createRouteDecorator(
  "forms.limits",
  (limits: Partial<FormLimits>) => limitsSchema.partial().parse(limits),
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
