/**
 * The public API of @flagon/core, on one screen: what an app author writes. What a plugin
 * author needs beyond it is in ./plugin.ts ("@flagon/core/plugin"); test helpers are in
 * ./testing ("@flagon/core/testing").
 *
 * @module @flagon/core
 */
import "reflect-metadata";
// Types only: makes FlagonApp and FlagonContext the classes in every program that imports this entry.
import "./app/class-types.js";

export { Flagon, type FlagonOptions, type RouteListing } from "./app/flagon.js";
export type { FlagonApp } from "./app/app-type.js";
export type { AppState } from "./app/lifecycle.js";
// The three factories keep their result types here, so a package that imports them from the root
// can emit declarations for what they return (plugin.ts has them too).
export { definePlugin, type FlagonPlugin } from "./app/plugins.js";
export { defineConfig, type FlagonConfig } from "./config/index.js";
export { UseHooks, type ScopedHooks } from "./hooks/use-hooks.js";
export { createRouteDecorator, type RouteDecorator } from "./routing/route-decorator.js";
export type { CoreConfig, Env, ServerConfig, ResolvedConfig } from "./config/index.js";
export type { FlagonLoggerOptions } from "./app/logger.js";
export type { ErrorHandler, ErrorKey } from "./app/dispatch.js";
export type { RouteHandler } from "./routing/function-route.js";
export type { ListenOptions, ServerAddress } from "./adapters/node/server.js";

export { Controller, Route, Get, Post, Put, Patch, Delete } from "./routing/decorators.js";
export {
  Param,
  Query,
  Header,
  Cookie,
  Body,
  Ctx,
  type BodyOptions,
  type RouteDecoratorOptions,
} from "./routing/decorators.js";
export { createParamDecorator, type ParamDecorator } from "./routing/param-decorator.js";
export type {
  RouteOptions,
  BodyType,
  JsonSchema,
  ResponseSchema,
  ResponseSchemas,
} from "./routing/metadata.js";
export { NO_MATCH, type Converter, type ConverterFactory, type ConverterArgs } from "./routing/converters.js";

export { Injectable, type InjectableOptions, type Scope } from "./di/injectable.js";
export type { Provider } from "./di/providers.js";
export { inject, injectable, delay, type DependencyContainer, type InjectionToken } from "tsyringe";

export { Context, ResponseControls, type RouteInfo, type UrlForOptions } from "./http/context.js";
export { FlagonRequest } from "./http/request.js";
export type { MediaType } from "./http/media-type.js";
export type { TrustProxy } from "./http/proxy.js";
export { DEFAULT_SECURITY_HEADERS, type SecurityHeadersConfig } from "./http/security-headers.js";
export { Session, type FlashOptions } from "./session/session.js";
export type { SessionConfig, SessionStoreConfig } from "./session/options.js";
export { QueryArgs } from "./http/query-args.js";
export type { CookieOptions } from "./http/cookies.js";
export {
  FlagonResponse,
  ResponseHeaders,
  json,
  text,
  html,
  redirect,
  stream,
  type ResponseBody,
  type ResponseInit,
  type HeadersInit,
} from "./http/response.js";
export { sse, type SseEvent, type SseOptions, type SseSource } from "./http/sse.js";
export { sendFile, FileResponse, type SendFileOptions } from "./static/send-file.js";
export type { StaticConfig, StaticFolderOptions } from "./static/static-folders.js";
export { safeJoin } from "./static/safe-join.js";
export { render, TemplateResponse } from "./templating/response.js";
export { Render } from "./templating/render-decorator.js";
export { Templates, markSafe, type TemplateFilter, type TemplateFilterOptions } from "./templating/engine.js";
export { TemplateError } from "./templating/errors.js";
export type { TemplatesConfig } from "./templating/config.js";

export {
  HttpError,
  abort,
  type HttpErrorOptions,
  BadRequestError,
  UnauthorizedError,
  ForbiddenError,
  NotFoundError,
  MethodNotAllowedError,
  NotAcceptableError,
  RequestTimeoutError,
  ConflictError,
  GoneError,
  PayloadTooLargeError,
  UriTooLongError,
  UnsupportedMediaTypeError,
  UnprocessableEntityError,
  TooManyRequestsError,
  InternalServerError,
  NotImplementedError,
  ServiceUnavailableError,
} from "./errors/http-errors.js";
export { FlagonError, ErrorCodes, type ErrorCode } from "./errors/codes.js";
export { problem } from "./errors/problem.js";
export { checkPreconditions, isFresh, type FreshnessValidators } from "./http/conditional-get.js";
