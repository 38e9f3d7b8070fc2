/**
 * `@flagon/core/plugin`: what a plugin author needs beyond the app's own API — the plugin
 * definition, decorators of your own, the hook and interceptor types, body parsers, template
 * extensions, signing, commands, and the raw request a front door hands to `app.handle`.
 * Everything an app writes (Flagon, Context, decorators, responses, errors) stays on `@flagon/core`.
 *
 * @example
 * import { definePlugin, type BodyParser } from "@flagon/core/plugin";
 * import { UnsupportedMediaTypeError } from "@flagon/core";
 *
 * @module @flagon/core/plugin
 */
import "reflect-metadata";
// Types only: makes FlagonApp and FlagonContext the classes in every program that imports this entry.
import "./app/class-types.js";

// The three factories and their result types are on the root too (apps use them, and a package
// that imports them from there must be able to name what they return), so the seam is one import.
export { definePlugin, type FlagonPlugin, type PluginDefinition } from "./app/plugins.js";
export type { FlagonApp } from "./app/app-type.js";
export type { PluginEntry } from "./app/plugin-queue.js";
export {
  createRouteDecorator,
  type RouteDecorator,
  type CreateRouteDecoratorOptions,
} from "./routing/route-decorator.js";
export {
  createParamDecorator,
  type ParamDecorator,
  type ParamInfo,
  type ParamResolver,
  type CreateParamDecoratorOptions,
} from "./routing/param-decorator.js";

export type { HookName, HookSignatures } from "./hooks/names.js";
export type { HookOptions } from "./hooks/registry.js";
export type { Interceptor } from "./hooks/interceptors.js";

export type { BodyParser, BodyParserInput, BodyParserOptions } from "./http/body-parsers.js";
export { parseMediaType } from "./http/media-type.js";
export type { RawRequest } from "./http/request.js";
export type { Answer, WireHeaders, WireResponse } from "./http/wire.js";

export type { TemplateContextProcessor, TemplateExtension } from "./templating/extensions.js";
export type { AppSigner, UnsignOptions, UnsignResult } from "./session/app-signer.js";

export {
  defineCommand,
  type Command,
  type CommandArgument,
  type CommandInput,
  type CommandOption,
  type CommandOptions,
  type CommandOptionType,
  type CommandValues,
} from "./app/commands.js";
export { BUILT_IN_COMMANDS } from "./app/commands.js";
export { importModule, type ImportModuleOptions } from "./app/import-module.js";

// The config as the app will load it, for tools that read it before there is an app (the
// `flagon` command finds the app module and the watched files with them).
export {
  CONFIG_SEARCH_PLACES,
  loadConfig,
  type LoadConfigOptions,
  type LoadedConfig,
} from "./config/index.js";
