import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { FieldKind } from "./coerce.js";
import type { FormCsrf } from "./form.js";
import { type FieldView, fieldView, type ViewOverrides } from "./view.js";

/**
 * A form validated by any Standard Schema (zod, valibot…) instead of decorated fields: `@Form(schema)`
 * gives one. Form values arrive as text (use `z.coerce` or the like for numbers); each issue
 * becomes an error of the field its path starts with, an issue without a path a form error.
 */
export class SchemaForm<T = unknown> {
  readonly #input: Record<string, unknown> | undefined;
  #data: T | undefined;
  #errors: Record<string, string[]> = {};
  #formErrors: string[] = [];
  #validated = false;
  #blocked: string | undefined;
  csrf: FormCsrf | undefined;

  constructor(
    readonly schema: StandardSchemaV1<unknown, T>,
    input?: Readonly<Record<string, unknown>> | null,
  ) {
    this.#input = input ?? undefined;
  }

  /** Set it to true for a schema form with file inputs (the form macro then posts multipart). */
  multipart = false;

  get submitted(): boolean {
    return this.#input !== undefined;
  }

  get valid(): boolean {
    return this.submitted && this.#validated && this.#blocked === undefined && this.errorCount() === 0;
  }

  get errors(): Readonly<Record<string, readonly string[]>> {
    return this.#errors;
  }

  get formErrors(): readonly string[] {
    return this.#blocked === undefined ? this.#formErrors : [this.#blocked, ...this.#formErrors];
  }

  get values(): Readonly<Record<string, unknown>> {
    return this.#input ?? {};
  }

  /** The schema's output for a valid form; throws for a form that is not valid. */
  get data(): T {
    if (!this.valid) throw new Error("SchemaForm.data: the form is not valid (check form.valid first)");
    return this.#data as T;
  }

  addError(field: string | null, message: string): void {
    if (field === null) this.#formErrors.push(message);
    else (this.#errors[field] ??= []).push(message);
  }

  /** @internal A failed CSRF check: the form is never valid. */
  block(message: string): void {
    this.#blocked = message;
  }

  /** A field to render; a schema names no labels or kinds, so give them: `form.field("email", { label: "Email", kind: "email" })`. */
  field(name: string, overrides: ViewOverrides & { kind?: FieldKind } = {}): FieldView {
    const spec = {
      name,
      kind: overrides.kind ?? "string",
      label: overrides.label ?? name,
      validators: [],
      options: {},
    };
    return fieldView(
      spec,
      { submitted: this.submitted, input: this.values, initial: {}, errors: this.#errors },
      overrides,
    );
  }

  /** Runs the schema over the input; resolves to `valid`. */
  async validate(): Promise<boolean> {
    const result = await this.schema["~standard"].validate(this.values);
    this.#errors = {};
    if (result.issues === undefined) this.#data = result.value;
    else {
      for (const issue of result.issues) {
        const head = issue.path?.[0];
        const key = typeof head === "object" ? head.key : head;
        if (key === undefined) this.#formErrors.push(issue.message);
        else (this.#errors[String(key)] ??= []).push(issue.message);
      }
    }
    this.#validated = true;
    return this.valid;
  }

  private errorCount(): number {
    return this.formErrors.length + Object.keys(this.#errors).length;
  }
}
