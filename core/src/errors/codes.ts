/**
 * Stable codes of the errors the framework itself raises (as opposed to HTTP errors a handler
 * throws). Tests and user code may match on them; never rename one.
 */
export const ErrorCodes = {
  /** An option or config value has the wrong type or range. */
  INVALID_CONFIG: "FLAGON_ERR_INVALID_CONFIG",
  /** A route path does not parse (unknown converter, unbalanced `<`, bad converter arguments). */
  BAD_PATH: "FLAGON_ERR_BAD_PATH",
  /** The same method and path were registered twice. */
  DUPLICATE_ROUTE: "FLAGON_ERR_DUPLICATE_ROUTE",
  /** One endpoint name was given to two different handlers. */
  DUPLICATE_ENDPOINT: "FLAGON_ERR_DUPLICATE_ENDPOINT",
  /** A class given as a controller lacks `@Controller()`. */
  NOT_A_CONTROLLER: "FLAGON_ERR_NOT_A_CONTROLLER",
  /** A constructor dependency cannot be resolved by the app's container. */
  DI_UNRESOLVED: "FLAGON_ERR_DI_UNRESOLVED",
  /** A singleton was declared to depend on a request-scoped provider. */
  DI_SCOPE: "FLAGON_ERR_DI_SCOPE",
  /** `urlFor` was asked for an unknown endpoint or lacks a value. */
  URL_BUILD: "FLAGON_ERR_URL_BUILD",
  /** A cookie name, value or attribute contains characters that would corrupt the header. */
  INVALID_COOKIE: "FLAGON_ERR_INVALID_COOKIE",
  /** A route's response schema is not a valid JSON Schema, or its status keys are wrong. */
  BAD_SCHEMA: "FLAGON_ERR_BAD_SCHEMA",
  /**
   * A handler returned something that cannot be sent as a response, or a value that does not
   * fit its route's response schema.
   */
  INVALID_RESPONSE: "FLAGON_ERR_INVALID_RESPONSE",
  /** The app was changed after `ready()` or is already listening. */
  APP_STATE: "FLAGON_ERR_APP_STATE",
  /** Node runs with `--insecure-http-parser`, which the framework refuses. */
  INSECURE_PARSER: "FLAGON_ERR_INSECURE_PARSER",
  /** An unknown hook name, a hook that is not a function, or a scope the hook cannot have. */
  HOOK: "FLAGON_ERR_HOOK",
  /** Two plugins with the same name were registered. */
  PLUGIN_DUPLICATE: "FLAGON_ERR_PLUGIN_DUPLICATE",
  /** A plugin's dependency is not installed, or dependencies / before / after form a cycle. */
  PLUGIN_DEPENDENCY: "FLAGON_ERR_PLUGIN_DEPENDENCY",
  /** A dependency's version, or the core's, is outside the range a plugin supports. */
  PLUGIN_VERSION: "FLAGON_ERR_PLUGIN_VERSION",
  /** A plugin's `register` threw or rejected. */
  PLUGIN_REGISTER: "FLAGON_ERR_PLUGIN_REGISTER",
  /** A plugin's `register` did not settle within `config.pluginTimeout`. */
  PLUGIN_TIMEOUT: "FLAGON_ERR_PLUGIN_TIMEOUT",
  /** A plugin listed in the config file could not be imported. */
  PLUGIN_IMPORT: "FLAGON_ERR_PLUGIN_IMPORT",
  /**
   * A body parser cannot be registered (a bad media type or name, one already taken), or a
   * route's `@Body({ accept })` names a body type no parser was registered for.
   */
  BODY_PARSER: "FLAGON_ERR_BODY_PARSER",
  /** A request body was read again after a reader that consumes it (`stream()`, a plugin's parser). */
  BODY_CONSUMED: "FLAGON_ERR_BODY_CONSUMED",
  /** A plugin's `requires` names an unknown core feature, or a feature it needs is unusable. */
  PLUGIN_REQUIRES: "FLAGON_ERR_PLUGIN_REQUIRES",
  /** `addCommand` got a command that could not be invoked: a bad name, a clash, a bad option. */
  BAD_COMMAND: "FLAGON_ERR_BAD_COMMAND",
  /** An interceptor called `next()` a second time (the handler runs once per request). */
  INTERCEPTOR: "FLAGON_ERR_INTERCEPTOR",
  /**
   * A template context processor or extension cannot be added (not a function, a bad or taken
   * extension name, bad tags, added after `ready()`), or a processor returned a non-object.
   */
  TEMPLATES: "FLAGON_ERR_TEMPLATES",
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** An error raised by the framework about how it is used: bad config, bad routes, unresolved DI. */
export class FlagonError extends Error {
  override name = "FlagonError";

  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${message}`, options);
  }
}
