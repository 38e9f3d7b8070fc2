// The `database.url` setting: which driver it names, and how to show it without its password.
import path from "node:path";

export type Dialect = "sqlite" | "postgres" | "mysql";

export type Target =
  | { readonly dialect: "sqlite"; readonly file: string; readonly memory: boolean }
  | { readonly dialect: "postgres" | "mysql"; readonly url: string };

const SCHEMES: Readonly<Record<string, "postgres" | "mysql">> = {
  "postgres:": "postgres",
  "postgresql:": "postgres",
  "mysql:": "mysql",
  "mariadb:": "mysql",
};

/**
 * Reads a database URL: `sqlite:<file>` (relative to `root`), `sqlite::memory:`,
 * `postgres://…` / `postgresql://…`, `mysql://…` / `mariadb://…`. Throws a TypeError naming the
 * accepted forms for anything else; the message never repeats a password.
 */
export function parseDatabaseUrl(url: string, root: string): Target {
  if (url.startsWith("sqlite:")) {
    const rest = url.slice("sqlite:".length).replace(/^\/\//, "");
    if (rest === ":memory:" || rest === "") return { dialect: "sqlite", file: ":memory:", memory: true };
    return { dialect: "sqlite", file: path.resolve(root, rest), memory: false };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`${redactUrl(url)} is not a database URL: ${FORMS}`);
  }
  const dialect = SCHEMES[parsed.protocol];
  if (dialect === undefined) throw new TypeError(`${redactUrl(url)} names no supported database: ${FORMS}`);
  if (parsed.hostname === "") throw new TypeError(`${redactUrl(url)} has no host: ${FORMS}`);
  // mysql2 knows only mysql://; the MariaDB spelling is an alias.
  const normalised = parsed.protocol === "mariadb:" ? `mysql:${url.slice("mariadb:".length)}` : url;
  return { dialect, url: normalised };
}

const FORMS =
  "use sqlite:./data/app.db, sqlite::memory:, postgres://user@host:5432/name or mysql://user@host:3306/name";

/** The URL with any password replaced by `***`, for logs and error messages. */
export function redactUrl(url: string): string {
  return url
    .replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@?#]*):[^@/?#]*@/i, "$1:***@")
    .replace(/([?&]password=)[^&#]*/gi, "$1***");
}
