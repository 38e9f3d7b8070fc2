import type { Context } from "@flagon/core";
import type { Messages } from "./messages.js";

/** What the form classes need of the plugin's options, per app. */
export interface FormSettings {
  readonly messages: Messages;
  /** The CSRF form field, when CSRF protection is on. */
  readonly csrfField: string | undefined;
}

const apps = new WeakMap<object, FormSettings>();

/** @internal Records an app's form settings (the plugin's register). */
export function setFormSettings(app: object, settings: FormSettings): void {
  apps.set(app, settings);
}

/** @internal The form settings of a request's app, if the plugin is registered on it. */
export function formSettings(ctx: Context | undefined): FormSettings | undefined {
  return ctx === undefined ? undefined : apps.get(ctx.app);
}
