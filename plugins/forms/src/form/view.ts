import { coerce, type FieldKind, first, type NormalChoice } from "./coerce.js";
import { checkAttributeNames } from "./attributes.js";
import { choicesOf, type FieldSpec } from "./fields.js";

/** An option of a rendered select. */
export interface OptionView extends NormalChoice {
  readonly selected: boolean;
}

/**
 * One field as the `forms/macros.html` macros render it: everything is computed here, so the
 * macros only print (escaped). `attrs` are the input's attributes in order (`true` = present).
 */
export interface FieldView {
  readonly name: string;
  readonly id: string;
  readonly label: string;
  readonly kind: FieldKind;
  readonly widget: "input" | "textarea" | "select" | "checkbox" | "hidden";
  /** The value to show: what was submitted, else the initial value; always `""` for passwords and files. */
  readonly value: string;
  readonly checked: boolean;
  readonly options: readonly OptionView[];
  readonly placeholder: string | undefined;
  readonly attrs: Readonly<Record<string, string | true>>;
  readonly errors: readonly string[];
  readonly errorId: string;
  readonly description: string | undefined;
  readonly descriptionId: string;
}

/** What a view needs of its form. */
export interface ViewState {
  readonly submitted: boolean;
  readonly input: Readonly<Record<string, unknown>>;
  readonly initial: Readonly<Record<string, unknown>>;
  readonly errors: Readonly<Record<string, readonly string[]>>;
}

/** Changes to one rendered field: `form.field("email", { attrs: { autofocus: true } })`. */
export interface ViewOverrides {
  readonly label?: string;
  readonly description?: string;
  readonly attrs?: Readonly<Record<string, string | number | boolean>>;
}

const INPUT_TYPE: Partial<Record<FieldKind, string>> = {
  string: "text",
  email: "email",
  password: "password",
  hidden: "hidden",
  integer: "number",
  decimal: "number",
  date: "date",
  file: "file",
};

function text(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  return "";
}

function texts(value: unknown): string[] {
  return (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(text);
}

function step(spec: FieldSpec): string | undefined {
  if (spec.kind === "integer") return "1";
  if (spec.kind !== "decimal") return undefined;
  const places = spec.options.places;
  return places === undefined ? "any" : places === 0 ? "1" : `0.${"0".repeat(places - 1)}1`;
}

function widgetOf(spec: FieldSpec): FieldView["widget"] {
  if (spec.kind === "boolean") return "checkbox";
  if (spec.kind === "select" || spec.kind === "multiselect") return "select";
  if (spec.kind === "hidden") return "hidden";
  return spec.kind === "string" && spec.options.multiline === true ? "textarea" : "input";
}

/** The view of one field of a form in `state`. */
export function fieldView(spec: FieldSpec, state: ViewState, overrides: ViewOverrides = {}): FieldView {
  const id = spec.options.id ?? spec.name;
  const errors = state.errors[spec.name] ?? [];
  const description = overrides.description ?? spec.options.description;
  const source = state.submitted
    ? Object.hasOwn(state.input, spec.name)
      ? state.input[spec.name]
      : undefined
    : Object.hasOwn(state.initial, spec.name)
      ? state.initial[spec.name]
      : spec.options.default;
  const secret = spec.kind === "password" || spec.kind === "file";
  const widget = widgetOf(spec);
  const chosen = new Set(texts(spec.kind === "multiselect" ? source : first(source)));
  const checked = spec.kind === "boolean" && coerce("boolean", source).value === true;

  const attrs: Record<string, string | true> = {};
  const type = INPUT_TYPE[spec.kind];
  if (widget === "input" || widget === "hidden") attrs["type"] = type ?? "text";
  if (widget === "checkbox") attrs["type"] = "checkbox";
  attrs["id"] = id;
  attrs["name"] = spec.name;
  if (widget !== "hidden") {
    for (const validator of spec.validators) {
      for (const [name, value] of Object.entries(validator.attributes?.(spec.kind) ?? {})) {
        // A validator may refine a plain text input's type (url()), never another field's.
        if (name === "type" && (widget !== "input" || spec.kind !== "string")) continue;
        attrs[name] = value === true ? true : String(value);
      }
    }
    const stepValue = step(spec);
    if (stepValue !== undefined) attrs["step"] = stepValue;
    if (spec.kind === "multiselect" || (spec.kind === "file" && spec.options.multiple === true))
      attrs["multiple"] = true;
    if (spec.kind === "boolean") attrs["value"] = "y";
  }
  checkAttributeNames(overrides.attrs, `the field "${spec.name}"`);
  for (const [name, value] of Object.entries({ ...spec.options.attrs, ...overrides.attrs })) {
    if (value === false) delete attrs[name];
    else attrs[name] = value === true ? true : String(value);
  }
  const described = [
    description === undefined ? undefined : `${id}-description`,
    errors.length > 0 ? `${id}-errors` : undefined,
  ];
  if (errors.length > 0) attrs["aria-invalid"] = "true";
  if (described.some((part) => part !== undefined)) {
    attrs["aria-describedby"] = described.filter((part) => part !== undefined).join(" ");
  }
  return {
    name: spec.name,
    id,
    label: overrides.label ?? spec.label,
    kind: spec.kind,
    widget,
    value: secret || widget === "checkbox" || widget === "select" ? "" : text(first(source)),
    checked,
    options: choicesOf(spec).map((choice) => ({ ...choice, selected: chosen.has(choice.value) })),
    placeholder: spec.options.placeholder,
    attrs,
    errors,
    errorId: `${id}-errors`,
    description,
    descriptionId: `${id}-description`,
  };
}
