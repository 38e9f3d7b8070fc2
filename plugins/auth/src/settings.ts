// The per-app settings the plugin's functions (login, guards) need, found from the request's app.
import type { Flagon } from "@flagon/core";
import type { IdentitySettings } from "./identity.js";

export interface AuthSettings extends IdentitySettings {
  /** Where browsers are sent to log in (a path of this app). */
  readonly loginUrl: string;
  /** The query parameter carrying the page to come back to. */
  readonly nextParam: string;
}

const byApp = new WeakMap<Flagon, AuthSettings>();

export function attachSettings(app: Flagon, settings: AuthSettings): void {
  byApp.set(app, settings);
}

export function settingsFor(app: Flagon): AuthSettings {
  const settings = byApp.get(app);
  if (settings === undefined)
    throw new Error("@flagon/auth is not registered on this app: app.register(auth) first");
  return settings;
}
