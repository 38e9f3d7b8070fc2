import type { Context } from "@flagon/core";
import { type FormLimits, overLimit } from "./limits.js";

export const FORM_TYPE = "application/x-www-form-urlencoded";
export const MULTIPART_TYPE = "multipart/form-data";

/** The form media type of the request (urlencoded or multipart), if it is one. */
export function formType(ctx: Context): typeof FORM_TYPE | typeof MULTIPART_TYPE | undefined {
  const type = ctx.request.contentType?.type;
  return type === FORM_TYPE || type === MULTIPART_TYPE ? type : undefined;
}

/**
 * Refuses a form body over its limits before it reaches a handler: a declared Content-Length over
 * `totalSize` is a 413 before a byte is read (so an upload too large for the route is a 413 even
 * where the route would refuse its media type with a 415, as in Flask). A urlencoded body is
 * read here (it is small: the core's `bodyLimit` bounds it, and `@Body` then reuses the bytes)
 * and its field count and field sizes checked; multipart limits are enforced while it streams.
 */
export function guardForm(ctx: Context, limits: FormLimits): Promise<void> | undefined {
  const type = formType(ctx);
  if (type === undefined) return undefined;
  const declared = ctx.request.header("content-length");
  if (declared !== undefined && Number(declared) > limits.totalSize) {
    throw overLimit("totalSize", limits, `the request body declares ${declared} bytes`);
  }
  return type === FORM_TYPE ? checkUrlencoded(ctx, limits) : undefined;
}

async function checkUrlencoded(ctx: Context, limits: FormLimits): Promise<void> {
  const bytes = await ctx.request.bytes();
  if (bytes.length > limits.totalSize) throw overLimit("totalSize", limits, "the request body is too large");
  if (bytes.length === 0) return;
  let fields = 0;
  let start = 0;
  for (;;) {
    const end = bytes.indexOf(0x26, start); // &
    const stop = end === -1 ? bytes.length : end;
    if (stop > start) {
      fields += 1;
      if (fields > limits.fields) throw overLimit("fields", limits, "the form has too many fields");
      // A decoded value is never longer than its encoded form: decode only the long ones.
      if (stop - start > limits.fieldSize) {
        const pair = bytes.subarray(start, stop).toString("utf8");
        const equals = pair.indexOf("=");
        const name = new URLSearchParams(pair).keys().next().value ?? "";
        const value = equals === -1 ? "" : (new URLSearchParams(pair).get(name) ?? "");
        if (Buffer.byteLength(value) > limits.fieldSize) {
          throw overLimit("fieldSize", limits, `the field ${JSON.stringify(name)} is too large`);
        }
      }
    }
    if (end === -1) break;
    start = end + 1;
  }
}
