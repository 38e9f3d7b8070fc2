import { realpath, stat } from "node:fs/promises";
import type { Stats } from "node:fs";
import path from "node:path";

// Windows opens a device for these names whatever the folder and extension ("NUL.txt", "a/aux").
const DEVICE_NAME = /^(?:CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³]|CONIN\$|CONOUT\$)$/i;
// NUL and other controls, backslash (a separator on Windows), and colon (drive letters, NTFS
// alternate data streams such as `a.txt::$DATA`). Refused on every platform, so that a URL means
// the same file wherever the app runs.
const UNSAFE_CHAR = /[\u0000-\u001f\u007f\\:]/;
/** Longer names are refused before any file system call (PATH_MAX is 4096 on Linux). */
export const MAX_FILENAME_LENGTH = 4096;

/** Whether one path segment may name a file: not empty, `.`, `..`, a device, or ending in a dot or space. */
export function isSafeSegment(segment: string): boolean {
  if (segment === "" || UNSAFE_CHAR.test(segment)) return false;
  // Windows drops trailing dots and spaces ("a.txt." opens "a.txt"); this also refuses "." and "..".
  const last = segment.charCodeAt(segment.length - 1);
  if (last === 0x2e || last === 0x20) return false;
  const dot = segment.indexOf(".");
  const base = (dot === -1 ? segment : segment.slice(0, dot)).trimEnd();
  return !DEVICE_NAME.test(base);
}

/**
 * Joins a URL-supplied relative path (already percent-decoded, once) to a folder, or returns
 * undefined when the path could reach outside it or name something that is not an ordinary file
 * name on every platform: NUL and control characters, `\`, `:`, empty segments (`//`, a leading
 * or trailing `/`), `.` and `..` segments, segments ending in a dot or a space, and Windows
 * device names (`CON`, `nul.txt`, `a/AUX`). Pure: no file system access (see `locateFile`).
 *
 * @example
 * safeJoin("/srv/static", "css/app.css"); // "/srv/static/css/app.css"
 * safeJoin("/srv/static", "../secret");   // undefined
 */
export function safeJoin(folder: string, filename: string): string | undefined {
  if (typeof filename !== "string" || filename.length === 0 || filename.length > MAX_FILENAME_LENGTH) {
    return undefined;
  }
  const segments = filename.split("/");
  for (const segment of segments) if (!isSafeSegment(segment)) return undefined;
  const base = path.resolve(folder);
  const joined = path.resolve(base, ...segments);
  // Belt and braces: the checks above already make this impossible.
  const relative = path.relative(base, joined);
  if (
    relative === "" ||
    relative === ".." ||
    relative.startsWith(`..${path.sep}`) ||
    path.isAbsolute(relative)
  ) {
    return undefined;
  }
  return joined;
}

/** Whether `child` (a real path) is `folder` (a real path) or inside it. */
function isInside(folder: string, child: string): boolean {
  if (child === folder) return false;
  const prefix = folder.endsWith(path.sep) ? folder : folder + path.sep;
  return child.startsWith(prefix);
}

// File system answers that mean "no such servable file" (a 404), as opposed to a broken server.
const NOT_FOUND_CODES = new Set([
  "ENOENT",
  "ENOTDIR",
  "ELOOP",
  "ENAMETOOLONG",
  "EACCES",
  "EPERM",
  "EISDIR",
  "EINVAL",
]);

function isNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && NOT_FOUND_CODES.has(code);
}

/** A regular file found for a request: its real path and what stat said about it. */
export interface LocatedFile {
  readonly file: string;
  readonly stats: Stats;
}

/**
 * Finds a regular file: inside `folder` (with `safeJoin`, then the real path, symlinks resolved,
 * must still be inside the folder's real path), or, without a folder, at an absolute path the
 * handler chose. Anything else — a refused name, a missing file, a directory, a FIFO or device,
 * a symlink leading out — is undefined, which callers answer with 404.
 */
export async function locateFile(
  folder: string | undefined,
  filename: string,
): Promise<LocatedFile | undefined> {
  if (filename.includes("\u0000")) return undefined;
  let candidate: string;
  if (folder === undefined) {
    if (!path.isAbsolute(filename)) return undefined;
    candidate = filename;
  } else {
    const joined = safeJoin(folder, filename);
    if (joined === undefined) return undefined;
    candidate = joined;
  }
  try {
    const [realFolder, realFile] = await Promise.all([
      folder === undefined ? undefined : realpath(folder),
      realpath(candidate),
    ]);
    if (realFolder !== undefined && !isInside(realFolder, realFile)) return undefined;
    const stats = await stat(realFile);
    // Only regular files: a directory is a 404, and a FIFO or device could block or never end.
    return stats.isFile() ? { file: realFile, stats } : undefined;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}
