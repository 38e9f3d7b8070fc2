/** Names of community plugins: `flagon-plugin-<name>` or `@scope/flagon-plugin-<name>`. */

export const PLUGIN_PREFIX = "flagon-plugin-";

export interface PluginName {
  /** The npm package name, e.g. `@acme/flagon-plugin-rate-limit`. */
  readonly packageName: string;
  /** The part after the prefix, e.g. `rate-limit`. */
  readonly shortName: string;
  /** The package name without its scope: the default folder name. */
  readonly unscopedName: string;
  /** The plugin's config section: the short name in camelCase, e.g. `rateLimit`. */
  readonly configKey: string;
}

export class PluginNameError extends Error {
  override readonly name = "PluginNameError";
}

// What npm accepts for a new package, minus what url-encoding would change: lower-case letters,
// digits, `-`, `.` and `_`, not starting with `.` or `_` (npm's validate-npm-package-name rules).
const SEGMENT = /^[a-z0-9-][a-z0-9._-]*$/;
const MAX_LENGTH = 214;

/**
 * Turns what the user typed (`x`, `flagon-plugin-x`, `@scope/x`, `@scope/flagon-plugin-x`) into
 * the package name, or throws a PluginNameError that says what is wrong.
 */
export function normalizePluginName(input: string): PluginName {
  const raw = input.trim();
  if (raw === "") throw new PluginNameError("the plugin name is empty");
  let scope: string | undefined;
  let bare = raw;
  if (raw.startsWith("@")) {
    const slash = raw.indexOf("/");
    if (slash === -1) throw new PluginNameError(`"${raw}" has a scope but no name; use @scope/name`);
    scope = raw.slice(1, slash);
    bare = raw.slice(slash + 1);
    checkSegment(scope, `the scope of "${raw}"`);
  } else if (raw.includes("/")) {
    throw new PluginNameError(
      `"${raw}" contains "/"; only a scope may be followed by one, as in @scope/name`,
    );
  }
  const shortName = bare.startsWith(PLUGIN_PREFIX) ? bare.slice(PLUGIN_PREFIX.length) : bare;
  if (shortName === "") throw new PluginNameError(`"${raw}" has nothing after "${PLUGIN_PREFIX}"`);
  checkSegment(shortName, `"${raw}"`);
  if (!/^[a-z0-9]/.test(shortName)) {
    throw new PluginNameError(`"${raw}": the plugin's own name must start with a letter or a digit`);
  }
  const unscopedName = PLUGIN_PREFIX + shortName;
  const packageName = scope === undefined ? unscopedName : `@${scope}/${unscopedName}`;
  if (packageName.length > MAX_LENGTH) {
    throw new PluginNameError(`"${packageName}" is longer than npm's ${MAX_LENGTH} characters`);
  }
  return { packageName, shortName, unscopedName, configKey: camelCase(shortName) };
}

function checkSegment(segment: string, what: string): void {
  if (segment === "") throw new PluginNameError(`${what} is empty`);
  if (segment !== segment.toLowerCase()) throw new PluginNameError(`${what} must be lower case (npm rule)`);
  if (/^[._]/.test(segment)) throw new PluginNameError(`${what} must not start with "." or "_" (npm rule)`);
  if (!SEGMENT.test(segment)) {
    throw new PluginNameError(
      `${what} may only contain lower-case letters, digits, "-", "." and "_" (npm names must be url-safe)`,
    );
  }
}

/** `rate-limit` → `rateLimit`; `.` and `_` separate words as `-` does. */
export function camelCase(name: string): string {
  // A loop rather than /[-._]+([a-z0-9])/g and /[-._]+$/, which are quadratic on runs of "-".
  let out = "";
  let run = "";
  for (const char of name) {
    if (char === "-" || char === "." || char === "_") {
      run += char;
      continue;
    }
    const lower = (char >= "a" && char <= "z") || (char >= "0" && char <= "9");
    out += run !== "" && lower ? char.toUpperCase() : run + char;
    run = "";
  }
  return out;
}
