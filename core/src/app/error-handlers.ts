import type { Logger } from "pino";
import type { ErrorHandler, ErrorKey } from "./dispatch.js";

function describe(key: ErrorKey): string {
  return typeof key === "number" ? `status ${key}` : `class ${key.name}`;
}

/**
 * Who set each error handler: the app (its own code) or a plugin (during its `register`). The
 * app's handler wins over a plugin's for the same status or class, whichever was set first; the
 * plugin's is dropped with a warning naming both. Between plugins, and within the app, the
 * handler set last wins, as before.
 */
export class ErrorHandlerOwners {
  /** key → the plugin that set its handler, or undefined for the app. */
  private readonly owners = new Map<ErrorKey, string | undefined>();

  set(
    handlers: Map<ErrorKey, ErrorHandler>,
    key: ErrorKey,
    handler: ErrorHandler,
    plugin: string | undefined,
    log: Logger,
  ): void {
    const appOwns = handlers.has(key) && this.owners.get(key) === undefined;
    if (plugin !== undefined && appOwns) {
      log.warn(
        { plugin, errorHandler: describe(key) },
        `plugin ${plugin}'s error handler for ${describe(key)} is ignored: the app sets its own, which wins`,
      );
      return;
    }
    const previous = this.owners.get(key);
    if (plugin === undefined && handlers.has(key) && previous !== undefined) {
      log.warn(
        { plugin: previous, errorHandler: describe(key) },
        `the app's error handler for ${describe(key)} replaces the one plugin ${previous} set`,
      );
    }
    handlers.set(key, handler);
    this.owners.set(key, plugin);
  }
}
