import type { Context, DependencyContainer, InjectionToken } from "@flagon/core";
import { QueryArgs } from "@flagon/core";
import { coerce, type Coerced, isBlank } from "./coerce.js";
import { choicesOf, type FieldSpec, fieldsOf } from "./fields.js";
import { type Messages, resolveMessage } from "./messages.js";
import { formSettings } from "./settings.js";
import type { ValidatorContext } from "./validators.js";
import { type FieldView, fieldView, type ViewOverrides } from "./view.js";

/** The raw input of a form: a parsed form, multipart or JSON body, or query arguments. */
export type FormInput = Readonly<Record<string, unknown>> | QueryArgs;

/** The data of a valid form: its fields' typed values (the form class's own properties). */
export type FormData<F> = {
  [K in Exclude<keyof F, keyof FlagonForm> as F[K] extends (...args: never[]) => unknown ? never : K]: F[K];
};

export interface FormOptions {
  /** Values shown before the form is submitted (editing a record): `{ email: user.email }`. */
  readonly initial?: Readonly<Record<string, unknown>>;
}

export interface ValidateOptions {
  /** The request: validators get it (`context.ctx`) and resolve services from its container. */
  readonly ctx?: Context;
  /** A container to resolve services from without a request. */
  readonly container?: DependencyContainer;
  /** Messages by id over the app's (`forms.messages`) and the built-in ones. */
  readonly messages?: Messages;
}

/** The CSRF token a bound form renders in its hidden field. */
export interface FormCsrf {
  readonly field: string;
  readonly token: string;
}

const blocked = new WeakMap<object, string>();

/**
 * @internal Marks a form as refused for good (a failed CSRF check): it carries `message` as a form
 * error and is never valid, whatever `validate()` says later.
 */
export function blockForm(form: FlagonForm, message: string): void {
  blocked.set(form, message);
}

function plain(input: FormInput | null | undefined): Record<string, unknown> | undefined {
  if (input === null || input === undefined) return undefined;
  if (input instanceof QueryArgs) return input.toObject();
  return input;
}

/**
 * One field's chain: the coercion error if any (then no validator runs), else every failing
 * validator's message in order; `required()` stops at its failure, `optional()` on blank input.
 */
async function runChain(
  spec: FieldSpec,
  raw: unknown,
  { error, value }: Coerced,
  context: ValidatorContext,
): Promise<string[]> {
  const found: string[] = [];
  if (error !== undefined) found.push(context.message(error.id, error.params ?? {}));
  for (const validator of spec.validators) {
    if (validator.stop === "optional") {
      if (isBlank(raw)) return [];
      continue;
    }
    if (error !== undefined) break;
    const result = await validator.check(value, context);
    if (typeof result === "string") {
      found.push(result);
      if (validator.stop === "required") break;
    }
  }
  return found;
}

/**
 * The base of form classes, Flask-WTF's `FlaskForm`: declare fields with the field decorators,
 * bind it with `@Form(SignupForm)` or `new SignupForm(input)`, then `await form.validate()`.
 * After a successful validation each field property holds its typed value and `data` all of
 * them; `errors` holds each field's messages, `formErrors` the form's own (an expired CSRF token).
 *
 * @example
 * class SignupForm extends FlagonForm {
 *   @StringField("Username", [required(), length({ min: 3, max: 20 })]) username!: string;
 *   @EmailField("Email", [required(), email()]) email!: string;
 *   @IntegerField("Age", [optional(), range({ min: 13 })]) age?: number;
 * }
 */
export abstract class FlagonForm {
  readonly #input: Record<string, unknown> | undefined;
  readonly #initial: Readonly<Record<string, unknown>>;
  #values: Record<string, unknown> = {};
  #errors: Record<string, string[]> = {};
  #formErrors: string[] = [];
  #validated = false;
  /** The CSRF token to render in the form (set by `@Form` when CSRF protection is on). */
  csrf: FormCsrf | undefined;

  /** `input` is what was submitted (none: a blank form to show); `options.initial` prefills it. */
  constructor(input?: FormInput | null, options: FormOptions = {}) {
    this.#input = plain(input);
    this.#initial = options.initial ?? {};
  }

  /** The declared fields, in order. */
  get specs(): readonly FieldSpec[] {
    return fieldsOf(this.constructor as abstract new () => unknown);
  }

  /** Whether the form has a file field (the form macro then posts it as multipart/form-data). */
  get multipart(): boolean {
    return this.specs.some((spec) => spec.kind === "file");
  }

  /** Whether the form was given input (a submitted form), not just shown blank. */
  get submitted(): boolean {
    return this.#input !== undefined;
  }

  /** Whether the form was submitted, validated, and has no error at all. */
  get valid(): boolean {
    return this.submitted && this.#validated && !blocked.has(this) && this.errorCount() === 0;
  }

  /** Each field's error messages, by field name (fields without errors are absent). */
  get errors(): Readonly<Record<string, readonly string[]>> {
    return this.#errors;
  }

  /** Errors of the whole form, not of one field (a failed CSRF check, a wrong password). */
  get formErrors(): readonly string[] {
    const reason = blocked.get(this);
    return reason === undefined ? this.#formErrors : [reason, ...this.#formErrors];
  }

  /** The raw input as submitted (for logging or a custom re-render). */
  get values(): Readonly<Record<string, unknown>> {
    return this.#input ?? {};
  }

  /**
   * The typed values of a valid form. Reading it from a form that is not valid throws: what an
   * invalid (or forged) request sent never passes as data.
   */
  get data(): FormData<this> {
    if (!this.valid) {
      const why = this.submitted ? "is not valid (check form.valid first)" : "was not submitted";
      throw new Error(`${this.constructor.name}.data: the form ${why}`);
    }
    return { ...this.#values } as FormData<this>;
  }

  /** Adds an error to a field, or to the whole form (`null`): after a check in the handler. */
  addError(field: string | null, message: string): void {
    if (field === null) this.#formErrors.push(message);
    else (this.#errors[field] ??= []).push(message);
  }

  /** One field as the template macros render it; `overrides` change its label, attributes… */
  field(name: string, overrides: ViewOverrides = {}): FieldView {
    const spec = this.specs.find((f) => f.name === name);
    if (spec === undefined) throw new Error(`${this.constructor.name} has no field "${name}"`);
    return fieldView(spec, this.viewState(), overrides);
  }

  /** Every field as the macros render it, in declaration order. */
  get fields(): FieldView[] {
    const state = this.viewState();
    return this.specs.map((spec) => fieldView(spec, state));
  }

  /**
   * Coerces each field's input and runs its validators (async ones awaited, fields in parallel).
   * Resolves to `valid`. Validation errors never throw; a validator that throws rejects.
   */
  async validate(options: ValidateOptions = {}): Promise<boolean> {
    const input = this.#input ?? {};
    const specs = this.specs;
    const messages = { ...formSettings(options.ctx)?.messages, ...options.messages };
    const values: Record<string, unknown> = {};
    const coerced = new Map<string, Coerced>();
    for (const spec of specs) {
      const raw = Object.hasOwn(input, spec.name) ? input[spec.name] : undefined;
      const result = coerce(spec.kind, raw, {
        choices: choicesOf(spec),
        places: spec.options.places,
        multiple: spec.options.multiple,
      });
      coerced.set(spec.name, result);
      values[spec.name] = result.value;
    }
    const labels = Object.fromEntries(specs.map((spec) => [spec.name, spec.label]));
    const message: ValidatorContext["message"] = (id, params = {}, override) =>
      resolveMessage(id, params, messages, override);
    const container = options.container ?? options.ctx?.container;
    const resolve = <T>(token: InjectionToken<T>): T => {
      if (container === undefined)
        throw new Error("context.resolve(): validate the form with { ctx } or { container }");
      return container.resolve(token);
    };
    const perField = await Promise.all(
      specs.map(async (spec) => {
        const raw = Object.hasOwn(input, spec.name) ? input[spec.name] : undefined;
        const coercion = coerced.get(spec.name) ?? { value: undefined };
        return runChain(spec, raw, coercion, {
          field: { name: spec.name, label: spec.label, kind: spec.kind },
          values,
          labels,
          ctx: options.ctx,
          resolve,
          message,
          messages,
        });
      }),
    );
    // In declaration order, whichever field's async validators finished first.
    const errors: Record<string, string[]> = {};
    specs.forEach((spec, index) => {
      const messages = perField[index] ?? [];
      if (messages.length > 0) errors[spec.name] = messages;
    });
    this.#values = values;
    this.#errors = errors;
    this.#formErrors = [];
    this.#validated = true;
    for (const spec of specs) (this as Record<string, unknown>)[spec.name] = values[spec.name];
    return this.valid;
  }

  private errorCount(): number {
    return this.formErrors.length + Object.keys(this.#errors).length;
  }

  private viewState() {
    return {
      submitted: this.submitted,
      input: this.#input ?? {},
      initial: this.#initial,
      errors: this.#errors,
    };
  }
}
