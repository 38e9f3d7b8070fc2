// One Conduit app per test on a database of its own, and a client that calls the spec's
// operations by operationId and checks every answer against the spec before the test sees it.
import type { Flagon } from "@flagon/core";
import { freshDatabase } from "@flagon/database/testing";
import { createApp } from "../../src/app.js";
import { migrateToLatest } from "../../src/migrate.js";
import { validate, type Schema } from "./schema.js";
import { BASE_PATH, OPERATIONS, expectedAnswer, resolve } from "./spec.js";

/**
 * The statuses this API answers beyond those the spec declares, in the GenericErrorModel shape:
 * another user's article or comment (403), an unknown resource (404), too many failed logins (429).
 */
export const EXTRA_STATUSES = [403, 404, 429] as const;

const GENERIC_ERROR: Schema = { $ref: "#/components/schemas/GenericErrorModel" };

/** Test-only keys: long enough for the checks, never used outside tests. */
export const TEST_CONFIG = {
  env: "test" as const,
  secretKey: "conduit-test-secret-key-0123456789abcdef",
  auth: { jwt: { keys: [{ alg: "HS256" as const, secret: "conduit-test-jwt-secret-0123456789abcdef" }] } },
};

export interface Call {
  readonly params?: Record<string, string | number>;
  readonly query?: Record<string, string>;
  readonly json?: unknown;
  /** A raw body (with its content-type in `headers`). */
  readonly body?: string;
  /** Sent as `Authorization: Token <token>`. */
  readonly token?: string;
  readonly headers?: Record<string, string>;
}

export interface Answer<T = unknown> {
  readonly status: number;
  readonly body: T;
  readonly headers: Record<string, string | string[] | number | undefined>;
}

/** The answers this process saw, as "OperationId status": what the coverage test reads. */
export const seen = new Set<string>();

/** Why an answer does not match the spec (an empty list: it does). */
export function mismatches(operationId: string, answer: Answer, raw: string): string[] {
  const expected = expectedAnswer(operationId, answer.status);
  const type = String(answer.headers["content-type"] ?? "");
  if (expected === undefined && !(EXTRA_STATUSES as readonly number[]).includes(answer.status)) {
    const declared = OPERATIONS.get(operationId)!.statuses.join(", ");
    return [`${operationId} answered ${answer.status}, which the spec does not declare (${declared})`];
  }
  if (answer.status === 204) return raw === "" ? [] : [`a 204 must have no body, got ${JSON.stringify(raw)}`];
  // Every other answer of this API is JSON: the declared schema, else the spec's error model
  // (401's content is left open by the spec; this API fills it with the error model too).
  const schema = expected?.kind === "json" ? expected.schema : GENERIC_ERROR;
  if (!/^application\/json\b/.test(type)) return [`expected application/json, got "${type}"`];
  return validate(answer.body, schema, resolve);
}

export interface Conduit {
  readonly app: Flagon;
  /** Calls an operation of the spec; throws when the answer does not match the spec. */
  call<T = unknown>(operationId: string, call?: Call): Promise<Answer<T>>;
  close(): Promise<void>;
}

/** A migrated Conduit on a fresh database of the server `baseUrl` names. */
export async function startConduit(baseUrl: string): Promise<Conduit> {
  const fresh = await freshDatabase(baseUrl);
  const app = createApp({
    logger: false,
    configFile: false,
    config: { ...TEST_CONFIG, database: { url: fresh.url } },
  });
  await app.ready();
  await migrateToLatest(app);
  return {
    app,
    async call<T>(operationId: string, call: Call = {}): Promise<Answer<T>> {
      const op = OPERATIONS.get(operationId);
      if (op === undefined) throw new Error(`the spec has no operation ${operationId}`);
      const url =
        BASE_PATH +
        op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
          const value = call.params?.[name];
          if (value === undefined) throw new Error(`${operationId} needs the path parameter ${name}`);
          return encodeURIComponent(String(value));
        });
      const headers: Record<string, string> = { ...call.headers };
      if (call.token !== undefined) headers["authorization"] = `Token ${call.token}`;
      const res = await app.inject({
        method: op.method,
        url,
        headers,
        ...(call.query === undefined ? {} : { query: call.query }),
        ...(call.json === undefined ? {} : { json: call.json }),
        ...(call.body === undefined ? {} : { body: call.body }),
      });
      const raw = res.body;
      const isJson = /^application\/json\b/.test(String(res.headers["content-type"] ?? ""));
      const answer: Answer<T> = {
        status: res.statusCode,
        body: (isJson && raw !== "" ? JSON.parse(raw) : raw) as T,
        headers: res.headers,
      };
      const problems = mismatches(operationId, answer, raw);
      if (problems.length > 0) {
        throw new Error(
          `${op.method} ${url} → ${answer.status} does not match the spec:\n  ${problems.join("\n  ")}\n${raw}`,
        );
      }
      seen.add(`${operationId} ${answer.status}`);
      return answer;
    },
    async close() {
      await app.close();
      await fresh.drop();
    },
  };
}

export interface Account {
  readonly username: string;
  readonly email: string;
  readonly password: string;
  readonly token: string;
}

/** Registers `username` (email `<username>@example.com`) and returns its token. */
export async function signUp(conduit: Conduit, username: string): Promise<Account> {
  const account = { username, email: `${username}@example.com`, password: `${username}-password-1` };
  const res = await conduit.call<{ user: { token: string } }>("CreateUser", { json: { user: account } });
  if (res.status !== 201) throw new Error(`signing ${username} up answered ${res.status}`);
  return { ...account, token: res.body.user.token };
}

/** Writes an article as `author`, tags optional; returns its slug. */
export async function publish(
  conduit: Conduit,
  author: Account,
  title: string,
  tagList?: string[],
): Promise<string> {
  const res = await conduit.call<{ article: { slug: string } }>("CreateArticle", {
    token: author.token,
    json: {
      article: {
        title,
        description: `About ${title}`,
        body: `The text of ${title}.`,
        ...(tagList ? { tagList } : {}),
      },
    },
  });
  if (res.status !== 201) throw new Error(`publishing ${title} answered ${res.status}`);
  return res.body.article.slug;
}
