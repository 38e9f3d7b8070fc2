import { describeValue } from "../config/secrets.js";
import { ErrorCodes, FlagonError } from "../errors/codes.js";

/** The `templates` section of the app config. */
export interface TemplatesConfig {
  /** The app's template folder, relative to the app's `root` (default `"templates"`). */
  folder?: string;
  /**
   * Read the template folders once and keep compiled templates for the life of the process
   * (default: on, except when `env` is development): files edited or added later are not seen.
   * Off, every render first looks for files added, edited or removed since the last one (a `stat`
   * per file, asynchronously) and recompiles those.
   */
  cache?: boolean;
}

function invalid(key: string, expected: string, got: unknown): FlagonError {
  return new FlagonError(
    ErrorCodes.INVALID_CONFIG,
    `config.templates${key} must be ${expected}, got ${describeValue(key, got)}`,
  );
}

/** Validates `config.templates`; a bad value names its key. */
export function checkTemplatesConfig(value: unknown): TemplatesConfig | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw invalid("", "an object ({ folder?, cache? })", value);
  }
  const section = value as Record<string, unknown>;
  for (const key of Object.keys(section)) {
    if (key !== "folder" && key !== "cache") throw invalid(`.${key}`, "one of folder, cache", section[key]);
  }
  const { folder, cache } = section;
  if (folder !== undefined && (typeof folder !== "string" || folder === "" || folder.includes("\0"))) {
    throw invalid(".folder", "a non-empty path (relative to the app root)", folder);
  }
  if (cache !== undefined && typeof cache !== "boolean") throw invalid(".cache", "a boolean", cache);
  return section;
}
