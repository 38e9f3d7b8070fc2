import type { StandardSchemaV1 } from "@standard-schema/spec";
import { BadRequestError, HttpError } from "../errors/http-errors.js";
import type { BodyParsers, BodyRules } from "../http/body-parsers.js";
import type { Context, RouteInfo } from "../http/context.js";
import type { ParamRecord } from "./metadata.js";
import type { ParamInfo } from "./param-decorator.js";

/** Gets one handler argument from the context; async only when it must be (body, async schema). */
export type Binder = (ctx: Context) => unknown;

type Location = "path" | "query" | "header" | "cookie" | "body";

const LOCATION: Record<Exclude<ParamRecord["kind"], "ctx" | "body" | "custom">, Location> = {
  param: "path",
  query: "query",
  header: "header",
  cookie: "cookie",
};

const TRUE = new Set(["true", "1", "yes", "on"]);
const FALSE = new Set(["false", "0", "no", "off", ""]);

function invalid(location: Location, name: string, message: string): HttpError {
  return new BadRequestError(`invalid ${location} parameter "${name}": ${message}`, {
    details: { errors: [{ location, name, message }] },
  });
}

/** Coerces text to the parameter's declared type (`number`, `boolean`); other types pass through. */
function coerce(value: unknown, type: unknown, location: Location, name: string): unknown {
  if (value === undefined || typeof value !== "string") return value;
  if (type === Number) {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n))
      throw invalid(location, name, `expected a number, got "${value}"`);
    return n;
  }
  if (type === Boolean) {
    const lower = value.toLowerCase();
    if (TRUE.has(lower)) return true;
    if (FALSE.has(lower)) return false;
    throw invalid(location, name, `expected a boolean, got "${value}"`);
  }
  return value;
}

function describeIssues(issues: readonly StandardSchemaV1.Issue[]): string {
  return issues
    .map((issue) => {
      const path = (issue.path ?? []).map((p) => (typeof p === "object" ? p.key : p)).join(".");
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join("; ");
}

function issuePath(issue: StandardSchemaV1.Issue): PropertyKey[] {
  return (issue.path ?? []).map((p) => (typeof p === "object" ? p.key : p));
}

/** Runs a Standard Schema; a failure becomes 400 (parameters) or 422 (a parsed body). */
function validate(schema: StandardSchemaV1, value: unknown, location: Location, name: string): unknown {
  const outcome = schema["~standard"].validate(value);
  const settle = (result: StandardSchemaV1.Result<unknown>): unknown => {
    if (!result.issues) return result.value;
    if (location === "body") {
      throw new HttpError(422, `invalid request body: ${describeIssues(result.issues)}`, {
        details: {
          errors: result.issues.map((issue) => ({
            location,
            path: issuePath(issue),
            message: issue.message,
          })),
        },
      });
    }
    throw invalid(location, name, describeIssues(result.issues));
  };
  return outcome instanceof Promise ? outcome.then(settle) : settle(outcome);
}

/** Where a binder is used: the route (per method), and what the body binders need. */
export interface BinderSite {
  readonly route: RouteInfo;
  /** `Class.method` or the route, for start-up errors. */
  readonly where: string;
  readonly bodyParsers: BodyParsers;
  /** The route's own `bodyLimit`, if it set one. */
  readonly ownLimit: number | undefined;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === "object" || typeof value === "function") &&
    typeof (value as { then?: unknown }).then === "function"
  );
}

/** Builds the binder of one decorated parameter, once, at start-up. */
export function makeBinder(record: ParamRecord, type: unknown, site: BinderSite): Binder {
  switch (record.kind) {
    case "ctx":
      return (ctx) => ctx;
    case "body": {
      const { schema } = record;
      const parsers = site.bodyParsers;
      const rules: BodyRules = {
        accept: parsers.compileAccept(
          record.accept,
          `${site.route.method} ${site.route.path} (${site.where}) @Body`,
        ),
        ownLimit: site.ownLimit,
      };
      parsers.describeRoute(site.route, rules);
      if (!schema) return (ctx) => parsers.read(ctx, rules);
      return async (ctx) => validate(schema, await parsers.read(ctx, rules), "body", "body");
    }
    case "custom": {
      const { resolve, data } = record;
      const param: ParamInfo = Object.freeze({ type, index: record.index, route: site.route });
      return (ctx) => {
        const value = resolve(ctx, data, param);
        // Only a native promise makes bindArgs wait; another thenable is turned into one.
        return isThenable(value) && !(value instanceof Promise) ? Promise.resolve(value) : value;
      };
    }
    default: {
      const location = LOCATION[record.kind];
      const name = record.name;
      let read: (ctx: Context) => unknown;
      if (record.kind === "query") {
        if (name === undefined) read = (ctx) => ctx.request.query.toObject();
        else if (type === Array) read = (ctx) => ctx.request.query.getAll(name);
        else read = (ctx) => ctx.request.query.get(name);
      } else if (name === undefined) {
        throw new TypeError(`@${record.kind}() needs a name`);
      } else if (record.kind === "param") {
        read = (ctx) => ctx.request.params[name];
      } else if (record.kind === "header") {
        read = (ctx) => ctx.request.header(name);
      } else {
        read = (ctx) => ctx.request.cookies[name];
      }
      const label = name ?? "query";
      const { schema } = record;
      if (schema) return (ctx) => validate(schema, read(ctx), location, label);
      if (type === Number || type === Boolean) return (ctx) => coerce(read(ctx), type, location, label);
      return read;
    }
  }
}
