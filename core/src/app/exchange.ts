import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { Logger } from "pino";
import { BadRequestError, type HttpError } from "../errors/http-errors.js";
import { errorAccept, renderError } from "../errors/render.js";
import type { RouteHooks } from "../hooks/registry.js";
import type { BodyParsers } from "../http/body-parsers.js";
import { Context } from "../http/context.js";
import { isValidHost, type ProxyTrust } from "../http/proxy.js";
import { FlagonRequest, type RawRequest } from "../http/request.js";
import type { FlagonResponse } from "../http/response.js";
import type { SecurityHeaders } from "../http/security-headers.js";
import { type Answer, toWire, type WireResponse } from "../http/wire.js";
import type { SessionManager } from "../session/manager.js";
import { dispatch, type DispatchDeps, type Pass } from "./dispatch.js";
import { isThenable } from "./respond.js";
import { incomingRequestId, REQUEST_ID_HEADER } from "../http/request-id.js";
import { writeRequestLine } from "./request-log.js";
import type { CompiledRoute, ResponseSerializer } from "../routing/compile.js";

/** What a front door is built from, once the app is built. */
export interface FrontDoorParts {
  readonly app: Context["app"];
  readonly deps: DispatchDeps;
  readonly log: Logger;
  readonly bodyLimit: number;
  readonly proxyTrust: ProxyTrust | undefined;
  readonly security: SecurityHeaders;
  readonly requestLog: boolean;
  readonly bodyParsers: BodyParsers;
  readonly sessions: SessionManager;
}

/**
 * The app as both front doors see it: it admits a request once (its Host, the adapter's
 * refusal), gives it its id, runs it through dispatch, stamps the response (the id, the security
 * headers) and hands back the wire form. What the requests of one app share lives here.
 */
export class FrontDoor {
  readonly bodyParsers: BodyParsers;
  readonly sessions: SessionManager;
  readonly deps: DispatchDeps;
  private readonly parts: FrontDoorParts;
  private readonly idPrefix = randomBytes(4).toString("hex");
  private requestCount = 0;
  /** The last Host that passed: a client sends the same one on every request. */
  private lastHost = "";

  constructor(parts: FrontDoorParts) {
    this.parts = parts;
    this.deps = parts.deps;
    this.bodyParsers = parts.bodyParsers;
    this.sessions = parts.sessions;
  }

  /** Whether errors are negotiated as an API's (the app serves no templates). */
  get apiApp(): boolean {
    return this.deps.apiApp;
  }

  /**
   * One request, from admission to the wire form: synchronously when every step was. `refusal`
   * is the adapter's own verdict (framing, closing); the request is then answered without hooks.
   */
  admit(raw: RawRequest, refusal?: HttpError): Answer | Promise<Answer> {
    const { parts } = this;
    const request = new FlagonRequest(raw, parts.bodyLimit, parts.proxyTrust);
    const id = incomingRequestId(raw.headers) ?? this.nextId();
    const exchange = new Exchange(this, new Context(parts.app, request, id), id, raw.remoteAddress);
    const host = raw.headers.host;
    if (refusal === undefined && host !== undefined && !this.validHost(host))
      refusal = new BadRequestError("invalid Host header");
    if (refusal !== undefined) {
      exchange.refused = true;
      const accept = errorAccept(request, this.deps.apiApp);
      return exchange.stamp(renderError(refusal, accept, { exposeInternals: false }));
    }
    const response = dispatch(exchange);
    return response instanceof Promise ? response.then(stampOf(exchange)) : exchange.stamp(response);
  }

  /** The security headers a response of the app lacks, for its content type and protocol. */
  defaultsFor(response: FlagonResponse, protocol: "http" | "https"): readonly string[] | undefined {
    return this.parts.security.defaultsFor(response, protocol);
  }

  /** The request line, when the request log is on (writeRequestLine decides the level). */
  logLine(exchange: Exchange, aborted: boolean): void {
    if (!this.parts.requestLog) return;
    const { request } = exchange.ctx;
    writeRequestLine(this.parts.log, {
      reqId: exchange.id,
      method: request.method,
      url: request.url,
      status: exchange.wire.status,
      startedAt: exchange.startedAt,
      remoteAddress: exchange.remoteAddress,
      aborted,
    });
  }

  /** Request ids: a per-app random prefix and a counter. */
  private nextId(): string {
    this.requestCount += 1;
    return `${this.idPrefix}-${this.requestCount.toString(36)}`;
  }

  private validHost(host: string): boolean {
    if (host === this.lastHost) return true;
    if (!isValidHost(host)) return false;
    this.lastHost = host;
    return true;
  }
}

function stampOf(exchange: Exchange): (response: FlagonResponse) => Exchange {
  return (response) => exchange.stamp(response);
}

/** One request through the app: what dispatch carries from step to step, and the answer. */
export class Exchange implements Pass, Answer {
  readonly startedAt = performance.now();
  readonly deps: DispatchDeps;
  hooks: RouteHooks;
  route: CompiledRoute | undefined = undefined;
  serialize: ResponseSerializer | undefined = undefined;
  response: FlagonResponse | undefined = undefined;
  wire!: WireResponse;
  refused = false;
  private ended = false;

  constructor(
    private readonly door: FrontDoor,
    readonly ctx: Context,
    readonly id: string,
    /** The peer's address, for the request line. */
    readonly remoteAddress: string | undefined,
  ) {
    this.deps = door.deps;
    this.hooks = door.deps.unrouted;
  }

  /** 7. stamp, the last touch of every response: the request id, then the wire form. */
  stamp(response: FlagonResponse): Exchange {
    this.response = response;
    response.headers.setTrusted(REQUEST_ID_HEADER, this.id);
    const defaults = this.door.defaultsFor(response, this.ctx.request.protocol);
    this.wire = toWire(response, this.ctx.request.method, defaults);
    return this;
  }

  done(aborted = false): Promise<void> | undefined {
    if (this.ended) return undefined;
    this.ended = true;
    this.door.logLine(this, aborted);
    if (this.refused) return undefined;
    if (this.hooks.onResponse.length > 0) return onResponse(this);
    if (this.ctx.containerIfUsed !== undefined) return disposeContainer(this.ctx);
    return undefined;
  }
}

/** 9. onResponse, after the response was written; errors are logged, never sent. */
async function onResponse(exchange: Exchange): Promise<void> {
  const { ctx } = exchange;
  const response = exchange.response as FlagonResponse;
  for (const hook of exchange.hooks.onResponse) {
    try {
      const done = hook(ctx, response);
      if (isThenable(done)) await done;
    } catch (error) {
      ctx.log.error({ err: error }, "onResponse hook failed");
    }
  }
  await disposeContainer(ctx);
}

/** Disposes the request's container (`ctx.container`) if something made it; errors are logged. */
async function disposeContainer(ctx: Context): Promise<void> {
  try {
    await ctx.containerIfUsed?.dispose();
  } catch (error) {
    ctx.log.error({ err: error }, "disposing the request container failed");
  }
}
