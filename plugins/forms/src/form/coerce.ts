import { isUploadedFile, type UploadedFile } from "../files.js";
import type { MessageId } from "./messages.js";

/** The kinds of field; each has its coercion rule (docs/forms.md, "Coercion"). */
export type FieldKind =
  | "string"
  | "email"
  | "password"
  | "hidden"
  | "integer"
  | "decimal"
  | "boolean"
  | "date"
  | "select"
  | "multiselect"
  | "file";

/** One choice of a select: a value, a `[value, label]` pair, or `{ value, label }`. */
export type Choice = string | readonly [value: string, label: string] | { value: string; label: string };

/** A choice as the form uses it. */
export interface NormalChoice {
  readonly value: string;
  readonly label: string;
}

export function normalChoices(choices: readonly Choice[]): NormalChoice[] {
  return choices.map((choice) =>
    typeof choice === "string"
      ? { value: choice, label: choice }
      : Array.isArray(choice)
        ? { value: String(choice[0]), label: String(choice[1]) }
        : { value: String((choice as NormalChoice).value), label: String((choice as NormalChoice).label) },
  );
}

/** What coercion made of one field's raw input. */
export interface Coerced {
  readonly value: unknown;
  readonly error?: { readonly id: MessageId; readonly params?: Record<string, unknown> };
}

const FALSE = new Set(["", "false", "0", "off", "no", "n"]);
const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether raw input counts as not given: absent, blank text, or only blank items. */
export function isBlank(raw: unknown): boolean {
  if (raw === undefined || raw === null) return true;
  if (typeof raw === "string") return raw.trim() === "";
  if (Array.isArray(raw)) return raw.every(isBlank);
  return false;
}

/** A scalar of a JSON or form body as text; objects, arrays and files are not text. */
function asText(raw: unknown): string | undefined {
  if (typeof raw === "string") return raw;
  if (typeof raw === "number" && Number.isFinite(raw)) return String(raw);
  if (typeof raw === "boolean") return String(raw);
  return undefined;
}

const fail = (id: MessageId, params?: Record<string, unknown>): Coerced => ({
  value: undefined,
  error: params === undefined ? { id } : { id, params },
});

/** `"+1.50"` → `"1.50"`, `".5"` → `"0.5"`, `"5."` → `"5"`; undefined when it is no decimal number. */
export function normalDecimal(text: string): string | undefined {
  const match = DECIMAL.exec(text.trim());
  if (match === null) return undefined;
  const [, sign = "", whole = "", fraction] = match;
  if (whole === "" && (fraction === undefined || fraction === "")) return undefined;
  const int = whole === "" ? "0" : whole;
  const out = fraction === undefined || fraction === "" ? int : `${int}.${fraction}`;
  return sign === "-" ? `-${out}` : out;
}

/** Compares two decimal numbers written as text, exactly (no float): -1, 0 or 1. */
export function compareDecimals(a: string, b: string): number {
  const split = (text: string) => {
    const negative = text.startsWith("-");
    const [int = "0", frac = ""] = text.replace(/^[+-]/, "").split(".");
    return { negative, int: int.replace(/^0+(?=\d)/, ""), frac: frac.replace(/0+$/, "") };
  };
  const x = split(a);
  const y = split(b);
  const zero = (n: typeof x) => /^0*$/.test(n.int) && n.frac === "";
  if (zero(x) && zero(y)) return 0;
  if (x.negative !== y.negative) return x.negative ? -1 : 1;
  let order: number;
  if (x.int.length !== y.int.length) order = x.int.length < y.int.length ? -1 : 1;
  else {
    const width = Math.max(x.frac.length, y.frac.length);
    const left = x.int + x.frac.padEnd(width, "0");
    const right = y.int + y.frac.padEnd(width, "0");
    order = left === right ? 0 : left < right ? -1 : 1;
  }
  return x.negative ? -order : order;
}

function isDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

export interface CoerceOptions {
  readonly choices?: readonly NormalChoice[];
  readonly places?: number;
  readonly multiple?: boolean;
}

/** The first value of a repeated form field (a single-valued field reads its first value). */
export function first(raw: unknown): unknown {
  return Array.isArray(raw) ? (raw as unknown[])[0] : raw;
}

function coerceText(kind: FieldKind, raw: unknown): Coerced {
  if (raw === undefined || raw === null) return { value: "" };
  const text = asText(first(raw));
  if (text === undefined) return fail("invalid");
  return { value: kind === "email" ? text.trim() : text };
}

function coerceNumber(kind: "integer" | "decimal", raw: unknown, options: CoerceOptions): Coerced {
  const value = first(raw);
  if (isBlank(value)) return { value: undefined };
  if (kind === "integer") {
    if (typeof value === "number") return Number.isSafeInteger(value) ? { value } : fail("integer");
    if (typeof value !== "string" || !INTEGER.test(value.trim())) return fail("integer");
    const n = Number(value.trim());
    return Number.isSafeInteger(n) ? { value: n } : fail("integer");
  }
  const text = typeof value === "number" ? (Number.isFinite(value) ? String(value) : "") : value;
  const decimal = typeof text === "string" && !/e/i.test(text) ? normalDecimal(text) : undefined;
  if (decimal === undefined) return fail("decimal");
  const places = decimal.split(".")[1]?.length ?? 0;
  if (options.places !== undefined && places > options.places) {
    return fail("decimal.places", { places: options.places });
  }
  return { value: decimal };
}

function coerceChoice(raw: unknown, options: CoerceOptions): Coerced {
  const value = first(raw);
  if (isBlank(value)) return { value: undefined };
  const text = asText(value);
  if (text === undefined || !(options.choices ?? []).some((choice) => choice.value === text)) {
    return fail("choice");
  }
  return { value: text };
}

function coerceFiles(raw: unknown, multiple: boolean): Coerced {
  const items = (Array.isArray(raw) ? raw : [raw]).filter((item) => !isBlank(item));
  if (items.some((item) => !isUploadedFile(item))) return fail("file");
  const files = items as UploadedFile[];
  return { value: multiple ? files : files[0] };
}

/**
 * A field's raw input (a form value, repeated values, a file, or a JSON value) made into its
 * typed value. Blank input gives the kind's empty value without an error: `""` for text, `false`
 * for a checkbox, `[]` for a multiselect, undefined otherwise; `required()` then decides.
 */
export function coerce(kind: FieldKind, raw: unknown, options: CoerceOptions = {}): Coerced {
  switch (kind) {
    case "string":
    case "email":
    case "password":
    case "hidden":
      return coerceText(kind, raw);
    case "integer":
    case "decimal":
      return coerceNumber(kind, raw, options);
    case "boolean": {
      const value = first(raw);
      if (value === undefined || value === null) return { value: false };
      if (typeof value === "boolean") return { value };
      const text = asText(value);
      return text === undefined ? fail("invalid") : { value: !FALSE.has(text.trim().toLowerCase()) };
    }
    case "date": {
      const value = first(raw);
      if (isBlank(value)) return { value: undefined };
      const match = typeof value === "string" ? DATE.exec(value.trim()) : null;
      if (match === null || !isDate(Number(match[1]), Number(match[2]), Number(match[3])))
        return fail("date");
      return { value: match[0] };
    }
    case "select":
      return coerceChoice(raw, options);
    case "multiselect": {
      const items = (Array.isArray(raw) ? raw : raw === undefined || raw === null ? [] : [raw]).filter(
        (item) => !isBlank(item),
      );
      const texts = items.map(asText);
      const allowed = new Set((options.choices ?? []).map((choice) => choice.value));
      if (texts.some((text) => text === undefined || !allowed.has(text))) return fail("choice");
      return { value: texts };
    }
    case "file":
      return coerceFiles(raw, options.multiple === true);
  }
}
