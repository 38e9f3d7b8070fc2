import "reflect-metadata";
// Seam 4 (second half) of issue 10: ctx.container, through the public API only. It is the
// request's child of app.container, the one request-scoped controllers are resolved from, so a
// plugin's hooks and interceptors resolve a request-scoped token and get the controller's
// instance. It is made on first read and disposed after the response; the app's container does
// not grow with requests.
import { Readable } from "node:stream";
import { describe, expect, test } from "vitest";
import { Context, Controller, definePlugin, Flagon, Get, Injectable } from "@flagon/core";
import type { RawRequest } from "@flagon/core/plugin";

let made = 0;
const disposed: number[] = [];

/** A plugin's request-scoped service: one per request, injected with the request's Context. */
@Injectable({ scope: "request" })
class RequestBag {
  readonly serial = ++made;
  readonly seenBy: string[] = [];
  constructor(readonly ctx: Context) {}
  dispose(): void {
    disposed.push(this.serial);
  }
}

const bagPlugin = definePlugin({
  name: "bag-plugin",
  register(app) {
    app.provide(RequestBag);
    app.addHook("preHandler", (ctx) => {
      ctx.container.resolve(RequestBag).seenBy.push("preHandler");
    });
    app.addInterceptor(async (ctx, next) => {
      ctx.container.resolve(RequestBag).seenBy.push("interceptor");
      return next();
    });
    app.addHook("onSend", (ctx, response) => {
      const bag = ctx.container.resolve(RequestBag);
      response.headers.set("x-bag", `${bag.serial}:${bag.seenBy.join(",")}`);
    });
  },
});

@Controller("/bag")
class BagController {
  constructor(private readonly bag: RequestBag) {}

  @Get("/")
  show(): Record<string, unknown> {
    this.bag.seenBy.push("controller");
    return { serial: this.bag.serial, sameContext: this.bag.ctx.container.resolve(RequestBag) === this.bag };
  }
}

function newApp(): Flagon {
  return new Flagon({ logger: false, configFile: false, controllers: [BagController], plugins: [bagPlugin] });
}

/** The number of registrations in a tsyringe container (its private registry; no public count). */
function registrations(container: Flagon["container"]): number {
  const registry = (container as unknown as { _registry?: { _registryMap?: Map<unknown, unknown> } })
    ._registry;
  return registry?._registryMap?.size ?? -1;
}

describe("ctx.container", () => {
  test("a hook, an interceptor and the request-scoped controller share one instance per request", async () => {
    const app = newApp();
    const one = await app.inject("/bag/");
    const two = await app.inject("/bag/");
    const a = one.json<{ serial: number; sameContext: boolean }>();
    const b = two.json<{ serial: number; sameContext: boolean }>();
    expect(a.sameContext).toBe(true);
    expect(b.sameContext).toBe(true);
    expect(a.serial).not.toBe(b.serial);
    expect(one.headers["x-bag"]).toBe(`${a.serial}:preHandler,interceptor,controller`);
    expect(two.headers["x-bag"]).toBe(`${b.serial}:preHandler,interceptor,controller`);
  });

  test("Context resolves to the request's own context there, never in app.container", async () => {
    const app = new Flagon({ logger: false, configFile: false });
    app.get("/c", (ctx: Context) => ({ same: ctx.container.resolve(Context) === ctx }));
    expect((await app.inject("/c")).json()).toEqual({ same: true });
    expect(app.container.isRegistered(Context)).toBe(false);
  });

  test("a singleton resolved from ctx.container is the app's singleton", async () => {
    @Injectable()
    class Counter {
      n = 0;
    }
    const app = new Flagon({ logger: false, configFile: false, providers: [Counter] });
    app.get("/n", (ctx: Context) => ++ctx.container.resolve(Counter).n);
    await app.inject("/n");
    expect((await app.inject("/n")).body).toBe("2");
    expect(app.container.resolve(Counter).n).toBe(2);
  });

  test("disposed after the response, after onResponse hooks (which may still resolve from it)", async () => {
    const app = newApp();
    const events: string[] = [];
    app.addHook("onResponse", (ctx) => {
      const bag = ctx.container.resolve(RequestBag);
      events.push(`onResponse ${bag.serial}, disposed ${disposed.includes(bag.serial)}`);
    });
    disposed.length = 0;
    const res = await app.inject("/bag/");
    const { serial } = res.json<{ serial: number }>();
    expect(events).toEqual([`onResponse ${serial}, disposed false`]);
    expect(disposed).toEqual([serial]);
  });

  test("a container first read by a function route is disposed too", async () => {
    const app = newApp();
    app.get("/fn", (ctx: Context) => ctx.container.resolve(RequestBag).serial);
    disposed.length = 0;
    const res = await app.inject("/fn");
    expect(disposed).toEqual([Number(res.body)]);
  });

  test("1,000 requests leave the app's container with the registrations it had", async () => {
    const app = newApp();
    await app.inject("/bag/");
    const before = registrations(app.container);
    expect(before).toBeGreaterThan(0);
    disposed.length = 0;
    for (let i = 0; i < 1000; i++) await app.inject("/bag/");
    expect(registrations(app.container)).toBe(before);
    expect(disposed).toHaveLength(1000);
    expect(app.container.isRegistered(Context)).toBe(false);
  });

  test("a request-scoped controller whose handler is synchronous answers without a promise", async () => {
    const plain = new Flagon({ logger: false, configFile: false, controllers: [BagController] });
    plain.provide(RequestBag);
    await plain.ready();
    const raw: RawRequest = {
      method: "GET",
      url: "/bag/",
      headers: { host: "localhost" },
      body: Readable.from([]),
      remoteAddress: "127.0.0.1",
      encrypted: false,
    };
    disposed.length = 0;
    const answered = plain.handle(raw);
    expect(answered).not.toBeInstanceOf(Promise);
    const answer = answered as Awaited<typeof answered>;
    const { serial } = JSON.parse(answer.wire.body as string) as { serial: number };
    expect(disposed).toEqual([]); // not before the response was written
    await answer.done();
    expect(disposed).toEqual([serial]);
  });
});
