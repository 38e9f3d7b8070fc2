import path from "node:path";
import { lazyRequire } from "../util/lazy.js";

const mime = lazyRequire<typeof import("mime-types")>("mime-types");

/** Extensions whose output is markup: rendered with autoescaping on (as Flask's defaults, plus .njk). */
const ESCAPED = new Set([".html", ".htm", ".xhtml", ".njk", ".xml", ".svg"]);

/**
 * Checks a template name and returns its path segments. A name is a `/`-separated relative path
 * inside a template folder; it may not be absolute, start with a drive letter, contain `\`, NUL,
 * or an empty, `.` or `..` segment. Template names come from code, never from a request, but a
 * name built from user input must still not reach outside the folder. Returns undefined when the
 * name is refused.
 */
export function templateSegments(name: string): string[] | undefined {
  if (typeof name !== "string" || name === "" || name.length > 1024) return undefined;
  if (name.includes("\\") || name.includes("\0") || /^[A-Za-z]:/.test(name)) return undefined;
  const segments = name.split("/");
  for (const segment of segments) {
    if (segment === "" || segment === "." || segment === "..") return undefined;
  }
  return segments;
}

/** Resolves a template name inside one folder, or undefined when the name would leave it. */
export function resolveInFolder(folder: string, name: string): string | undefined {
  const segments = templateSegments(name);
  if (!segments) return undefined;
  const root = path.resolve(folder);
  const file = path.resolve(root, ...segments);
  return file.startsWith(root + path.sep) ? file : undefined;
}

/** The media type an extension names (text/html for .njk), or undefined. */
function mediaType(name: string): string | undefined {
  const ext = path.posix.extname(name).toLowerCase();
  if (ext === ".njk") return "text/html";
  const type = ext === "" ? false : mime().lookup(ext);
  return type === false ? undefined : type;
}

const MARKUP = /^(?:text\/html|application\/xhtml\+xml|(?:text|application)\/xml|[\w.-]+\/[\w.-]+\+xml)$/;

/**
 * Whether output of this template is autoescaped: on for markup (.html, .htm, .njk, .xml, .svg,
 * and any extension whose media type is HTML or XML), off for the rest (.txt, .json, .css).
 */
export function isAutoescaped(name: string): boolean {
  if (ESCAPED.has(path.posix.extname(name).toLowerCase())) return true;
  const type = mediaType(name);
  return type !== undefined && MARKUP.test(type);
}

/**
 * The Content-Type of a rendered template, from its extension: `.html` and `.njk` text/html,
 * `.txt` text/plain, `.xml` application/xml… A name without a known extension is not escaped,
 * so it is sent as text/plain, never as HTML. Always UTF-8: the rendered string is sent as UTF-8.
 */
export function templateContentType(name: string): string {
  return `${mediaType(name) ?? "text/plain"}; charset=utf-8`;
}
