/**
 * A visit counter, written only against the public plugin API of `@flagon/core`, and a tour of
 * its seams: each feature below names the one it shows (README.md has the list).
 *
 * @example
 * import visits, { CurrentVisitor, type Visitor } from "flagon-plugin-visits";
 * const app = new Flagon({ controllers: [Home], config: { secretKey } }).register(visits);
 * // @Get("/") home(@CurrentVisitor() visitor: Visitor) { return `visit number ${visitor.visits}`; }
 */
import { randomUUID } from "node:crypto";
import { type Context, FlagonResponse, HttpError, InternalServerError, isFresh } from "@flagon/core";
import { createParamDecorator, defineCommand, definePlugin } from "@flagon/core/plugin";
import { z } from "zod";
import { csvParser } from "./csv.js";
import { type Visitor, type VisitRow, visitScope, VisitStore } from "./store.js";

export { currentVisitor, type Visitor, type VisitRow, VisitStore } from "./store.js";
export { parseVisitCsv } from "./csv.js";

export const PLUGIN_NAME = "flagon-plugin-visits";

export const configSchema = z
  .object({
    /** The cookie holding the signed visitor id. */
    cookie: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/)
      .default("visitor"),
    /** Where the plugin's own routes live. */
    prefix: z
      .string()
      .regex(/^\/[a-z0-9/-]*[a-z0-9]$/)
      .default("/visits"),
    /** Whether `POST <prefix>/import` takes CSV imports. */
    imports: z.boolean().default(true),
    /** Rows in `flagon visits report` unless --top says otherwise. */
    reportSize: z.number().int().positive().default(5),
  })
  .strict();

export type VisitsOptions = z.output<typeof configSchema>;

declare module "@flagon/core" {
  interface CoreConfig {
    visits?: z.input<typeof configSchema>;
  }
}

const YEAR = 365 * 24 * 60 * 60;

/** Thrown when imports are switched off; the plugin's onError hook turns it into a 403. */
export class ImportsDisabled extends Error {
  constructor() {
    super("visit imports are switched off (visits.imports: false)");
  }
}

// Each request's visitor, set by the plugin's preHandler.
const visitors = new WeakMap<Context, Visitor>();

/** Seam 1: the request's visitor as a handler parameter. */
export const CurrentVisitor = createParamDecorator(
  (ctx): Visitor => {
    const visitor = visitors.get(ctx);
    if (visitor === undefined)
      throw new InternalServerError(`@CurrentVisitor() needs ${PLUGIN_NAME} registered`);
    return visitor;
  },
  { name: "CurrentVisitor" },
);

export default definePlugin<VisitsOptions>({
  name: PLUGIN_NAME,
  version: "0.1.0",
  core: ">=0.1.0",
  configKey: "visits",
  configSchema,
  register(app, options) {
    const store = new VisitStore();
    app.provide({ provide: VisitStore, useValue: store });
    // Seam 6: the visitor id is signed with the app's secret keys, for this purpose only.
    const signer = app.signer("visitor");

    app.addHook(
      "preHandler",
      (ctx) => {
        // Seam 4: the request's container resolves what the app provides (and request-scoped tokens).
        const visits = ctx.container.resolve(VisitStore);
        const token = ctx.request.cookies[options.cookie];
        const verified = token === undefined ? undefined : signer.unsign(token);
        const known = verified?.ok === true ? verified.value : undefined;
        const id = known ?? randomUUID();
        visitors.set(ctx, { id, visits: visits.record(id), isNew: known === undefined });
        if (known === undefined || verified?.ok !== true || verified.stale) {
          ctx.response.setCookie(options.cookie, signer.sign(id), {
            maxAge: YEAR,
            httpOnly: true,
            sameSite: "lax",
            path: "/",
          });
        }
        return undefined;
        // The plugin's own routes (stats, import, health) are not visits.
      },
      { appliesTo: (route) => !route.path.startsWith(`${options.prefix}/`) },
    );

    // Seam 3: every handler runs inside the visit scope, so services can call currentVisitor().
    app.addInterceptor((ctx, next) => {
      const visitor = visitors.get(ctx);
      return visitor === undefined ? next() : visitScope.run(visitor, next);
    });

    // Seam 5: templates get `visitor` (only when a template renders).
    app.templates.addContextProcessor((ctx) => ({ visitor: visitors.get(ctx) }));

    // Seam 2: CSV bodies, for the import route below or any route that accepts "csv".
    app.addBodyParser("text/csv", csvParser, { name: "csv", limit: 1024 * 1024 });

    // Seam 7: the plugin's own error becomes an HTTP error, rendered as any other.
    app.addHook("onError", (_ctx, error) =>
      error instanceof ImportsDisabled ? new HttpError(403, error.message) : undefined,
    );

    app.post(`${options.prefix}/import`, async (ctx) => {
      if (!options.imports) throw new ImportsDisabled();
      const rows = (await ctx.body(["csv"])) as VisitRow[];
      store.add(rows);
      return { imported: rows.length };
    });

    // Seam 7: a conditional GET with isFresh; the ETag changes with every counted visit or import.
    app.get(`${options.prefix}/stats`, (ctx) => {
      const etag = `"v${store.version}"`;
      if (isFresh(ctx, { etag })) return new FlagonResponse(null, { status: 304, headers: { etag } });
      ctx.response.headers.set("etag", etag);
      return { total: store.total, top: store.top(options.reportSize) };
    });

    // Seam 10: a readiness check for a load balancer.
    app.get(`${options.prefix}/health`, (ctx) => {
      if (app.state !== "ready") ctx.response.status = 503;
      return { state: app.state };
    });

    // Seam 9: `flagon visits report [--top N]`.
    app.addCommand({
      name: "visits",
      description: "Visit counts",
      commands: [
        defineCommand({
          name: "report",
          description: "The visitors with the most visits",
          options: { top: { type: "number", short: "n", description: "How many rows" } },
          run({ values, stdout }) {
            const rows = store.top(values.top ?? options.reportSize);
            if (rows.length === 0) stdout.write("no visits yet\n");
            for (const row of rows) stdout.write(`${row.visits}\t${row.visitor}\n`);
          },
        }),
      ],
    });
  },
});
