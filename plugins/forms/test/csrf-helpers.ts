import { Writable } from "node:stream";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Controller, type Context, type Flagon, Post, render } from "@flagon/core";
import { inject, type InjectOptions, type InjectResponse, TestClient } from "@flagon/core/testing";
import { CsrfExempt, csrfToken } from "../src/index.js";
import { makeApp } from "./helpers.js";

/** The host every request of these tests names, so that `http://app.test` is the app's own origin. */
export const HOST = "app.test";
export const SELF = `http://${HOST}`;
const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures");

@CsrfExempt()
@Controller("/hooks")
class Webhooks {
  @Post("/in")
  receive() {
    return "received";
  }
}

@Controller("/api")
class Api {
  @CsrfExempt()
  @Post("/open")
  open() {
    return "open";
  }

  @Post("/guarded")
  guarded() {
    return "guarded";
  }
}

export interface CsrfTestApp {
  readonly app: Flagon;
  /** The JSON lines the app logged. */
  readonly logs: () => Array<Record<string, unknown>>;
  /** How many times a state-changing handler ran (a bypass makes it grow). */
  readonly ran: () => number;
}

/** An app with CSRF on (options go to `forms.csrf`), routes for each case and a captured log. */
export function csrfApp(
  csrf: Record<string, unknown> = {},
  config: Record<string, unknown> = {},
): CsrfTestApp {
  let text = "";
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString("utf8");
      done();
    },
  });
  const app = makeApp({ csrf }, { root: FIXTURES, logger: { level: "warn", stream }, config });
  let ran = 0;
  const handler = async (ctx: Context) => {
    ran += 1;
    const body = ctx.request.contentType === undefined ? {} : await ctx.body(["form", "multipart", "json"]);
    return {
      ok: true,
      method: ctx.request.method,
      title: (body as Record<string, unknown>)["title"] ?? null,
    };
  };
  app.get("/token", async (ctx) => ({ token: await csrfToken(ctx) }));
  app.get("/form", () => render("form.html"));
  app.get("/plain", () => render("plain.html"));
  app.get("/state", (ctx) => ({ ran, method: ctx.request.method }));
  app.route("/submit", ["POST", "PUT", "PATCH", "DELETE", "PURGE", "PROPPATCH"], handler);
  app.route("/submit", ["GET", "OPTIONS"], (ctx) => ({ safe: ctx.request.method }));
  app.post("/json-only", async (ctx) => {
    ran += 1;
    return { body: await ctx.body() };
  });
  app.addController(Webhooks, Api);
  return {
    app,
    ran: () => ran,
    logs: () =>
      text
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** A browser-like visitor: a session cookie jar and a token got from the app. */
export async function visitor(app: Flagon): Promise<{ client: TestClient; token: string }> {
  const client = new TestClient(app);
  const res = await client.get("/token", { headers: { host: HOST } });
  return { client, token: res.json<{ token: string }>().token };
}

/** Sends `options` with the test host, through `client` when given (its cookies). */
export function send(app: Flagon, options: InjectOptions, client?: TestClient): Promise<InjectResponse> {
  const request = { ...options, headers: { host: HOST, accept: "application/json", ...options.headers } };
  return client === undefined ? inject(app, request) : client.request(request);
}

/** A form body carrying `fields`, urlencoded. */
export const form = (fields: Record<string, string>): string => new URLSearchParams(fields).toString();
export const FORM_TYPE = "application/x-www-form-urlencoded";
