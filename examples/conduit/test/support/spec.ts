// The RealWorld spec (shared/conduit/openapi.yml), read once: its operations by operationId
// and the schema each one's answers must match.
import { readFileSync } from "node:fs";
import { load } from "js-yaml";
import type { Resolver, Schema } from "./schema.js";
import { findSpec, SPEC_MISSING } from "./spec-file.js";

interface Response {
  $ref?: string;
  content?: Record<string, { schema?: Schema }>;
}

interface Operation {
  operationId: string;
  responses: Record<string, Response>;
  security?: unknown[];
}

interface Document {
  servers: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: Record<string, Record<string, unknown>>;
}

function specFile(): string {
  const found = findSpec();
  if (found === undefined) throw new Error(SPEC_MISSING);
  return found;
}

export const SPEC_FILE = specFile();

const doc = load(readFileSync(SPEC_FILE, "utf8")) as Document;

/** The path every operation's URL starts with: `/api`, from the spec's server URL. */
export const BASE_PATH = new URL(doc.servers[0]!.url).pathname.replace(/\/$/, "");

export const resolve: Resolver = (ref) => {
  const [hash, components, kind, name] = ref.split("/");
  const found = hash === "#" && components === "components" ? doc.components[kind!]?.[name!] : undefined;
  if (found === undefined) throw new Error(`the spec has no ${ref}`);
  return found as Schema;
};

export interface SpecOperation {
  readonly id: string;
  readonly method: string;
  /** The path template, such as `/articles/{slug}`. */
  readonly path: string;
  readonly needsAuth: boolean;
  readonly statuses: readonly number[];
}

export const OPERATIONS: ReadonlyMap<
  string,
  SpecOperation & { readonly responses: Record<string, Response> }
> = new Map(
  Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => [
      op.operationId,
      {
        id: op.operationId,
        method: method.toUpperCase(),
        path,
        needsAuth: (op.security ?? []).length > 0,
        statuses: Object.keys(op.responses).map(Number),
        responses: op.responses,
      },
    ]),
  ),
);

/**
 * What the spec says an answer with this status carries: `json` with the schema to match, or
 * `empty` (no content declared). Undefined when the operation declares no such status.
 */
export function expectedAnswer(
  operationId: string,
  status: number,
): { kind: "json"; schema: Schema } | { kind: "empty" } | undefined {
  const op = OPERATIONS.get(operationId);
  if (op === undefined) throw new Error(`the spec has no operation ${operationId}`);
  let response = op.responses[String(status)];
  if (response === undefined) return undefined;
  if (response.$ref !== undefined) response = resolve(response.$ref);
  const schema = response.content?.["application/json"]?.schema;
  return schema === undefined ? { kind: "empty" } : { kind: "json", schema };
}
