// What a driver's error means for the request: a constraint the client broke (409/422 naming
// the field), a database that is unreachable or busy (503 with Retry-After), or a bug (500).
// The three drivers report the same faults in different shapes; this is the one place that
// knows them.
import { HttpError } from "@flagon/core";

/**
 * The database cannot serve the request now: no connection within the acquire timeout, the
 * server is down or restarting, SQLite stayed locked past its busy timeout, or the app is
 * closing. Answers 503 with `Retry-After`; the cause is kept for the log, never sent.
 */
export class DatabaseUnavailableError extends HttpError {
  constructor(message: string, options: { retryAfter?: number; cause?: unknown } = {}) {
    super(503, message, {
      headers: { "retry-after": String(options.retryAfter ?? 1) },
      expose: true,
      cause: options.cause,
    });
    this.name = "DatabaseUnavailableError";
  }
}

export type Violation = "unique" | "foreign-key" | "not-null" | "check";

export type Fault =
  | { readonly kind: Violation; readonly fields: readonly string[] }
  | { readonly kind: "unavailable" }
  | { readonly kind: "other" };

interface DriverError {
  code?: unknown;
  errno?: unknown;
  message?: unknown;
  detail?: unknown;
  column?: unknown;
  constraint?: unknown;
}

const asDriverError = (error: unknown): DriverError =>
  typeof error === "object" && error !== null ? error : {};

/** Network-level codes every driver passes through from node:net. */
const NETWORK = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/** PostgreSQL SQLSTATEs that mean "try again later" rather than "your query is wrong". */
const PG_UNAVAILABLE = /^(08...|57P0[1-3]|53300|53400|57014|40001|40P01)$/;

/** mysql2 codes of the same kind (connection lost, too many connections, lock and time limits). */
const MYSQL_UNAVAILABLE = new Set([
  "PROTOCOL_CONNECTION_LOST",
  "PROTOCOL_SEQUENCE_TIMEOUT",
  "ER_CON_COUNT_ERROR",
  "ER_SERVER_SHUTDOWN",
  "ER_LOCK_DEADLOCK",
  "ER_LOCK_WAIT_TIMEOUT",
  "ER_QUERY_TIMEOUT",
  "ER_STATEMENT_TIMEOUT",
  "ER_QUERY_INTERRUPTED",
  "ER_CLIENT_INTERACTION_TIMEOUT",
]);

/** Messages of pg and mysql2 for a connection that went away, which carry no code. */
const LOST =
  /Connection terminated|not queryable|timeout exceeded when trying to connect|Pool is closed|Can't add new command when connection is in closed state|connection is in closed state|driver has already been destroyed/i;

/** Sorts a driver error into what it means for the request. */
export function classify(error: unknown): Fault {
  if (error instanceof DatabaseUnavailableError) return { kind: "unavailable" };
  const e = asDriverError(error);
  const code = typeof e.code === "string" ? e.code : "";
  const message = typeof e.message === "string" ? e.message : "";
  if (code.startsWith("SQLITE_")) return sqlite(code, message);
  if (/^[0-9A-Z]{5}$/.test(code) && typeof e.errno !== "number") return postgres(code, e);
  if (code.startsWith("ER_") || code.startsWith("PROTOCOL_") || typeof e.errno === "number") {
    return mysql(code, message);
  }
  if (NETWORK.has(code) || LOST.test(message)) return { kind: "unavailable" };
  return { kind: "other" };
}

function sqlite(code: string, message: string): Fault {
  // "UNIQUE constraint failed: users.email, users.team" → ["email", "team"]
  const fields = (message.split(" constraint failed: ")[1] ?? "")
    .split(",")
    .map((column) => column.trim().split(".").pop() ?? "")
    .filter((column) => /^[\w$]+$/.test(column));
  switch (code) {
    case "SQLITE_CONSTRAINT_UNIQUE":
    case "SQLITE_CONSTRAINT_PRIMARYKEY":
      return { kind: "unique", fields };
    case "SQLITE_CONSTRAINT_FOREIGNKEY":
      return { kind: "foreign-key", fields };
    case "SQLITE_CONSTRAINT_NOTNULL":
      return { kind: "not-null", fields };
    case "SQLITE_CONSTRAINT_CHECK":
      return { kind: "check", fields: [] };
    default:
      return /^SQLITE_(BUSY|LOCKED)/.test(code) ? { kind: "unavailable" } : { kind: "other" };
  }
}

function postgres(code: string, e: DriverError): Fault {
  // detail: `Key (email)=(a@b.c) already exists.` or `Key (a, b)=(1, 2) is not present in table "t".`
  const detail = typeof e.detail === "string" ? e.detail : "";
  const keyFields = (/^Key \(([^)]*)\)=/.exec(detail)?.[1] ?? "")
    .split(",")
    .map((field) => field.trim().replace(/^"|"$/g, ""))
    .filter((field) => field !== "");
  switch (code) {
    case "23505":
      return { kind: "unique", fields: keyFields };
    case "23503":
      return { kind: "foreign-key", fields: keyFields };
    case "23502":
      return { kind: "not-null", fields: typeof e.column === "string" ? [e.column] : [] };
    case "23514":
      return { kind: "check", fields: [] };
    default:
      return PG_UNAVAILABLE.test(code) ? { kind: "unavailable" } : { kind: "other" };
  }
}

function mysql(code: string, message: string): Fault {
  switch (code) {
    case "ER_DUP_ENTRY": {
      // MySQL 8: "… for key 'users.email'"; MariaDB: "… for key 'email'" (the index's name).
      const key = /for key '([^']+)'$/.exec(message)?.[1]?.split(".").pop();
      return { kind: "unique", fields: key === undefined || key === "PRIMARY" ? [] : [key] };
    }
    case "ER_NO_REFERENCED_ROW":
    case "ER_NO_REFERENCED_ROW_2":
    case "ER_ROW_IS_REFERENCED":
    case "ER_ROW_IS_REFERENCED_2": {
      const columns = /FOREIGN KEY \(([^)]*)\)/.exec(message)?.[1] ?? "";
      return {
        kind: "foreign-key",
        fields: columns
          .split(",")
          .map((column) => column.trim().replace(/^`|`$/g, ""))
          .filter((column) => column !== ""),
      };
    }
    case "ER_BAD_NULL_ERROR":
    case "ER_NO_DEFAULT_FOR_FIELD": {
      const column = /(?:Column|Field) '([^']+)'/.exec(message)?.[1];
      return { kind: "not-null", fields: column === undefined ? [] : [column] };
    }
    case "ER_CHECK_CONSTRAINT_VIOLATED":
    case "ER_CONSTRAINT_FAILED":
      return { kind: "check", fields: [] };
    default:
      if (MYSQL_UNAVAILABLE.has(code) || NETWORK.has(code) || LOST.test(message))
        return { kind: "unavailable" };
      return { kind: "other" };
  }
}

const PHRASES: Readonly<Record<Violation, { status: number; one: string; none: string }>> = {
  unique: { status: 409, one: "is already taken", none: "a record with these values already exists" },
  "foreign-key": {
    status: 409,
    one: "refers to a record that does not exist, or a record still refers to this one",
    none: "a related record does not exist, or a record still refers to this one",
  },
  "not-null": { status: 422, one: "is required", none: "a required value is missing" },
  check: { status: 422, one: "is not allowed", none: "a value is not allowed" },
};

/**
 * The HTTP error for a driver error, or undefined when it is a bug (left to the app's 500, whose
 * body shows no SQL, table or value outside development). Constraint answers name the column
 * only: never the table, the constraint or the value.
 */
export function toHttpError(error: unknown, retryAfter: number): HttpError | undefined {
  if (error instanceof HttpError) return undefined;
  const fault = classify(error);
  if (fault.kind === "other") return undefined;
  if (fault.kind === "unavailable") {
    return new DatabaseUnavailableError("the database is unavailable, try again shortly", {
      retryAfter,
      cause: error,
    });
  }
  const phrase = PHRASES[fault.kind];
  const message = fault.fields.length === 0 ? phrase.none : `${fault.fields.join(", ")} ${phrase.one}`;
  return new HttpError(phrase.status, message, {
    cause: error,
    details: {
      errors:
        fault.fields.length === 0
          ? [{ constraint: fault.kind, message }]
          : fault.fields.map((field) => ({
              field,
              constraint: fault.kind,
              message: `${field} ${phrase.one}`,
            })),
    },
  });
}
