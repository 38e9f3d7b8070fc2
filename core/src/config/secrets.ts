import { isPlainObject } from "./merge.js";

const SECRET_WORDS = /pass(word)?|secret|token|api[-_]?key|private|credential/i;

/**
 * Whether a config key (or a dotted path, or an environment variable name) names a secret, whose
 * value must never appear in a message: anything mentioning pass(word), secret, token, api key,
 * private or credential, and keys that are or end in the word "key(s)" (`key`, `keys`,
 * `signingKey`, `SESSION_KEY`, `auth.key`) — but not `keyPrefix` or `monkey`.
 */
export function isSecretKey(key: string): boolean {
  return (
    SECRET_WORDS.test(key) || /^keys?$/i.test(key) || /[-_.]keys?$/i.test(key) || /[a-z\d]Keys?$/.test(key) // camelCase: signingKey, cookieKeys
  );
}

const MAX_LENGTH = 200;
const MAX_DEPTH = 3;
const MAX_ITEMS = 10;

/**
 * A short, JSON-like rendering of a config value for error messages: strings quoted, `NaN`,
 * `Infinity`, `undefined` and bigints as such, nested objects with their secret keys redacted,
 * cut at 200 characters. The whole value is `[redacted]` when `key` names a secret.
 *
 * @example
 * describeValue("bodyLimit", NaN);      // "NaN"
 * describeValue("db", { password: "x" }); // '{"password":[redacted]}'
 * describeValue("apiKey", "sk-123");     // "[redacted]"
 */
export function describeValue(key: string, value: unknown): string {
  if (isSecretKey(key)) return "[redacted]";
  const text = show(value, 0, []);
  return text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH - 1)}…` : text;
}

function show(value: unknown, depth: number, ancestors: object[]): string {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value.length > MAX_LENGTH ? `${value.slice(0, MAX_LENGTH)}…` : value);
    case "number":
      return Object.is(value, -0) ? "-0" : String(value);
    case "bigint":
      return `${value}n`;
    case "boolean":
    case "undefined":
      return String(value);
    case "symbol":
      return value.toString();
    case "function":
      return value.name ? `[Function ${value.name}]` : "[Function]";
    case "object":
      return showObject(value, depth, ancestors);
  }
}

function showObject(value: object | null, depth: number, ancestors: object[]): string {
  if (value === null) return "null";
  if (ancestors.includes(value)) return "[Circular]";
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString();
  if (value instanceof RegExp) return String(value);
  const inside = [...ancestors, value];
  if (Array.isArray(value)) {
    if (depth >= MAX_DEPTH) return "[…]";
    const items: unknown[] = value.slice(0, MAX_ITEMS);
    const shown = items.map((item) => show(item, depth + 1, inside));
    if (value.length > MAX_ITEMS) shown.push("…");
    return `[${shown.join(",")}]`;
  }
  if (!isPlainObject(value)) {
    const name: unknown = (value as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === "string" && name !== "" ? `[${name}]` : "[object]";
  }
  if (depth >= MAX_DEPTH) return "{…}";
  const keys = Object.keys(value);
  const shown = keys.slice(0, MAX_ITEMS).map((key) => {
    const inner = isSecretKey(key) ? "[redacted]" : show(value[key], depth + 1, inside);
    return `${JSON.stringify(key)}:${inner}`;
  });
  if (keys.length > MAX_ITEMS) shown.push("…");
  return `{${shown.join(",")}}`;
}
