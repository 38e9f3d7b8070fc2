// Shared by the session suites (not a test file itself): an app with session routes, and a
// logger whose lines the tests can read.
import "reflect-metadata";
import { Writable } from "node:stream";
import { pino, type Logger } from "pino";
import { type CoreConfig, Flagon, type FlagonOptions } from "@flagon/core";

export const SECRET = "current-secret-key-0123456789abcdefghij";
export const OLD_SECRET = "previous-secret-key-9876543210zyxwvuts";

export type InjectResponse = Awaited<ReturnType<Flagon["inject"]>>;

export interface LogLine {
  level: number;
  msg?: string;
  err?: { message?: string; type?: string };
  [key: string]: unknown;
}

/** A debug-level pino logger that keeps its lines. */
export function captureLog(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n"))
        if (line) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  return { logger: pino({ level: "debug" }, stream), lines };
}

/**
 * An app whose routes drive the session: `/plain` never touches it, `/get`, `/set?k=v`,
 * `/bump` (counter), `/regenerate`, `/destroy`, `/clear`, `/flash?m=&c=`, `/flashes?cats=&with=1`.
 */
export function sessionApp(config: CoreConfig = {}, options: Omit<FlagonOptions, "config"> = {}): Flagon {
  const app = new Flagon({
    configFile: false,
    logger: false,
    ...options,
    config: { env: "test", secretKey: SECRET, static: false, ...config },
  });
  app.get("/plain", () => ({ plain: true }));
  app.get("/get", async (ctx) => {
    const session = await ctx.session();
    return { isNew: session.isNew, data: Object.fromEntries(session.keys().map((k) => [k, session.get(k)])) };
  });
  app.get("/set", async (ctx) => {
    const session = await ctx.session();
    for (const key of ctx.request.query.keys()) session.set(key, ctx.request.query.get(key));
    return { ok: true };
  });
  app.get("/bump", async (ctx) => {
    const session = await ctx.session();
    const count = (session.get<number>("count") ?? 0) + 1;
    session.set("count", count);
    return { count };
  });
  app.get("/regenerate", async (ctx) => {
    await (await ctx.session()).regenerate();
    return { ok: true };
  });
  app.get("/destroy", async (ctx) => {
    await (await ctx.session()).destroy();
    return { ok: true };
  });
  app.get("/clear", async (ctx) => {
    (await ctx.session()).clear();
    return { ok: true };
  });
  app.get("/flash", async (ctx) => {
    const category = ctx.request.query.get("c");
    await ctx.flash(ctx.request.query.get("m") ?? "", category ?? undefined);
    return { ok: true };
  });
  app.get("/flashes", async (ctx) => {
    const session = await ctx.session();
    const cats = ctx.request.query.get("cats");
    const categories = cats ? cats.split(",") : undefined;
    if (ctx.request.query.get("with") === "1") return session.flashes({ withCategories: true, categories });
    return session.flashes({ categories });
  });
  return app;
}

/** The value of one Set-Cookie header, e.g. `cookieHeader(res, "session")`. */
export function setCookieFor(res: InjectResponse, name: string): string | undefined {
  const all = res.headers["set-cookie"];
  const list = Array.isArray(all) ? all : all === undefined ? [] : [all];
  return list.find((line) => line.startsWith(`${name}=`));
}

/** The value a response set for a cookie. */
export function cookieValue(res: InjectResponse, name: string): string | undefined {
  return res.cookies.find((c) => c.name === name)?.value;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
