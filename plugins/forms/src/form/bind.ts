import type { StandardSchemaV1 } from "@standard-schema/spec";
import { type Context, UnprocessableEntityError } from "@flagon/core";
import { createParamDecorator, type ParamInfo } from "@flagon/core/plugin";
import { csrfToken, deferredCsrfFailure } from "../csrf.js";
import { formType } from "../guard.js";
import { blockForm, FlagonForm, type FormInput } from "./form.js";
import { FormBound, isFormPage } from "./marker.js";
import { resolveMessage } from "./messages.js";
import { SchemaForm } from "./schema-form.js";
import { formSettings } from "./settings.js";

/** A form class (a subclass of `FlagonForm`). */
export type FormClass<F extends FlagonForm = FlagonForm> = new (input?: FormInput | null) => F;

/** What `@Form` binds: a form class, or any Standard Schema. */
export type FormTarget = FormClass | StandardSchemaV1;

export interface BindOptions {
  /**
   * Where the input comes from. `"body"` (the default for POST, PUT, PATCH, DELETE): a form,
   * multipart or JSON body. `"query"`: the query string (a search form), submitted when it has
   * arguments. On GET and HEAD the default gives a blank, unsubmitted form.
   */
  readonly source?: "body" | "query";
}

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

function isFormClass(target: unknown): target is FormClass {
  return typeof target === "function" && target.prototype instanceof FlagonForm;
}

async function inputOf(ctx: Context, source: BindOptions["source"]) {
  const method = ctx.request.method.toUpperCase();
  if (source === "query")
    return { input: ctx.request.query.size > 0 ? ctx.request.query.toObject() : null, json: false };
  if (source === undefined && !UNSAFE.has(method)) return { input: null, json: false };
  const body = await ctx.body(["form", "multipart", "json"]);
  const json = !isFormPage(ctx);
  if (formType(ctx) === undefined && (body === null || typeof body !== "object" || Array.isArray(body))) {
    throw new UnprocessableEntityError("invalid request body: a form needs a JSON object", {
      details: { errors: [{ location: "body", path: [], message: "expected an object" }] },
    });
  }
  return { input: body as Record<string, unknown>, json };
}

/** The 422 of a JSON body that fails its form: problem details naming each field. */
function unprocessable(form: FlagonForm | SchemaForm): InstanceType<typeof UnprocessableEntityError> {
  const errors = [
    ...form.formErrors.map((message) => ({ location: "body", path: [], message })),
    ...Object.entries(form.errors).flatMap(([field, messages]) =>
      messages.map((message) => ({ location: "body", path: [field], message })),
    ),
  ];
  const summary = errors
    .map((e) => (e.path.length > 0 ? `${e.path.join(".")}: ${e.message}` : e.message))
    .join("; ");
  return new UnprocessableEntityError(`invalid request body: ${summary}`, { details: { errors } });
}

async function resolveForm(
  ctx: Context,
  data: { target: FormTarget | undefined; options: BindOptions },
  param: ParamInfo,
): Promise<FlagonForm | SchemaForm> {
  const target = data.target ?? (param.type as FormTarget | undefined);
  const { input, json } = await inputOf(ctx, data.options.source);
  let form: FlagonForm | SchemaForm;
  if (isFormClass(target)) form = new target(input);
  else if (target !== undefined && typeof target["~standard"] === "object") {
    form = new SchemaForm(target, input);
  } else {
    throw new TypeError(
      `@Form() on ${param.route.endpoint}: give a form class (extends FlagonForm) or a Standard Schema`,
    );
  }
  const settings = formSettings(ctx);
  const reason = deferredCsrfFailure(ctx);
  if (reason !== undefined) {
    // The request failed its CSRF check: keep the input to show it again, validate nothing, never valid.
    const message = resolveMessage("csrf", { reason }, settings?.messages);
    if (form instanceof SchemaForm) form.block(message);
    else blockForm(form, message);
  } else if (input !== null) {
    if (form instanceof SchemaForm) await form.validate();
    else await form.validate({ ctx });
    if (json && !form.valid) throw unprocessable(form);
  }
  if (!json && settings?.csrfField !== undefined)
    form.csrf = { field: settings.csrfField, token: await csrfToken(ctx) };
  return form;
}

const bindForm = createParamDecorator(resolveForm, { name: "Form" });

/**
 * Binds a form to a handler parameter, from a urlencoded or multipart body (files included) or
 * a JSON body: the same form, the same errors. A browser's form post always reaches the handler,
 * valid or not — show it again with its errors when `form.valid` is false (Flask-WTF's
 * `validate_on_submit`); a JSON body that fails is a 422 problem+json naming each field. On GET
 * the form is blank (`submitted` false). A failed CSRF check of a form post makes the form
 * invalid with a form error ("The form has expired…") and the input kept; JSON clients get 403.
 *
 * @example
 * @Route("/signup", { methods: ["GET", "POST"] })
 * async signup(@Form(SignupForm) form: SignupForm) {
 *   if (!form.valid) return render("signup.html", { form });
 *   await this.users.create(form.data);
 *   return redirect("/welcome");
 * }
 */
export function Form(target?: FormTarget, options: BindOptions = {}): ParameterDecorator {
  const bind = bindForm({ target, options });
  return (prototype, key, index) => {
    bind(prototype, key, index);
    if (typeof key === "string") {
      const descriptor = Object.getOwnPropertyDescriptor(prototype, key) ?? {};
      FormBound()(prototype, key, descriptor);
    }
  };
}
