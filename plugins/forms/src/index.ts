/**
 * @flagon/forms: urlencoded and multipart bodies with limits, file uploads, CSRF protection on
 * by default, typed form classes and nunjucks macros that render them. Written only against the
 * public plugin API of `@flagon/core`.
 *
 * @example
 * import forms from "@flagon/forms";
 * app.register(forms, { limits: { fileSize: 5_000_000 } });
 *
 * @module @flagon/forms
 */
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { definePlugin } from "@flagon/core/plugin";
import { z } from "zod";
import { attachCsrf, csrfCheck, CsrfExempt, csrfTemplateContext, normalOrigin } from "./csrf.js";
import { isUploadedFile, removeRequestFiles, type UploadedFile } from "./files.js";
import { guardForm } from "./guard.js";
import { setFormSettings } from "./form/settings.js";
import { limitsFor, limitsSchema } from "./limits.js";
import { type FormBody, multipartParser } from "./multipart.js";

export {
  CsrfError,
  CsrfExempt,
  csrfFailure,
  csrfToken,
  tokenAuthenticated,
  type CsrfReason,
} from "./csrf.js";
export { isUploadedFile, sanitizeFilename, type UploadedFile } from "./files.js";
export { FormLimit, type FormLimits } from "./limits.js";
export * from "./form/index.js";
export type { FormBody, FormValue } from "./multipart.js";

/** The files of a parsed multipart body, for `ctx.request.files()`: field by field. */
function filesOf(body: unknown): UploadedFile[] {
  const files: UploadedFile[] = [];
  for (const value of Object.values(body as FormBody)) {
    for (const item of Array.isArray(value) ? value : [value]) if (isUploadedFile(item)) files.push(item);
  }
  return files;
}

const { version } = createRequire(import.meta.url)("../package.json") as { version: string };

/** The folder of the plugin's templates (the field and form macros). */
const TEMPLATES = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "templates");

/** A trusted origin: `scheme://host[:port]`, stored in its serialised form. */
const originSchema = z.string().transform((value, check) => {
  const origin = normalOrigin(value);
  if (origin === undefined || origin !== value.replace(/\/$/, "").toLowerCase()) {
    check.addIssue({
      code: "custom",
      message: `${JSON.stringify(value)} is not an origin: write it as scheme://host[:port], without a path`,
    });
    return z.NEVER;
  }
  return origin;
});

/** The options, checked and defaulted at start-up (the `forms` config section merged under `register`'s). */
export const configSchema = z
  .object({
    /** Limits of every form body; a route narrows them with `@FormLimit({ … })`. */
    limits: limitsSchema.prefault({}),
    /** Where uploads above `memoryThreshold` are written while their request lasts (default: the OS temp dir). */
    tempDir: z.string().min(1).optional(),
    /** Files up to this many bytes stay in memory (`file.buffer`); larger ones go to `tempDir` (`file.path`). */
    memoryThreshold: z
      .number()
      .int()
      .min(0)
      .default(64 * 1024),
    csrf: z
      .object({
        /** Check POST, PUT, PATCH and DELETE requests. Default: true. */
        enabled: z.boolean().default(true),
        /** Seconds a token stays valid. Default: one hour. */
        timeLimit: z.number().int().min(1).default(3600),
        /** The form field carrying the token. */
        fieldName: z.string().min(1).default("csrf_token"),
        /** The header carrying the token (fetch, HTMX). */
        headerName: z.string().min(1).default("x-csrf-token"),
        /** Other origins allowed to post, as `scheme://host[:port]` (no path). */
        trustedOrigins: z.array(originSchema).default([]),
        /**
         * A header carrying an API key (`x-api-key`): a request with it is token-authenticated
         * and exempt, like one with `Authorization: Bearer …`. Default: the auth plugin's
         * `auth.apiKeyHeader` config, if set.
         */
        apiKeyHeader: z
          .string()
          .regex(/^[a-z0-9-]+$/, "a lower-case header name")
          .optional(),
      })
      .strict()
      .prefault({}),
    /**
     * Validation messages by id over the built-in ones (`{ required: "Champ obligatoire." }`): text
     * with `{name}` placeholders, or (in code) a function of them. See `DEFAULT_MESSAGES`.
     */
    messages: z
      .record(
        z.string(),
        z.union([
          z.string(),
          z.custom<(params: Record<string, unknown>) => string>((v) => typeof v === "function"),
        ]),
      )
      .default({}),
  })
  .strict();

export type FormsOptions = z.output<typeof configSchema>;

declare module "@flagon/core" {
  interface CoreConfig {
    forms?: z.input<typeof configSchema>;
  }
}

export default definePlugin<FormsOptions>({
  name: "@flagon/forms",
  version,
  core: ">=0.1.0 <1",
  configKey: "forms",
  configSchema,
  register(app, options) {
    const { limits } = options;
    const tempDir = options.tempDir === undefined ? tmpdir() : path.resolve(app.root, options.tempDir);
    app.addBodyParser(
      "multipart/form-data",
      multipartParser({ limits, tempDir, memoryThreshold: options.memoryThreshold }),
      { name: "multipart", limit: limits.totalSize, files: filesOf },
    );
    app.templates.addFolder(TEMPLATES);
    setFormSettings(app, {
      messages: options.messages,
      csrfField: options.csrf.enabled ? options.csrf.fieldName : undefined,
    });
    // Size first: an upload over the limit is a 413 before CSRF reads it or a route refuses its type.
    app.addHook("preHandler", (ctx) => guardForm(ctx, limitsFor(limits, ctx.route)));
    if (options.csrf.enabled) {
      const auth = (app.config as { auth?: { apiKeyHeader?: unknown } }).auth;
      const apiKeyHeader =
        options.csrf.apiKeyHeader ??
        (typeof auth?.apiKeyHeader === "string" ? auth.apiKeyHeader.toLowerCase() : undefined);
      attachCsrf(app, { ...options.csrf, apiKeyHeader });
      app.addHook("preHandler", csrfCheck, { appliesTo: (route) => !CsrfExempt.has(route) });
      const fieldName = options.csrf.fieldName;
      app.templates.addContextProcessor(async (ctx) => ({
        ...(await csrfTemplateContext(ctx)),
        csrf_field_name: fieldName,
      }));
    }
    app.addHook("onResponse", (ctx) => removeRequestFiles(ctx));
  },
});
