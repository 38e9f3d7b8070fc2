import { stat } from "node:fs/promises";
import path from "node:path";
import { ErrorCodes, FlagonError } from "../errors/codes.js";
import type { FunctionRoute, RouteHandler } from "../routing/function-route.js";
import { ResponseHeaders } from "../http/response.js";
import { withoutTrailingSlashes } from "../routing/path.js";
import { DEFAULT_CACHE_CONTROL, FileResponse } from "./send-file.js";

/** The `static` section of the app config; `static: false` serves no default folder. */
export interface StaticConfig {
  /** The folder, relative to the app root (default `static`). */
  folder?: string;
  /** The URL prefix (default `/static`; `""` serves the folder at the site root). */
  prefix?: string;
  /** Cache-Control for static files, also the default of added folders (default `no-cache`). */
  cacheControl?: string;
}

/** Options of `app.addStaticFolder`. */
export interface StaticFolderOptions {
  /** The endpoint for `urlFor` (default `static:<prefix>`, e.g. `static:/admin/static`). */
  endpoint?: string;
  /** Cache-Control for this folder (default: `config.static.cacheControl`, else `no-cache`). */
  cacheControl?: string;
}

/** @internal A folder added with `app.addStaticFolder`, checked. */
export interface StaticFolderSpec {
  readonly prefix: string;
  readonly folder: string;
  readonly options: StaticFolderOptions;
}

function invalid(key: string, message: string): FlagonError {
  return new FlagonError(ErrorCodes.INVALID_CONFIG, `${key} ${message}`);
}

// A URL prefix of literal path segments: no variables, query, fragment, spaces or controls.
const PREFIX = /^(?:\/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)*\/?$/;

function checkPrefix(key: string, prefix: unknown): string {
  if (typeof prefix !== "string" || !PREFIX.test(prefix)) {
    throw invalid(
      key,
      `must be a URL path such as "/static" (or "" for the site root), got ${JSON.stringify(prefix)}`,
    );
  }
  return withoutTrailingSlashes(prefix);
}

function checkFolder(key: string, folder: unknown): string {
  if (typeof folder !== "string" || folder === "" || folder.includes("\u0000")) {
    throw invalid(key, `must be a folder path, got ${JSON.stringify(folder)}`);
  }
  return folder;
}

function checkCacheControl(key: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  try {
    if (typeof value !== "string" || value.trim() === "") throw new Error("empty");
    new ResponseHeaders({ "cache-control": value });
  } catch {
    throw invalid(
      key,
      `must be a Cache-Control header value such as "no-cache" or "public, max-age=3600", got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** Parses `config.static` (FLAGON_ERR_INVALID_CONFIG naming the key): false, or the section. */
export function checkStaticConfig(value: unknown): false | StaticConfig {
  if (value === false) return false;
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw invalid(
      "config.static",
      `must be false or an object { folder, prefix, cacheControl }, got ${JSON.stringify(value)}`,
    );
  }
  const section = value as Record<string, unknown>;
  for (const key of Object.keys(section)) {
    if (key !== "folder" && key !== "prefix" && key !== "cacheControl") {
      throw invalid(`config.static.${key}`, "is not a static option (folder, prefix, cacheControl)");
    }
  }
  if (section["folder"] !== undefined) checkFolder("config.static.folder", section["folder"]);
  if (section["prefix"] !== undefined) checkPrefix("config.static.prefix", section["prefix"]);
  checkCacheControl("config.static.cacheControl", section["cacheControl"]);
  return section;
}

/** Checks the arguments of `app.addStaticFolder` where they are written. */
export function staticFolderSpec(
  prefix: string,
  folder: string,
  options: StaticFolderOptions = {},
): StaticFolderSpec {
  const where = `addStaticFolder(${JSON.stringify(prefix)})`;
  const endpoint = options.endpoint;
  if (endpoint !== undefined && (typeof endpoint !== "string" || endpoint === "")) {
    throw invalid(`${where}: endpoint`, "must be a non-empty string");
  }
  const cacheControl = checkCacheControl(`${where}: cacheControl`, options.cacheControl);
  return {
    prefix: checkPrefix(`${where}: prefix`, prefix),
    folder: checkFolder(`${where}: folder`, folder),
    options: { endpoint, cacheControl },
  };
}

async function isDirectory(folder: string): Promise<boolean | undefined> {
  try {
    return (await stat(folder)).isDirectory();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw error;
  }
}

function staticRoute(prefix: string, folder: string, endpoint: string, cacheControl: string): FunctionRoute {
  const handler: RouteHandler = function serveStatic(ctx) {
    return new FileResponse(String(ctx.request.params["filename"]), { root: folder, cacheControl });
  };
  return { path: `${prefix}/<path:filename>`, methods: ["GET"], handler, options: { endpoint } };
}

/**
 * The routes of the static folders, built while the app starts: the default folder (endpoint
 * `static`) when `config.static` is not false and the folder exists — a folder named explicitly
 * in the config must exist — and every folder added with `addStaticFolder` (which must exist).
 * Each is `GET <prefix>/<path:filename>`, so HEAD and `urlFor(endpoint, { filename })` work.
 */
export async function staticRoutes(
  root: string,
  config: StaticConfig | false,
  added: readonly StaticFolderSpec[],
): Promise<FunctionRoute[]> {
  const routes: FunctionRoute[] = [];
  const defaultCache = (config === false ? undefined : config.cacheControl) ?? DEFAULT_CACHE_CONTROL;
  if (config !== false) {
    const folder = path.resolve(root, config.folder ?? "static");
    const exists = await isDirectory(folder);
    if (exists === false || (exists === undefined && config.folder !== undefined)) {
      throw invalid("config.static.folder", `names ${folder}, which is not a directory`);
    }
    if (exists)
      routes.push(
        staticRoute(
          config.prefix === undefined ? "/static" : withoutTrailingSlashes(config.prefix),
          folder,
          "static",
          defaultCache,
        ),
      );
  }
  for (const spec of added) {
    const folder = path.resolve(root, spec.folder);
    if ((await isDirectory(folder)) !== true) {
      throw invalid(
        `addStaticFolder(${JSON.stringify(spec.prefix)})`,
        `names ${folder}, which is not a directory`,
      );
    }
    const endpoint = spec.options.endpoint ?? `static:${spec.prefix}`;
    routes.push(staticRoute(spec.prefix, folder, endpoint, spec.options.cacheControl ?? defaultCache));
  }
  return routes;
}
