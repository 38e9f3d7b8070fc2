import type { Readable } from "node:stream";
import { ErrorCodes, FlagonError } from "../errors/codes.js";
import { HttpError, UnsupportedMediaTypeError } from "../errors/http-errors.js";
import { checkBodyLimit, parseJson, requireForm, requireJson } from "./body.js";
import type { Context, RouteInfo } from "./context.js";
import { FORM_TYPE, isJsonType, type MediaType, parseMediaType } from "./media-type.js";
import { QueryArgs } from "./query-args.js";

/** What a body parser added with `app.addBodyParser` gets, once per request at most. */
export interface BodyParserInput {
  readonly ctx: Context;
  /** The request's Content-Type, parsed by the framework's one strict parser; its `type` chose this parser. */
  readonly mediaType: MediaType;
  /**
   * The raw body as bytes (Content-Encoding already refused unless identity). It errors with a
   * 413 `PayloadTooLargeError` as soon as more than `limit` bytes arrived, and with a 400 when
   * the client goes away mid-body.
   */
  readonly stream: Readable;
  /** The byte limit in force: the route's `bodyLimit` if it set one, else the parser's `limit`, else `config.bodyLimit`. */
  readonly limit: number;
  /** `ctx.signal`: aborted when the client goes away; stop work and clean up (temporary files) on it. */
  readonly signal: AbortSignal;
}

/**
 * Parses one request body; the value (or what its promise resolves to) is what `@Body` and
 * `ctx.body()` give. Throw an `HttpError` for bad input (a 400 for malformed multipart).
 */
export type BodyParser = (input: BodyParserInput) => unknown;

export interface BodyParserOptions {
  /** The byte limit for bodies of this type, unless a route sets its own `bodyLimit` (default: `config.bodyLimit`). */
  limit?: number;
  /** A short name routes may list in `accept` besides the media type (`"csv"`); `"multipart"` always means multipart/form-data. */
  name?: string;
  /**
   * The uploaded files in a body this parser returned, for `ctx.request.files()` (a multipart
   * parser lists its file parts). Without it, `files()` of such a request is empty.
   */
  files?: (body: unknown) => readonly unknown[];
}

interface Registered {
  readonly mediaType: string;
  readonly parse: BodyParser;
  readonly limit: number | undefined;
  readonly files: ((body: unknown) => readonly unknown[]) | undefined;
}

/** A compiled `accept` list: which parser kinds a route takes, and how a 415 names them. */
export interface AcceptList {
  readonly json: boolean;
  readonly form: boolean;
  /** Media types of registered parsers. */
  readonly types: ReadonlySet<string>;
  readonly wanted: string;
}

/** What one route says about its body: what `ctx.body()` accepts by default, and its own limit. */
export interface BodyRules {
  readonly accept: AcceptList;
  /** The route's own `bodyLimit`, which wins over a parser's limit. */
  readonly ownLimit: number | undefined;
}

const BUILT_IN_NAMES = new Set(["json", "form"]);
const WELL_KNOWN: ReadonlyMap<string, string> = new Map([["multipart", "multipart/form-data"]]);
const NAME = /^[a-z][a-z0-9.+-]*$/;

export const JSON_ONLY: AcceptList = {
  json: true,
  form: false,
  types: new Set(),
  wanted: "application/json",
};
const DEFAULT_RULES: BodyRules = { accept: JSON_ONLY, ownLimit: undefined };

function bad(message: string): FlagonError {
  return new FlagonError(ErrorCodes.BODY_PARSER, message);
}

/**
 * The app's body parsers: the built-in JSON and form parsers and those plugins add. Which one
 * reads a body is decided by the media type the strict parser gives (`ctx.request.contentType`),
 * and that same type is checked against the route's `accept` list, so no body reaches a route
 * through a parser the route did not ask for.
 */
export class BodyParsers {
  private readonly byType = new Map<string, Registered>();
  private readonly names = new Map<string, string>(WELL_KNOWN);
  private readonly routes = new WeakMap<RouteInfo, BodyRules>();

  add(mediaType: string, parse: BodyParser, options: BodyParserOptions = {}): void {
    if (typeof parse !== "function") throw bad(`the body parser for ${mediaType} is not a function`);
    const parsed = typeof mediaType === "string" ? parseMediaType(mediaType) : null;
    const type = parsed?.type;
    if (!parsed || type === undefined || Object.keys(parsed.parameters).length > 0 || type.includes("*")) {
      throw bad(`addBodyParser: ${JSON.stringify(mediaType)} is not a media type such as "text/csv"`);
    }
    if (isJsonType(type) || type === FORM_TYPE) {
      throw bad(`addBodyParser: ${type} is parsed by the core (accept "json" or "form")`);
    }
    if (this.byType.has(type)) throw bad(`addBodyParser: a body parser for ${type} is already registered`);
    const limit =
      options.limit === undefined ? undefined : checkBodyLimit(`limit of the ${type} parser`, options.limit);
    const { name } = options;
    if (name !== undefined) {
      const taken = this.names.get(name);
      if (typeof name !== "string" || !NAME.test(name) || BUILT_IN_NAMES.has(name)) {
        throw bad(`addBodyParser: ${JSON.stringify(name)} cannot name the ${type} parser`);
      }
      if (taken !== undefined && taken !== type) {
        throw bad(`addBodyParser: the name "${name}" already means ${taken}, not ${type}`);
      }
      this.names.set(name, type);
    }
    if (options.files !== undefined && typeof options.files !== "function") {
      throw bad(`addBodyParser: the files option of the ${type} parser is not a function`);
    }
    this.byType.set(type, { mediaType: type, parse, limit, files: options.files });
  }

  /** Compiles an `accept` list; `where` names the route (or call) in the error for a type nobody parses. */
  compileAccept(accept: readonly string[], where: string): AcceptList {
    if (accept.length === 0) throw bad(`${where} accepts no body type`);
    let json = false;
    let form = false;
    const types = new Set<string>();
    const wanted: string[] = [];
    for (const entry of accept) {
      const key = typeof entry === "string" ? entry.trim().toLowerCase() : "";
      if (key === "json" || isJsonType(key)) {
        json = true;
        wanted.push("application/json");
        continue;
      }
      if (key === "form" || key === FORM_TYPE) {
        form = true;
        wanted.push(FORM_TYPE);
        continue;
      }
      const type = key.includes("/") ? parseMediaType(key)?.type : this.names.get(key);
      if (type === undefined) {
        throw bad(
          `${where} accepts ${JSON.stringify(entry)}, which is not "json", "form", a media type or the name of a registered body parser`,
        );
      }
      if (!this.byType.has(type)) {
        throw bad(
          `${where} accepts ${type}, but no body parser is registered for it: register the plugin that parses it (app.addBodyParser("${type}", …))`,
        );
      }
      types.add(type);
      wanted.push(type);
    }
    return { json, form, types, wanted: [...new Set(wanted)].join(" or ") };
  }

  /** Records what a route says about its body, for `ctx.body()` in its hooks and handler. */
  describeRoute(route: RouteInfo, rules: BodyRules): void {
    if (!this.routes.has(route)) this.routes.set(route, rules);
  }

  /** `ctx.body(accept?)`: the route's rules (`@Body`'s accept list), or the list given. */
  async forContext(ctx: Context, accept: readonly string[] | undefined): Promise<unknown> {
    const rules = (ctx.route && this.routes.get(ctx.route)) ?? DEFAULT_RULES;
    if (accept === undefined) return this.read(ctx, rules);
    return this.read(ctx, { accept: this.compileAccept(accept, "ctx.body()"), ownLimit: rules.ownLimit });
  }

  /**
   * `ctx.request.files()`: the files of a body whose parser lists them (multipart, through the
   * forms plugin), parsed by the same one cached parse as `ctx.body()`; none for any other body.
   */
  async files(ctx: Context): Promise<unknown[]> {
    const type = ctx.request.contentType?.type;
    const parser = type === undefined ? undefined : this.byType.get(type);
    if (parser?.files === undefined) return [];
    const rules = (ctx.route && this.routes.get(ctx.route)) ?? DEFAULT_RULES;
    const accept: AcceptList = {
      json: false,
      form: false,
      types: new Set([parser.mediaType]),
      wanted: parser.mediaType,
    };
    return [...parser.files(await this.read(ctx, { accept, ownLimit: rules.ownLimit }))];
  }

  /**
   * Parses the body once by its Content-Type and caches the result on the request; every later
   * call (a hook's, the handler's `@Body`) gets the same value, after its own 415 check.
   */
  read(ctx: Context, rules: BodyRules): Promise<unknown> {
    const { request } = ctx;
    const media = request.contentType;
    const { accept } = rules;
    let parser: Registered | undefined;
    let accepted = false;
    if (media) {
      if (isJsonType(media.type)) accepted = accept.json;
      else if (media.type === FORM_TYPE) accepted = accept.form;
      else if (accept.types.has(media.type)) {
        parser = this.byType.get(media.type);
        accepted = parser !== undefined;
      }
    }
    if (!media || !accepted) {
      const got =
        media === undefined ? "no Content-Type" : media === null ? "a malformed Content-Type" : media.type;
      return Promise.reject(new UnsupportedMediaTypeError(`expected ${accept.wanted}, got ${got}`));
    }
    return request.parsedBody(() =>
      parser ? this.runPlugin(ctx, media, parser, rules) : builtIn(ctx, media),
    );
  }

  private async runPlugin(
    ctx: Context,
    mediaType: MediaType,
    parser: Registered,
    rules: BodyRules,
  ): Promise<unknown> {
    const { request } = ctx;
    const limit = rules.ownLimit !== undefined ? request.bodyLimit : (parser.limit ?? request.bodyLimit);
    const stream = request.bodyStream(`ctx.body() (the ${parser.mediaType} parser)`, limit);
    // Kept, so that a stream error nobody listens to never becomes an uncaught exception, and so
    // that a parser library's own error for a cut stream gives way to the 413 or 400 behind it.
    let failure: unknown;
    stream.on("error", (error) => {
      failure ??= error;
    });
    try {
      return await parser.parse({ ctx, mediaType, stream, limit, signal: ctx.signal });
    } catch (error) {
      throw failure instanceof HttpError ? failure : error;
    } finally {
      if (!stream.destroyed) stream.destroy();
    }
  }
}

async function builtIn(ctx: Context, media: MediaType): Promise<unknown> {
  const { request } = ctx;
  if (isJsonType(media.type)) {
    requireJson(media);
    return parseJson(await request.readBytes("ctx.body()"));
  }
  requireForm(media);
  return new QueryArgs((await request.readBytes("ctx.body()")).toString("utf8")).toObject();
}
