import "reflect-metadata";
// Seam 3 of issue 10: interceptors (around-hooks), through the public API only. An interceptor
// gets (ctx, next); next() runs the rest of the chain and the handler (binders included) and
// resolves to the handler's value or rejects with its error; what the interceptor returns is the
// route's value. First registered is outermost, global before @UseHooks. A plugin runs the
// handler inside AsyncLocalStorage.run() or a transaction. Routes without interceptors keep the
// promise-free fast path.
import { AsyncLocalStorage } from "node:async_hooks";
import { connect } from "node:net";
import { Readable } from "node:stream";
import { describe, expect, test } from "vitest";
import {
  Controller,
  Ctx,
  ConflictError,
  Context,
  createParamDecorator,
  definePlugin,
  Flagon,
  FlagonResponse,
  Get,
  Injectable,
  NotFoundError,
  UseHooks,
  abort,
} from "@flagon/core";
import type { Interceptor, RawRequest } from "@flagon/core/plugin";

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function newApp(options: ConstructorParameters<typeof Flagon>[0] = {}): Flagon {
  return new Flagon({ logger: false, configFile: false, ...options });
}

describe("addInterceptor: next() and the value", () => {
  test("next() resolves to the handler's value; the interceptor's return value is the response", async () => {
    const app = newApp();
    const seen: unknown[] = [];
    app.addInterceptor(async (ctx, next) => {
      const value = await next();
      seen.push(value);
      return { wrapped: value, path: ctx.request.path };
    });
    app.get("/v", () => ({ n: 1 }));
    const res = await app.inject("/v");
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ wrapped: { n: 1 }, path: "/v" });
    expect(seen).toEqual([{ n: 1 }]);
  });

  test("returning next() as it is leaves the response unchanged (status, headers, FlagonResponse)", async () => {
    const app = newApp();
    app.addInterceptor((_ctx, next) => next());
    app.get("/plain", (ctx: Context) => {
      ctx.response.status = 201;
      ctx.response.headers.set("x-made", "yes");
      return "made";
    });
    app.get("/own", () => new FlagonResponse("own", { status: 202 }));
    const plain = await app.inject("/plain");
    expect([plain.statusCode, plain.body, plain.headers["x-made"]]).toEqual([201, "made", "yes"]);
    expect((await app.inject("/own")).statusCode).toBe(202);
  });

  test("an interceptor that never calls next() answers without the handler (a cache hit)", async () => {
    const app = newApp();
    let handled = 0;
    app.addInterceptor((ctx, next) => (ctx.request.query.get("cached") === "1" ? "from cache" : next()));
    app.get("/c", () => {
      handled++;
      return "fresh";
    });
    expect((await app.inject("/c?cached=1")).body).toBe("from cache");
    expect(handled).toBe(0);
    expect((await app.inject("/c")).body).toBe("fresh");
    expect(handled).toBe(1);
  });

  test("next() rejects with the handler's error: catch it and return a value, or throw another", async () => {
    const app = newApp();
    app.addInterceptor(async (ctx, next) => {
      try {
        return await next();
      } catch (error) {
        if (ctx.request.path === "/recover") return { recovered: (error as Error).message };
        if (ctx.request.path === "/replace") throw new ConflictError("short and stout");
        throw error;
      }
    });
    const boom = (): never => {
      throw new Error("boom");
    };
    app.get("/recover", boom);
    app.get("/replace", boom);
    app.get("/missing", () => abort(404));
    const recovered = await app.inject("/recover");
    expect([recovered.statusCode, recovered.json()]).toEqual([200, { recovered: "boom" }]);
    expect((await app.inject("/replace")).statusCode).toBe(409);
    expect((await app.inject("/missing")).statusCode).toBe(404);
  });

  test("an error thrown by an interceptor reaches onError hooks like a handler's", async () => {
    const app = newApp();
    const errors: unknown[] = [];
    app.addHook("onError", (_ctx, error) => {
      errors.push(error);
    });
    app.addInterceptor(() => {
      throw new NotFoundError("nothing here");
    });
    app.get("/x", () => "never");
    expect((await app.inject("/x")).statusCode).toBe(404);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(NotFoundError);
  });

  test("calling next() twice is a FLAGON_ERR_INTERCEPTOR error and the handler runs once", async () => {
    const app = newApp();
    let handled = 0;
    const errors: unknown[] = [];
    app.addHook("onError", (_ctx, error) => {
      errors.push(error);
    });
    app.addInterceptor(async function retryTwice(_ctx, next) {
      await next();
      return next();
    });
    app.get("/twice", () => {
      handled++;
      return "ok";
    });
    const res = await app.inject("/twice");
    expect(res.statusCode).toBe(500);
    expect(handled).toBe(1);
    expect(errors[0]).toMatchObject({ name: "FlagonError", code: "FLAGON_ERR_INTERCEPTOR" });
    expect(String((errors[0] as Error).message)).toContain("retryTwice");
  });

  test("a value replaced by an interceptor still goes through @Render-free conversion (undefined → 204)", async () => {
    const app = newApp();
    app.addInterceptor(async (_ctx, next) => {
      await next();
      return undefined;
    });
    app.get("/gone", () => ({ a: 1 }));
    expect((await app.inject("/gone")).statusCode).toBe(204);
  });

  test("preHandler hooks run before interceptors; a preHandler that answers skips them", async () => {
    const app = newApp();
    const log: string[] = [];
    app.addHook("preHandler", (ctx) => {
      log.push("preHandler");
      if (ctx.request.path === "/early") return "early";
    });
    app.addInterceptor(async (_ctx, next) => {
      log.push("intercept");
      return next();
    });
    app.get("/early", () => "never");
    app.get("/late", () => "handler");
    expect((await app.inject("/early")).body).toBe("early");
    expect(log).toEqual(["preHandler"]);
    log.length = 0;
    expect((await app.inject("/late")).body).toBe("handler");
    expect(log).toEqual(["preHandler", "intercept"]);
  });
});

describe("interceptor order and scope", () => {
  const log: string[] = [];
  const tracer =
    (name: string): Interceptor =>
    async (_ctx, next) => {
      log.push(`${name} in`);
      try {
        return await next();
      } finally {
        log.push(`${name} out`);
      }
    };

  @UseHooks({ intercept: tracer("class") })
  @Controller("/scoped")
  class Scoped {
    @UseHooks({ intercept: [tracer("method")] })
    @Get("/one")
    one(): string {
      log.push("handler");
      return "one";
    }

    @Get("/two")
    two(): string {
      log.push("handler");
      return "two";
    }
  }

  test("first registered is outermost; global (with appliesTo among them) before @UseHooks, class before method", async () => {
    const app = newApp({ controllers: [Scoped] });
    app.addInterceptor(tracer("global 1"));
    app.addInterceptor(tracer("only /scoped/one"), { appliesTo: (route) => route.path === "/scoped/one" });
    app.addInterceptor(tracer("global 2"));
    log.length = 0;
    expect((await app.inject("/scoped/one")).body).toBe("one");
    expect(log).toEqual([
      "global 1 in",
      "only /scoped/one in",
      "global 2 in",
      "class in",
      "method in",
      "handler",
      "method out",
      "class out",
      "global 2 out",
      "only /scoped/one out",
      "global 1 out",
    ]);
    log.length = 0;
    expect((await app.inject("/scoped/two")).body).toBe("two");
    expect(log).toEqual([
      "global 1 in",
      "global 2 in",
      "class in",
      "handler",
      "class out",
      "global 2 out",
      "global 1 out",
    ]);
  });

  test("appliesTo is asked once per route at start-up, never per request", async () => {
    const app = newApp();
    const asked: string[] = [];
    app.addInterceptor((_ctx, next) => next(), {
      appliesTo: (route) => {
        asked.push(route.path);
        return true;
      },
    });
    app.get("/a", () => "a");
    await app.inject("/a");
    await app.inject("/a");
    expect(asked).toEqual(["/a"]);
  });

  test("a plugin adds interceptors in its register(); they take the plugin's place in the order", async () => {
    const app = newApp();
    const order: string[] = [];
    app.register(
      definePlugin({
        name: "wrap-plugin",
        register(host) {
          host.addInterceptor(async (_ctx, next) => {
            order.push("plugin");
            return next();
          });
        },
      }),
    );
    app.addInterceptor(async (_ctx, next) => {
      order.push("app");
      return next();
    });
    app.get("/p", () => "p");
    expect((await app.inject("/p")).body).toBe("p");
    expect(order).toEqual(["plugin", "app"]);
  });

  test("addInterceptor after ready() is FLAGON_ERR_APP_STATE; a non-function is FLAGON_ERR_HOOK", async () => {
    const app = newApp();
    expect(() => app.addInterceptor("nope" as unknown as Interceptor)).toThrow(
      expect.objectContaining({ code: "FLAGON_ERR_HOOK" }),
    );
    await app.ready();
    expect(() => app.addInterceptor((_ctx, next) => next())).toThrow(
      expect.objectContaining({ code: "FLAGON_ERR_APP_STATE" }),
    );
  });
});

describe("a plugin runs the handler inside AsyncLocalStorage.run()", () => {
  const store = new AsyncLocalStorage<{ requestId: string }>();

  @Injectable()
  class Audit {
    who(): string {
      return store.getStore()?.requestId ?? "none";
    }
  }

  /** A parameter decorator reading the store: binders run inside the interceptors too. */
  const RequestIdFromStore = createParamDecorator(() => store.getStore()?.requestId ?? "none");

  @Controller("/als")
  class Als {
    constructor(private readonly audit: Audit) {}

    @Get("/<int:delay>")
    async show(@Ctx() ctx: Context, @RequestIdFromStore() bound: string): Promise<Record<string, string>> {
      const before = store.getStore()?.requestId ?? "none";
      await sleep(Number(ctx.request.params["delay"]));
      return { before, after: store.getStore()?.requestId ?? "none", bound, service: this.audit.who() };
    }
  }

  const alsPlugin = definePlugin({
    name: "als-plugin",
    register(app) {
      app.addInterceptor((ctx, next) =>
        store.run({ requestId: ctx.request.header("x-tag") ?? ctx.id }, next),
      );
    },
  });

  test("the store is seen by binders, the handler (across awaits) and the services it calls; concurrent requests keep their own", async () => {
    const app = newApp({ controllers: [Als], plugins: [alsPlugin] });
    app.get("/outside", () => store.getStore()?.requestId ?? "none");
    const [slow, fast] = await Promise.all([
      app.inject({ url: "/als/40", headers: { "x-tag": "slow" } }),
      app.inject({ url: "/als/1", headers: { "x-tag": "fast" } }),
    ]);
    expect(slow.json()).toEqual({ before: "slow", after: "slow", bound: "slow", service: "slow" });
    expect(fast.json()).toEqual({ before: "fast", after: "fast", bound: "fast", service: "fast" });
    expect(store.getStore()).toBeUndefined();
  });

  test("no leak across pipelined requests on one socket: each response carries its own id", async () => {
    const app = newApp({ plugins: [alsPlugin] });
    app.get("/echo/<int:delay>", async (ctx: Context) => {
      const first = store.getStore()?.requestId;
      await sleep(Number(ctx.request.params["delay"]));
      return { tag: ctx.request.header("x-tag"), first, last: store.getStore()?.requestId };
    });
    const { port } = await app.listen({ host: "127.0.0.1", port: 0 });
    try {
      const socket = connect(port, "127.0.0.1");
      const chunks: Buffer[] = [];
      socket.on("data", (chunk: Buffer) => chunks.push(chunk));
      const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
      await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
      // One write: both requests arrive together; the first one's handler is the slower.
      socket.write(
        "GET /echo/40 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Tag: req-one\r\n\r\n" +
          "GET /echo/1 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Tag: req-two\r\nConnection: close\r\n\r\n",
      );
      await closed;
      const wire = Buffer.concat(chunks).toString("latin1");
      const bodies = [...wire.matchAll(/\{[^}]*\}/g)].map((m) => JSON.parse(m[0]) as Record<string, string>);
      expect(bodies).toEqual([
        { tag: "req-one", first: "req-one", last: "req-one" },
        { tag: "req-two", first: "req-two", last: "req-two" },
      ]);
    } finally {
      await app.close();
    }
  });
});

describe("a plugin runs the handler in a transaction", () => {
  class FakeDb {
    readonly log: string[] = [];
    private open = 0;
    begin(): { commit(): void; rollback(): void } {
      const id = ++this.open;
      this.log.push(`begin ${id}`);
      return {
        commit: () => this.log.push(`commit ${id}`),
        rollback: () => this.log.push(`rollback ${id}`),
      };
    }
  }

  function transactionalApp(db: FakeDb): Flagon {
    const app = newApp();
    app.register(
      definePlugin({
        name: "tx-plugin",
        register(host) {
          host.addInterceptor(
            async (ctx, next) => {
              const tx = db.begin();
              ctx.state["tx"] = tx;
              try {
                const value = await next();
                tx.commit();
                return value;
              } catch (error) {
                tx.rollback();
                throw error;
              }
            },
            { appliesTo: (route) => route.method !== "GET" },
          );
        },
      }),
    );
    app.post("/ok", () => ({ saved: true }));
    app.post("/fail", () => {
      throw new ConflictError("no");
    });
    app.get("/read", () => "read");
    return app;
  }

  test("commit on success, rollback on a throw (and the error still answers); untouched routes open none", async () => {
    const db = new FakeDb();
    const app = transactionalApp(db);
    expect((await app.inject({ method: "POST", url: "/ok" })).json()).toEqual({ saved: true });
    expect((await app.inject({ method: "POST", url: "/fail" })).statusCode).toBe(409);
    expect((await app.inject("/read")).body).toBe("read");
    expect(db.log).toEqual(["begin 1", "commit 1", "begin 2", "rollback 2"]);
  });
});

describe("interceptors and the fast path", () => {
  function raw(url: string): RawRequest {
    return {
      method: "GET",
      url,
      headers: { host: "localhost" },
      body: Readable.from([]),
      remoteAddress: "127.0.0.1",
      encrypted: false,
    };
  }

  test("a route without interceptors still answers synchronously beside one that has them", async () => {
    const app = newApp();
    app.addInterceptor((_ctx, next) => next(), { appliesTo: (route) => route.path === "/wrapped" });
    app.get("/plain", () => "plain");
    app.get("/wrapped", () => "wrapped");
    await app.ready();
    const plain = app.handle(raw("/plain"));
    expect(plain).not.toBeInstanceOf(Promise);
    expect((plain as Awaited<typeof plain>).wire.body).toBe("plain");
    const wrapped = app.handle(raw("/wrapped"));
    expect(wrapped).toBeInstanceOf(Promise);
    expect((await wrapped).wire.body).toBe("wrapped");
  });
});
