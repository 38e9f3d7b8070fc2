import { ErrorCodes, FlagonError } from "../errors/codes.js";

/** Keys that reach an object's prototype when assigned; never copied out of config. */
export const UNSAFE_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/**
 * `{…}`, `Object.create(null)`, or an object literal from another realm (a vm context): an
 * object whose prototype is null or is itself prototype-less. Class instances, arrays, dates,
 * maps and functions are not plain: config merging treats them as single values.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/**
 * Deep-merges config layers: plain objects merge key by key, anything else in `override`
 * (arrays included) replaces what `base` had, and an `undefined` in `override` leaves `base`'s
 * value alone. Keys `__proto__`, `constructor` and `prototype` are skipped at every depth.
 * Neither input is mutated; every plain object in the result is a new plain object (other
 * values — arrays, class instances — are shared, not copied).
 *
 * @example
 * mergeConfig({ cors: { origins: ["a"], maxAge: 1 } }, { cors: { maxAge: 600 } });
 * // → { cors: { origins: ["a"], maxAge: 600 } }
 */
export function mergeConfig(base: unknown, override: unknown): unknown {
  return merge(base, override, [], []);
}

function merge(base: unknown, override: unknown, path: string[], ancestors: object[]): unknown {
  const over = isPlainObject(override) ? override : undefined;
  if (override !== undefined && over === undefined) return override;
  const under = isPlainObject(base) ? base : undefined;
  if (over === undefined && under === undefined) return base;

  const layers = [under, over].filter((layer) => layer !== undefined);
  for (const layer of layers) {
    if (ancestors.includes(layer)) {
      const where = path.length === 0 ? "config" : `config.${path.join(".")}`;
      throw new FlagonError(ErrorCodes.INVALID_CONFIG, `${where} contains a circular reference`);
    }
  }
  const inside = [...ancestors, ...layers];
  const result: Record<string, unknown> = {};
  for (const layer of layers) {
    for (const key of Object.keys(layer)) {
      if (UNSAFE_KEYS.has(key) || Object.hasOwn(result, key)) continue;
      const value = merge(under?.[key], over?.[key], [...path, key], inside);
      if (value !== undefined) result[key] = value;
    }
  }
  return result;
}
