// A validator for the part of JSON Schema the Conduit spec uses: $ref, type, required,
// properties, items, minimum and the date-time format. It answers with every mismatch, each
// named by its JSON path, so a failing test says what was wrong where.

export interface Schema {
  $ref?: string;
  type?: "object" | "array" | "string" | "integer" | "number" | "boolean";
  required?: string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  format?: string;
  minimum?: number;
}

/** Finds `#/components/...` in the document. */
export type Resolver = (ref: string) => Schema;

const KNOWN = new Set([
  "$ref",
  "type",
  "required",
  "properties",
  "items",
  "format",
  "minimum",
  "default",
  "description",
]);

/** RFC 3339 date-time, as the spec's `format: date-time` means. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (Number.isInteger(value)) return "integer";
  return typeof value;
}

function matchesType(value: unknown, type: NonNullable<Schema["type"]>): boolean {
  const actual = typeOf(value);
  return actual === type || (type === "number" && actual === "integer");
}

/** The mismatches of `value` against `schema` (none: it conforms). */
export function validate(value: unknown, schema: Schema, resolve: Resolver, path = "$"): string[] {
  if (schema.$ref !== undefined) return validate(value, resolve(schema.$ref), resolve, path);
  for (const key of Object.keys(schema)) {
    // A keyword this validator does not check would pass silently: refuse it instead.
    if (!KNOWN.has(key)) return [`${path}: the schema uses "${key}", which this validator does not check`];
  }
  if (schema.type !== undefined && !matchesType(value, schema.type)) {
    return [`${path}: expected ${schema.type}, got ${typeOf(value)}`];
  }
  const errors: string[] = [];
  if (schema.format === "date-time" && typeof value === "string" && !DATE_TIME.test(value)) {
    errors.push(`${path}: ${JSON.stringify(value)} is not a date-time`);
  }
  if (schema.minimum !== undefined && typeof value === "number" && value < schema.minimum) {
    errors.push(`${path}: ${value} is below the minimum ${schema.minimum}`);
  }
  if (typeOf(value) === "object") {
    const record = value as Record<string, unknown>;
    for (const key of schema.required ?? []) {
      if (!(key in record)) errors.push(`${path}: "${key}" is required`);
    }
    for (const [key, property] of Object.entries(schema.properties ?? {})) {
      if (key in record) errors.push(...validate(record[key], property, resolve, `${path}.${key}`));
    }
  }
  if (Array.isArray(value) && schema.items !== undefined) {
    const items = schema.items;
    value.forEach((item, index) => errors.push(...validate(item, items, resolve, `${path}[${index}]`)));
  }
  return errors;
}
