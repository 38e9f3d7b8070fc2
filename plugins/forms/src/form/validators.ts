import type { Context, InjectionToken } from "@flagon/core";
import type { UploadedFile } from "../files.js";
import { compareDecimals, type FieldKind, normalDecimal } from "./coerce.js";
import type { Message, MessageId, Messages } from "./messages.js";

/** What a validator knows besides the value: the field, the whole form's values, the request. */
export interface ValidatorContext {
  /** The field's name and label, and its kind (`"integer"`, `"date"`…). */
  readonly field: { readonly name: string; readonly label: string; readonly kind: FieldKind };
  /** Every field's coerced value, by name (for checks across fields). */
  readonly values: Readonly<Record<string, unknown>>;
  /** Field labels by name (to name another field in a message). */
  readonly labels: Readonly<Record<string, string>>;
  /** The request, when the form is bound to one (`@Form`, or `validate({ ctx })`). */
  readonly ctx: Context | undefined;
  /** A service from the request's container (or the one given to `validate`). */
  resolve<T>(token: InjectionToken<T>): T;
  /** The text of a message id with its placeholders, after the app's and this validator's overrides. */
  message(id: MessageId, params?: Record<string, unknown>, override?: Message): string;
  readonly messages: Messages | undefined;
}

/** What a check answers: nothing (or `true`) when valid; an error message, or `false` for the default one. */
export type ValidatorResult = undefined | void | boolean | string;

/** A custom check as a function, sync or async: `(value, context) => ok ? undefined : "message"`. */
export type ValidatorFunction<T = unknown> = (
  value: T,
  context: ValidatorContext,
) => ValidatorResult | Promise<ValidatorResult>;

/** A validator of a field. Make one with the factories below, or pass a function (a custom check). */
export interface Validator {
  /** The validator's name (`"length"`), also the id of its default message. */
  readonly name: string;
  /** `required` stops the chain with its error on an empty value; `optional` stops it without one on blank input. */
  readonly stop?: "required" | "optional";
  check(value: unknown, context: ValidatorContext): ValidatorResult | Promise<ValidatorResult>;
  /** HTML attributes the validator implies on the field's input (`maxlength`, `min`, `accept`…). */
  attributes?(kind: FieldKind): Record<string, string | number | true>;
}

/** A field's validators: validator objects, or functions (custom checks). */
export type ValidatorLike = Validator | ValidatorFunction<never>;

export function toValidator(entry: ValidatorLike): Validator {
  if (typeof entry === "function") return custom(entry as ValidatorFunction);
  if (entry === null || typeof entry !== "object" || typeof entry.check !== "function") {
    throw new TypeError("a field validator must be a validator (required(), length()…) or a function");
  }
  return entry;
}

export interface MessageOption {
  /** This validator's message instead of the app's or the built-in one. */
  readonly message?: Message;
}

/** Whether a coerced value is empty for `required()`: blank text, unchecked, no choice, no file. */
export function isEmptyValue(value: unknown): boolean {
  if (value === undefined || value === null || value === false) return true;
  if (typeof value === "string") return value.trim() === "";
  return Array.isArray(value) && value.length === 0;
}

const TEXT_KINDS = new Set<FieldKind>(["string", "email", "password"]);

/** The field must have a value: non-blank text, a checked box, a choice, a file. Stops the chain when empty. */
export function required(options: MessageOption = {}): Validator {
  return {
    name: "required",
    stop: "required",
    check: (value, context) =>
      isEmptyValue(value) ? context.message("required", {}, options.message) : undefined,
    attributes: () => ({ required: true }),
  };
}

/** Blank input is allowed: it stops the chain, so no later validator complains about it. */
export function optional(): Validator {
  return { name: "optional", stop: "optional", check: () => undefined };
}

export interface LengthOptions extends MessageOption {
  readonly min?: number;
  readonly max?: number;
}

/** Text length in characters (code points), or the number of choices of a multiselect. */
export function length(options: LengthOptions): Validator {
  const { min, max } = options;
  return {
    name: "length",
    check(value, context) {
      const items = Array.isArray(value);
      const size = items ? value.length : [...(typeof value === "string" ? value : "")].length;
      const prefix = items ? "length.items" : "length";
      type Id = `${typeof prefix}.${"min" | "max"}`;
      if (min !== undefined && size < min)
        return context.message(`${prefix}.min` as Id, { min, max }, options.message);
      if (max !== undefined && size > max)
        return context.message(`${prefix}.max` as Id, { min, max }, options.message);
      return undefined;
    },
    attributes: (kind) =>
      TEXT_KINDS.has(kind)
        ? { ...(min !== undefined && { minlength: min }), ...(max !== undefined && { maxlength: max }) }
        : {},
  };
}

export interface RangeOptions extends MessageOption {
  /** A number, or for decimal and date fields a decimal (`"0.01"`) or date (`"2000-01-01"`) as text. */
  readonly min?: number | string;
  readonly max?: number | string;
}

/** Compares a value to a bound: numbers as numbers, decimals exactly, dates as YYYY-MM-DD text. */
function compare(kind: FieldKind, value: unknown, bound: number | string): number | undefined {
  if (typeof value === "number") return value - Number(bound);
  if (typeof value !== "string") return undefined;
  if (kind === "decimal") {
    const other = normalDecimal(String(bound));
    return other === undefined ? undefined : compareDecimals(value, other);
  }
  const other = String(bound);
  return value === other ? 0 : value < other ? -1 : 1;
}

/** A number, decimal or date between `min` and `max` (inclusive). An empty value fails: add `optional()`. */
export function range(options: RangeOptions): Validator {
  const { min, max } = options;
  return {
    name: "range",
    check(value, context) {
      const { kind } = context.field;
      const params = { min, max };
      if (min !== undefined && !((compare(kind, value, min) ?? -1) >= 0)) {
        return context.message("range.min", params, options.message);
      }
      if (max !== undefined && !((compare(kind, value, max) ?? 1) <= 0)) {
        return context.message("range.max", params, options.message);
      }
      return undefined;
    },
    attributes: (kind) =>
      kind === "integer" || kind === "decimal" || kind === "date"
        ? { ...(min !== undefined && { min: String(min) }), ...(max !== undefined && { max: String(max) }) }
        : {},
  };
}

// One @, a local part of the characters HTML's type=email allows, a domain of dot-separated
// labels (letters, digits, inner hyphens) with at least one dot.
const EMAIL_LOCAL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}$/;
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** An e-mail address as a browser's `type=email` accepts it, with a dot in the domain. */
export function email(options: MessageOption = {}): Validator {
  return {
    name: "email",
    check(value, context) {
      const text = typeof value === "string" ? value : "";
      const at = text.lastIndexOf("@");
      const local = text.slice(0, at);
      const labels = text.slice(at + 1).split(".");
      const ok =
        at > 0 &&
        EMAIL_LOCAL.test(local) &&
        labels.length > 1 &&
        text.length <= 254 &&
        labels.every((l) => LABEL.test(l));
      return ok ? undefined : context.message("email", {}, options.message);
    },
  };
}

export interface UrlOptions extends MessageOption {
  /** Allowed schemes, without the colon. Default: http and https. */
  readonly protocols?: readonly string[];
}

/** An absolute URL with a host, of an allowed scheme (http and https by default). */
export function url(options: UrlOptions = {}): Validator {
  const protocols = new Set((options.protocols ?? ["http", "https"]).map((p) => `${p.toLowerCase()}:`));
  return {
    name: "url",
    check(value, context) {
      let parsed: URL | undefined;
      try {
        parsed = new URL(typeof value === "string" ? value.trim() : "");
      } catch {
        parsed = undefined;
      }
      const ok = parsed !== undefined && protocols.has(parsed.protocol) && parsed.hostname !== "";
      return ok ? undefined : context.message("url", {}, options.message);
    },
    attributes: () => ({ type: "url" }),
  };
}

export interface RegexpOptions extends MessageOption {
  /** Put the pattern in the input's `pattern` attribute when it is safe to (default true). */
  readonly html?: boolean;
}

/** The pattern as an HTML `pattern` attribute, when the browser would apply it exactly as the server does. */
function htmlPattern(pattern: RegExp): string | undefined {
  const { source, flags } = pattern;
  if (!/^[uv]*$/.test(flags) || !source.startsWith("^") || !source.endsWith("$") || source.endsWith("\\$")) {
    return undefined;
  }
  try {
    new RegExp(source, "v");
  } catch {
    return undefined;
  }
  return source;
}

/** Text that `pattern` matches (tested as given: anchor it with `^…$` to match the whole value). */
export function regexp(pattern: RegExp, options: RegexpOptions = {}): Validator {
  const attribute = options.html === false ? undefined : htmlPattern(pattern);
  return {
    name: "regexp",
    check(value, context) {
      pattern.lastIndex = 0;
      return typeof value === "string" && pattern.test(value)
        ? undefined
        : context.message("regexp", { pattern: pattern.source }, options.message);
    },
    attributes: (kind): Record<string, string> =>
      attribute !== undefined && TEXT_KINDS.has(kind) ? { pattern: attribute } : {},
  };
}

/** The same value as another field (a password confirmation): `equalTo("password")`. */
export function equalTo(other: string, options: MessageOption = {}): Validator {
  return {
    name: "equalTo",
    check(value, context) {
      if (!Object.hasOwn(context.values, other)) {
        throw new Error(
          `equalTo("${other}") on the field "${context.field.name}": the form has no field "${other}"`,
        );
      }
      return value === context.values[other]
        ? undefined
        : context.message(
            "equalTo",
            { other: context.labels[other] ?? other, field: other },
            options.message,
          );
    },
  };
}

/** One of the given values (each of them, for a multiselect). */
export function anyOf(values: readonly unknown[], options: MessageOption = {}): Validator {
  return {
    name: "anyOf",
    check(value, context) {
      const items = Array.isArray(value) ? value : [value];
      return items.every((item) => values.includes(item))
        ? undefined
        : context.message("anyOf", { values: values.join(", ") }, options.message);
    },
  };
}

const filesOf = (value: unknown): UploadedFile[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value]) as UploadedFile[];

/**
 * Files whose (sanitised) name ends with one of `extensions` (`["pdf", "png"]`, case-insensitive).
 * It checks the name only: the client's type is never trusted, so check the content too before
 * serving it. No file passes (add `required()` to demand one). Sets the input's `accept`.
 */
export function fileAllowed(extensions: readonly string[], options: MessageOption = {}): Validator {
  const allowed = extensions.map((ext) => ext.replace(/^\./, "").toLowerCase());
  return {
    name: "fileAllowed",
    check(value, context) {
      const ok = filesOf(value).every((file) => {
        const dot = file.filename.lastIndexOf(".");
        return dot > 0 && allowed.includes(file.filename.slice(dot + 1).toLowerCase());
      });
      return ok
        ? undefined
        : context.message("fileAllowed", { extensions: allowed.join(", ") }, options.message);
    },
    attributes: () => ({ accept: allowed.map((ext) => `.${ext}`).join(",") }),
  };
}

export interface FileSizeOptions extends MessageOption {
  /** Bytes at most. */
  readonly max?: number;
  /** Bytes at least. */
  readonly min?: number;
}

/** `1536` → `"1.5 KB"`: sizes in messages, in units of 1024. */
export function formatBytes(bytes: number): string {
  const units = ["bytes", "KB", "MB", "GB"];
  let size = bytes;
  let unit = 0;
  while (size >= 1024 && unit < units.length - 1) {
    size /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} bytes` : `${Number(size.toFixed(1))} ${units[unit]}`;
}

/** Each file's size in bytes between `min` and `max`. (The app's `forms.limits.fileSize` still caps every upload with a 413.) */
export function fileSize(options: FileSizeOptions): Validator {
  const { min, max } = options;
  return {
    name: "fileSize",
    check(value, context) {
      const params = {
        min: min === undefined ? "" : formatBytes(min),
        max: max === undefined ? "" : formatBytes(max),
      };
      for (const file of filesOf(value)) {
        if (max !== undefined && file.size > max)
          return context.message("fileSize.max", params, options.message);
        if (min !== undefined && file.size < min)
          return context.message("fileSize.min", params, options.message);
      }
      return undefined;
    },
  };
}

/**
 * A check of your own, sync or async: it answers `undefined`/`true` when the value is valid, or an
 * error message (`false` means `message`, else "Invalid value."). `context.resolve(Service)` gets
 * a service of the request's container.
 *
 * @example
 * custom(async (name: string, { resolve }) =>
 *   (await resolve(Users).exists(name)) ? "That username is taken." : undefined)
 */
export function custom<T = unknown>(check: ValidatorFunction<T>, options: MessageOption = {}): Validator {
  return {
    name: check.name || "custom",
    async check(value, context) {
      const result = await check(value as T, context);
      if (result === undefined || result === true) return undefined;
      if (typeof result === "string") return result;
      return context.message("custom", {}, options.message);
    },
  };
}
