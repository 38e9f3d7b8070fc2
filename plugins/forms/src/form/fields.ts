import { type Choice, type FieldKind, type NormalChoice, normalChoices } from "./coerce.js";
import { toValidator, type Validator, type ValidatorLike } from "./validators.js";
import { checkAttributeNames } from "./attributes.js";

/** Options every field takes besides its label. */
export interface FieldOptions {
  readonly validators?: readonly ValidatorLike[];
  /** Help text under the input (linked with `aria-describedby`). */
  readonly description?: string;
  /** The input's `id` (default: the field name). */
  readonly id?: string;
  /** The value shown before the form is submitted. */
  readonly default?: unknown;
  /** More attributes for the input (`{ placeholder: "you@example.com", autocomplete: "email" }`). */
  readonly attrs?: Readonly<Record<string, string | number | boolean>>;
}

export interface TextFieldOptions extends FieldOptions {
  /** Render a `<textarea>` instead of an `<input>`. */
  readonly multiline?: boolean;
}

export interface DecimalFieldOptions extends FieldOptions {
  /** Decimal places at most (also the input's `step`). */
  readonly places?: number;
}

/** The choices of a select: a list, or a function giving it, called each time the form is validated or rendered. */
export type Choices = readonly Choice[] | (() => readonly Choice[]);

export interface SelectFieldOptions extends FieldOptions {
  readonly choices: Choices;
  /** A first option with an empty value (`"Choose…"`), so that `required` works in the browser. */
  readonly placeholder?: string;
}

export interface FileFieldOptions extends FieldOptions {
  /** Several files under this name (`multiple`): the value is an array. */
  readonly multiple?: boolean;
}

/** One declared field of a form class. */
export interface FieldSpec {
  readonly name: string;
  readonly kind: FieldKind;
  readonly label: string;
  readonly validators: readonly Validator[];
  readonly options: FieldOptions &
    Partial<Omit<SelectFieldOptions, "choices">> &
    Partial<DecimalFieldOptions & FileFieldOptions & TextFieldOptions> & { readonly choices?: Choices };
}

/** Names a form's own members use; a field cannot take them. */
export const RESERVED = new Set([
  "constructor",
  "validate",
  "valid",
  "submitted",
  "errors",
  "formErrors",
  "data",
  "values",
  "field",
  "fields",
  "addError",
  "csrf",
  "specs",
  "multipart",
  "errorCount",
  "viewState",
]);

const FIELDS = Symbol("flagon.forms.fields");

/** The fields of a form class, its parents' first, in declaration order. */
export function fieldsOf(cls: abstract new (...args: never[]) => unknown): readonly FieldSpec[] {
  const chain: FieldSpec[][] = [];
  for (
    let proto: object | null = cls.prototype as object;
    proto !== null;
    proto = Object.getPrototypeOf(proto) as object | null
  ) {
    const own = Reflect.getOwnMetadata(FIELDS, proto) as FieldSpec[] | undefined;
    if (own !== undefined) chain.unshift(own);
  }
  const byName = new Map<string, FieldSpec>();
  for (const spec of chain.flat()) byName.set(spec.name, spec);
  return [...byName.values()];
}

/** The choices of a select field, normalised. */
export function choicesOf(spec: FieldSpec): NormalChoice[] {
  const { choices } = spec.options;
  if (choices === undefined) return [];
  return normalChoices(typeof choices === "function" ? choices() : choices);
}

function define(kind: FieldKind) {
  return (label: string, options: readonly ValidatorLike[] | FieldSpec["options"] = {}): PropertyDecorator =>
    (target, key) => {
      if (typeof key !== "string")
        throw new TypeError(`a form field needs a string name, not ${String(key)}`);
      const cls = (target as { constructor: { name: string } }).constructor.name;
      if (RESERVED.has(key)) {
        throw new TypeError(`${cls}.${key}: "${key}" is a member of every form; name the field otherwise`);
      }
      const opts: FieldSpec["options"] = Array.isArray(options)
        ? { validators: options as readonly ValidatorLike[] }
        : (options as FieldSpec["options"]);
      if ((kind === "select" || kind === "multiselect") && opts.choices === undefined) {
        throw new TypeError(`${cls}.${key}: a ${kind} field needs its choices ({ choices: [...] })`);
      }
      checkAttributeNames(opts.attrs, `${cls}.${key}`);
      const spec: FieldSpec = {
        name: key,
        kind,
        label,
        validators: (opts.validators ?? []).map(toValidator),
        options: opts,
      };
      const own = (Reflect.getOwnMetadata(FIELDS, target) as FieldSpec[] | undefined) ?? [];
      Reflect.defineMetadata(FIELDS, [...own.filter((f) => f.name !== key), spec], target);
    };
}

type Decorator<O> = (label: string, options?: readonly ValidatorLike[] | O) => PropertyDecorator;
type ChoiceDecorator = (label: string, options: SelectFieldOptions) => PropertyDecorator;

/** A text input: the value is the text as sent (`""` when blank). */
export const StringField: Decorator<TextFieldOptions> = define("string");
/** An `<input type=email>`: text, trimmed; add `email()` to check it. */
export const EmailField: Decorator<FieldOptions> = define("email");
/** An `<input type=password>`: text, never rendered back. */
export const PasswordField: Decorator<FieldOptions> = define("password");
/** An `<input type=hidden>`: text. */
export const HiddenField: Decorator<FieldOptions> = define("hidden");
/** An `<input type=number step=1>`: a safe integer, or undefined when blank. */
export const IntegerField: Decorator<FieldOptions> = define("integer");
/** A decimal number kept as text without float loss (`"12.50"`), or undefined when blank. */
export const DecimalField: Decorator<DecimalFieldOptions> = define("decimal");
/** A checkbox: true unless absent or `""`, `false`, `0`, `off`, `no`, `n`. */
export const BooleanField: Decorator<FieldOptions> = define("boolean");
/** An `<input type=date>`: a calendar date as `YYYY-MM-DD` text, or undefined when blank. */
export const DateField: Decorator<FieldOptions> = define("date");
/** A `<select>`: one of the choices' values, or undefined when blank. */
export const SelectField: ChoiceDecorator = define("select");
/** A `<select multiple>` (repeated fields): the chosen values, `[]` when none. */
export const MultiSelectField: ChoiceDecorator = define("multiselect");
/** An `<input type=file>`: an `UploadedFile` (an array with `multiple`), or undefined. */
export const FileField: Decorator<FileFieldOptions> = define("file");
