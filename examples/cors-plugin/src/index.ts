/**
 * CORS for Flagon, written only against the public plugin API of `@flagon/core`.
 *
 * @example
 * import cors, { Cors, NoCors } from "flagon-plugin-cors";
 * const app = new Flagon({ controllers: [Api], config: { cors: { origins: ["https://app.example"] } } });
 * app.register(cors, { credentials: true, maxAge: 600 });
 */
import { type Context, FlagonResponse, type HeadersInit } from "@flagon/core";
import { definePlugin } from "@flagon/core/plugin";
import { Cors, type CorsRouteValue } from "./decorators.js";
import { configSchema, type CorsOptions, resolveOptions } from "./options.js";
import { compilePolicy, type CorsPolicy, requestedHeaders } from "./policy.js";
import { appendVary } from "./vary.js";

export { Cors, NoCors, type CorsRouteValue } from "./decorators.js";
export { configSchema, type CorsOptions, type CorsRouteOptions, type OriginsOption } from "./options.js";

declare module "@flagon/core" {
  interface CoreConfig {
    /** flagon-plugin-cors: merged under the options given to `app.register(cors, options)`. */
    cors?: Partial<CorsOptions>;
  }
}

const PREFLIGHT_VARY = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";

export default definePlugin<CorsOptions>({
  name: "flagon-plugin-cors",
  version: "0.1.0",
  core: ">=0.1.0",
  configKey: "cors",
  configSchema,
  register(app, options) {
    const appPolicy = compilePolicy(resolveOptions(options));
    // Per app: a route's @Cors value → its policy, compiled in onRoute (start-up), read per request.
    const routePolicies = new WeakMap<object, CorsPolicy>();
    const preflights = new WeakSet<Context>();

    const policyOf = (value: CorsRouteValue | undefined): CorsPolicy | undefined => {
      if (value === undefined) return appPolicy;
      if (value === false) return undefined;
      let policy = routePolicies.get(value);
      if (policy === undefined) {
        policy = compilePolicy(resolveOptions(options, value));
        routePolicies.set(value, policy);
      }
      return policy;
    };

    // Compile every route's policy at start-up, so requests only look it up.
    app.addHook("onRoute", (route) => {
      policyOf(Cors.get(route));
    });

    // A preflight (OPTIONS with Origin and Access-Control-Request-Method) is answered here, before
    // routing and before any handler or later hook; a plain OPTIONS goes on to the core's answer.
    app.addHook("onRequest", (ctx) => {
      const { request } = ctx;
      if (request.method !== "OPTIONS") return undefined;
      const origin = request.header("origin");
      const method = request.header("access-control-request-method");
      if (origin === undefined || method === undefined) return undefined;
      preflights.add(ctx);

      const headers: HeadersInit = { vary: PREFLIGHT_VARY };
      // The route the real request will reach decides (its @Cors / @NoCors), not OPTIONS.
      const policy = policyOf(Cors.get(app.matchRoute(method, request.path)));
      const allowOrigin = policy?.allowOrigin(origin);
      if (policy !== undefined && allowOrigin !== undefined) {
        headers["access-control-allow-origin"] = allowOrigin;
        headers["access-control-allow-methods"] = policy.methods;
        headers["access-control-allow-headers"] =
          policy.allowedHeaders ?? requestedHeaders(request.header("access-control-request-headers"));
        if (policy.credentials) headers["access-control-allow-credentials"] = "true";
        headers["access-control-max-age"] = policy.maxAge;
      }
      // Refused preflights get the same 204, only without Access-Control-Allow-*: the browser
      // then blocks the request, and the answer tells a prober nothing more than the headers do.
      return new FlagonResponse(null, { status: 204, headers });
    });

    // Every other response — handler results, early answers, 404, 405, 500 — gets its headers here.
    app.addHook("onSend", (ctx, response) => {
      if (preflights.has(ctx)) return;
      const policy = policyOf(Cors.get(ctx.route));
      if (policy === undefined) return;
      appendVary(response.headers, "Origin");
      const origin = ctx.request.header("origin");
      // A handler that set Access-Control-Allow-Origin itself has decided; leave its headers be.
      if (origin === undefined || response.headers.has("access-control-allow-origin")) return;
      const allowOrigin = policy.allowOrigin(origin);
      if (allowOrigin === undefined) return;
      response.headers.set("access-control-allow-origin", allowOrigin);
      if (policy.credentials) response.headers.set("access-control-allow-credentials", "true");
      if (policy.exposedHeaders !== undefined) {
        response.headers.set("access-control-expose-headers", policy.exposedHeaders);
      }
    });
  },
});
