import "reflect-metadata";
// RELIABILITY row 34, no state shared between requests, over real sockets: 1k requests in flight
// at once, each with its own random path parameters, query, header, session value and
// request-scoped DI object, each handler pausing at random points (before and after loading the
// session) so the requests interleave; every response must echo only its own values, and no
// request-scoped instance is ever reused. fast-check generates the values (a fixed seed, printed,
// so a failure replays). Narrower versions: test/conformance/di.test.ts ("request-scoped instances
// do not leak between concurrent requests", 20 requests, inject) and test/web/sessions.test.ts
// ("no state shared between requests", 500 sessions, inject).
import http from "node:http";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { Context, Controller, Ctx, Get, Header, Injectable, Param, Query } from "@flagon/core";
import { harness, HOST } from "../socket/helpers.js";
import { envNumber, report, sleep } from "./helpers.js";

const h = harness();
afterEach(() => h.cleanup());

const REQUESTS = 1000;
const SEED = envNumber("LEAKS_SEED", 20_260_034);

let created = 0;
/** Handlers running at once, as the server saw it. */
const handlers = { running: 0, peak: 0 };

@Injectable({ scope: "request" })
class RequestScoped {
  readonly serial = ++created;
  readonly tag: string | undefined;
  constructor(readonly ctx: Context) {
    this.tag = ctx.request.header("x-tag");
  }
}

@Injectable({ scope: "request" })
class Auditor {
  constructor(readonly scoped: RequestScoped) {}
}

@Controller("/echo")
class EchoController {
  constructor(
    private readonly scoped: RequestScoped,
    private readonly auditor: Auditor,
  ) {}

  @Get("/<name>/<int:n>")
  async echo(
    @Param("name") name: string,
    @Param("n") n: number,
    @Query("q") q: string,
    @Header("x-tag") tag: string,
    @Query("d1") d1: string,
    @Query("d2") d2: string,
    @Ctx() ctx: Context,
  ) {
    handlers.peak = Math.max(handlers.peak, ++handlers.running);
    ctx.state["tag"] = tag;
    await sleep(Number(d1));
    const session = await ctx.session();
    await sleep(Number(d2));
    handlers.running -= 1;
    return {
      name,
      n,
      q,
      tag,
      params: ctx.request.params,
      state: ctx.state["tag"],
      session: session.get("who") ?? null,
      scopedTag: this.scoped.tag,
      scopedPath: this.scoped.ctx.request.path,
      scopedSerial: this.scoped.serial,
      sameScopeWithinRequest: this.auditor.scoped === this.scoped,
    };
  }
}

interface Reply {
  status: number;
  cookie: string | undefined;
  body: string;
}

function call(
  agent: http.Agent,
  port: number,
  path: string,
  headers: http.OutgoingHttpHeaders = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: HOST, port, path, agent, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => {
        const cookie = res.headers["set-cookie"]?.[0]?.split(";")[0];
        resolve({ status: res.statusCode ?? 0, cookie, body });
      });
    });
    req.on("error", reject);
  });
}

/** encodeURIComponent, plus the dots that it leaves alone (a name of ".." stays one segment). */
const encode = (value: string): string => encodeURIComponent(value).replace(/\./g, "%2E");

const visitor = fc.record({
  name: fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 }),
  n: fc.nat({ max: 1_000_000 }),
  q: fc.string({ unit: "grapheme", maxLength: 16 }),
  who: fc.string({ unit: "grapheme", maxLength: 24 }),
  tagSuffix: fc.stringMatching(/^[a-z0-9]{0,8}$/),
  d1: fc.integer({ min: 0, max: 15 }),
  d2: fc.integer({ min: 0, max: 15 }),
});

describe.each(["cookie", "memory"] as const)("row 34: no cross-request leaks (%s sessions)", (store) => {
  it(
    `34: ${REQUESTS} interleaved concurrent requests each echo only their own params, query, session and request-scoped object`,
    { timeout: 60_000 },
    async () => {
      const app = h.app({
        controllers: [EchoController],
        config: { secretKey: "a-secret-key-for-the-leak-test-0123456789", session: { store }, static: false },
      });
      app.get("/login", async (ctx) => {
        (await ctx.session()).set("who", ctx.request.query.get("who"));
        return { ok: true };
      });
      const port = await h.listen(app);
      const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
      h.defer(() => agent.destroy());

      let runs = 0;
      handlers.peak = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(visitor, { minLength: REQUESTS, maxLength: REQUESTS }),
          async (visitors) => {
            runs += 1;
            // Each visitor logs in first (its own session), then all of them call /echo at once.
            const cookies = await Promise.all(
              visitors.map(async (v) => {
                const reply = await call(agent, port, `/login?who=${encode(v.who)}`);
                expect(reply.status).toBe(200);
                return reply.cookie;
              }),
            );
            const firstSerial = created + 1;
            const replies = await Promise.all(
              visitors.map(async (v, i) => {
                const tag = `t${i}-${v.tagSuffix}`;
                const path = `/echo/${encode(v.name)}/${v.n}?q=${encode(v.q)}&d1=${v.d1}&d2=${v.d2}`;
                const reply = await call(agent, port, path, { "x-tag": tag, cookie: cookies[i] ?? "" });
                return { reply, tag, path: `/echo/${encode(v.name)}/${v.n}` };
              }),
            );
            const serials = new Set<number>();
            replies.forEach(({ reply, tag, path }, i) => {
              const v = visitors[i]!;
              expect(reply.status, reply.body).toBe(200);
              const body = JSON.parse(reply.body) as Record<string, unknown>;
              expect(body).toEqual({
                name: v.name,
                n: v.n,
                q: v.q,
                tag,
                params: { name: v.name, n: v.n },
                state: tag,
                session: v.who,
                scopedTag: tag,
                scopedPath: path,
                scopedSerial: body["scopedSerial"],
                sameScopeWithinRequest: true,
              });
              serials.add(body["scopedSerial"] as number);
              expect(body["scopedSerial"]).toBeGreaterThanOrEqual(firstSerial);
            });
            // A fresh request-scoped instance for every request: none reused.
            expect(serials.size).toBe(REQUESTS);
          },
        ),
        { numRuns: 1, seed: SEED, endOnFailure: true },
      );
      report(
        34,
        `${store} sessions: ${runs} runs × ${REQUESTS} requests (up to ${handlers.peak} handlers in flight at once, seed ${SEED}): 0 leaks, ${runs * REQUESTS} distinct request-scoped instances`,
      );
    },
  );
});
