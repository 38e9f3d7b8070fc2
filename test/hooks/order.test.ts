import "reflect-metadata";
import { beforeEach, describe, expect, test } from "vitest";
import {
  ConflictError,
  Controller,
  Flagon,
  FlagonResponse,
  ForbiddenError,
  Get,
  HttpError,
  MethodNotAllowedError,
  NotFoundError,
  UseHooks,
  abort,
  json,
  stream,
  text,
  type Context,
} from "@flagon/core";
import { collectingLogger, loggedError, setupError } from "./helpers.js";

// One request's life as hooks see it: every request hook, in order, around the handler; an error
// thrown at each stage; an early answer at each entry stage; onError's answers; onResponse as
// teardown; which hooks requests without a route see; when appliesTo is asked.

const JSON_ACCEPT = { accept: "application/json" };

/** Names of what ran, in order; reset before each test (decorated classes below push here too). */
let events: string[] = [];
const record =
  (name: string) =>
  (..._args: unknown[]): undefined => {
    events.push(name);
    return undefined;
  };

beforeEach(() => {
  events = [];
});

describe("request hooks run in a fixed order around the handler", () => {
  test("onRequest and preHandler in registration order, then the handler, then onSend and onResponse in reverse", async () => {
    const app = new Flagon();
    app.addHook("onSend", record("onSend 1"));
    app.addHook("onRequest", record("onRequest 1"));
    app.addHook("onResponse", record("onResponse 1"));
    app.addHook("preHandler", record("preHandler 1"));
    app.addHook("onRequest", record("onRequest 2"));
    app.addHook("preHandler", record("preHandler 2"));
    app.addHook("onSend", record("onSend 2"));
    app.addHook("onResponse", record("onResponse 2"));
    app.get("/", () => {
      events.push("handler");
      return "ok";
    });

    const res = await app.inject("/");

    expect(res.statusCode).toBe(200);
    expect(res.body).toBe("ok");
    expect(events).toEqual([
      "onRequest 1",
      "onRequest 2",
      "preHandler 1",
      "preHandler 2",
      "handler",
      "onSend 2",
      "onSend 1",
      "onResponse 2",
      "onResponse 1",
    ]);
  });

  test("hooks get the context; preHandler sees the matched route and converted params", async () => {
    const app = new Flagon();
    const seen: unknown[] = [];
    app.addHook("onRequest", (ctx) => {
      seen.push(["onRequest", ctx.route?.endpoint, ctx.request.path]);
      ctx.state["fromOnRequest"] = 1;
    });
    app.addHook("preHandler", (ctx) => {
      seen.push(["preHandler", ctx.route?.endpoint, ctx.request.params["id"], ctx.state["fromOnRequest"]]);
    });
    app.get("/items/<int:id>", function item(ctx: Context) {
      return { id: ctx.request.params["id"] };
    });

    const res = await app.inject("/items/7");

    expect(res.json()).toEqual({ id: 7 });
    expect(seen).toEqual([
      ["onRequest", undefined, "/items/7"],
      ["preHandler", "item", 7, 1],
    ]);
  });

  test("onSend sees each response in turn and may change it or replace it; onResponse gets the final one", async () => {
    const app = new Flagon();
    const statuses: unknown[] = [];
    // Registered first, so it runs last and sees what the later-registered hook returned.
    app.addHook("onSend", (_ctx, response) => {
      statuses.push(["outer onSend", response.status]);
      response.headers.set("x-outer", "yes");
    });
    app.addHook("onSend", (_ctx, response) => {
      statuses.push(["inner onSend", response.status]);
      return text("replaced", { status: 201 });
    });
    app.addHook("onResponse", (_ctx, response) => {
      statuses.push(["onResponse", response.status]);
    });
    app.get("/", () => "original");

    const res = await app.inject("/");

    expect(res.statusCode).toBe(201);
    expect(res.body).toBe("replaced");
    expect(res.headers["content-type"]).toMatch(/^text\/plain/);
    expect(res.headers["x-outer"]).toBe("yes");
    expect(statuses).toEqual([
      ["inner onSend", 200],
      ["outer onSend", 201],
      ["onResponse", 201],
    ]);
  });

  test("a route runs global hooks (appliesTo ones in registration order), then its controller's, then its method's; exit hooks in reverse", async () => {
    @UseHooks({
      preHandler: [record("class pre A"), record("class pre B")],
      onSend: [record("class send A"), record("class send B")],
      onResponse: record("class response"),
    })
    @Controller("/scoped")
    class Scoped {
      @UseHooks({
        preHandler: record("method pre"),
        onSend: record("method send"),
        onResponse: record("method response"),
      })
      @Get("/")
      show() {
        events.push("handler");
        return "ok";
      }

      @Get("/plain")
      plain() {
        events.push("handler");
        return "ok";
      }
    }

    const app = new Flagon({ controllers: [Scoped] });
    const onlyShow = { appliesTo: (route: { endpoint: string }) => route.endpoint === "Scoped.show" };
    app.addHook("preHandler", record("global pre 1"));
    app.addHook("preHandler", record("appliesTo pre"), onlyShow);
    app.addHook("preHandler", record("global pre 2"));
    app.addHook("onSend", record("global send 1"));
    app.addHook("onSend", record("appliesTo send"), onlyShow);
    app.addHook("onSend", record("global send 2"));
    app.addHook("onResponse", record("global response 1"));
    app.addHook("onResponse", record("appliesTo response"), onlyShow);

    expect((await app.inject("/scoped/")).statusCode).toBe(200);
    expect(events).toEqual([
      "global pre 1",
      "appliesTo pre",
      "global pre 2",
      "class pre A",
      "class pre B",
      "method pre",
      "handler",
      "method send",
      "class send B",
      "class send A",
      "global send 2",
      "appliesTo send",
      "global send 1",
      "method response",
      "class response",
      "appliesTo response",
      "global response 1",
    ]);

    events = [];
    expect((await app.inject("/scoped/plain")).statusCode).toBe(200);
    expect(events).toEqual([
      "global pre 1",
      "global pre 2",
      "class pre A",
      "class pre B",
      "handler",
      "class send B",
      "class send A",
      "global send 2",
      "global send 1",
      "class response",
      "global response 1",
    ]);
  });

  test("@UseHooks on one controller does not leak to another controller's routes", async () => {
    @UseHooks({ preHandler: record("guarded pre") })
    @Controller("/guarded")
    class Guarded {
      @Get() show() {
        return "guarded";
      }
    }
    @Controller("/open")
    class Open {
      @Get() show() {
        return "open";
      }
    }
    const app = new Flagon({ controllers: [Guarded, Open] });

    await app.inject("/open");
    expect(events).toEqual([]);
    await app.inject("/guarded");
    expect(events).toEqual(["guarded pre"]);
  });
});

describe("an error thrown at each stage", () => {
  type Stage = "onRequest" | "preHandler" | "handler" | "onSend";

  function appThrowingAt(stage: Stage, boom: Error) {
    const errors: unknown[] = [];
    const app = new Flagon();
    app.addHook("onRequest", () => {
      events.push("onRequest");
      if (stage === "onRequest") throw boom;
    });
    app.addHook("preHandler", () => {
      events.push("preHandler");
      if (stage === "preHandler") throw boom;
    });
    // Throws only for the handler's response: were onSend re-run for the error response, it
    // would be recorded a second time.
    app.addHook("onSend", (_ctx, response) => {
      events.push(`onSend ${response.status}`);
      if (stage === "onSend" && response.status === 200) throw boom;
    });
    app.addHook("onError", (_ctx, error) => {
      events.push("onError");
      errors.push(error);
    });
    app.addHook("onResponse", (_ctx, response) => {
      events.push(`onResponse ${response.status}`);
    });
    app.get("/", () => {
      events.push("handler");
      if (stage === "handler") throw boom;
      return "ok";
    });
    return { app, errors };
  }

  test.each<[Stage, string[]]>([
    ["onRequest", ["onRequest", "onError", "onSend 500", "onResponse 500"]],
    ["preHandler", ["onRequest", "preHandler", "onError", "onSend 500", "onResponse 500"]],
    ["handler", ["onRequest", "preHandler", "handler", "onError", "onSend 500", "onResponse 500"]],
    // onSend threw: the error response is not passed through onSend again.
    ["onSend", ["onRequest", "preHandler", "handler", "onSend 200", "onError", "onResponse 500"]],
  ])(
    "thrown in %s: onError sees that error, a 500 is sent, onSend runs for it (unless onSend threw), onResponse runs",
    async (stage, expected) => {
      const boom = new Error(`boom in ${stage}`);
      const { app, errors } = appThrowingAt(stage, boom);

      const res = await app.inject({ url: "/", headers: JSON_ACCEPT });

      expect(events).toEqual(expected);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toBe(boom);
      expect(res.statusCode).toBe(500);
      expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({ status: 500 });
      expect(res.body).not.toContain(`boom in ${stage}`);
    },
  );

  test("routing's 404 reaches onError as a NotFoundError; onSend and onResponse see the 404 response", async () => {
    const errors: unknown[] = [];
    const app = new Flagon();
    app.addHook("onRequest", record("onRequest"));
    app.addHook("onError", (_ctx, error) => {
      events.push("onError");
      errors.push(error);
    });
    app.addHook("onSend", (_ctx, response) => {
      events.push(`onSend ${response.status}`);
    });
    app.addHook("onResponse", (_ctx, response) => {
      events.push(`onResponse ${response.status}`);
    });
    app.get("/", () => "home");

    const res = await app.inject({ url: "/nowhere", headers: JSON_ACCEPT });

    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ status: 404 });
    expect(events).toEqual(["onRequest", "onError", "onSend 404", "onResponse 404"]);
    expect(errors[0]).toBeInstanceOf(NotFoundError);
    expect((errors[0] as HttpError).status).toBe(404);
  });

  test("routing's 405 reaches onError as a MethodNotAllowedError and keeps its Allow header", async () => {
    const errors: unknown[] = [];
    const app = new Flagon();
    app.addHook("onError", (_ctx, error) => {
      errors.push(error);
    });
    app.addHook("onSend", (_ctx, response) => {
      events.push(`onSend ${response.status}`);
    });
    app.get("/", () => "home");

    const res = await app.inject({ method: "DELETE", url: "/" });

    expect(res.statusCode).toBe(405);
    expect(res.headers["allow"]).toBeDefined();
    expect(errors[0]).toBeInstanceOf(MethodNotAllowedError);
    expect(events).toEqual(["onSend 405"]);
  });

  test("an HttpError from the handler reaches onError unchanged and keeps its status", async () => {
    const errors: unknown[] = [];
    const app = new Flagon();
    app.addHook("onError", (_ctx, error) => {
      errors.push(error);
    });
    app.get("/", () => abort(403, "members only"));

    const res = await app.inject({ url: "/", headers: JSON_ACCEPT });

    expect(res.statusCode).toBe(403);
    expect(errors[0]).toBeInstanceOf(ForbiddenError);
    expect(res.json()).toMatchObject({ status: 403, detail: "members only" });
  });

  test("a throw in a route's preHandler reaches the onError of that route's @UseHooks, which may answer", async () => {
    const boom = new Error("scoped boom");
    const seen: unknown[] = [];
    @Controller("/c")
    class C {
      @UseHooks({
        preHandler: () => {
          throw boom;
        },
        onError: (_ctx: Context, error: unknown) => {
          seen.push(error);
          return json({ handledBy: "method onError" }, { status: 400 });
        },
      })
      @Get()
      show() {
        return "unreachable";
      }
    }
    const app = new Flagon({ controllers: [C] });

    const res = await app.inject("/c");

    expect(seen).toEqual([boom]);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ handledBy: "method onError" });
  });
});

describe("an early answer skips the stages after it", () => {
  test("a value returned by onRequest is the response: later onRequest hooks, routing, preHandler and the handler are skipped; onSend and onResponse run", async () => {
    const app = new Flagon();
    app.addHook("onRequest", () => {
      events.push("onRequest 1");
      return "early from onRequest";
    });
    app.addHook("onRequest", record("onRequest 2"));
    app.addHook("preHandler", record("preHandler"));
    app.addHook("onSend", (_ctx, response) => {
      events.push(`onSend ${response.status}`);
    });
    app.addHook("onResponse", record("onResponse"));
    app.get("/", () => {
      events.push("handler");
      return "handler";
    });

    const res = await app.inject("/");

    expect(res.statusCode).toBe(200);
    expect(res.body).toBe("early from onRequest");
    expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(events).toEqual(["onRequest 1", "onSend 200", "onResponse"]);
  });

  test("onRequest answers even for a URL no route matches (no 404, since routing never ran)", async () => {
    const app = new Flagon();
    const errors: unknown[] = [];
    app.addHook("onRequest", () => ({ maintenance: true }));
    app.addHook("onError", (_ctx, error) => {
      errors.push(error);
    });

    const res = await app.inject("/no/such/route");

    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ maintenance: true });
    expect(errors).toEqual([]);
  });

  test("a value returned by preHandler is the response, with the status set on ctx.response: later preHandlers and the handler are skipped; onSend and onResponse run", async () => {
    @UseHooks({
      preHandler: record("class pre"),
      onSend: record("class send"),
      onResponse: record("class response"),
    })
    @Controller("/guarded")
    class Guarded {
      @Get()
      show() {
        events.push("handler");
        return "secret";
      }
    }
    const app = new Flagon({ controllers: [Guarded] });
    app.addHook("onRequest", record("onRequest"));
    app.addHook("preHandler", (ctx) => {
      events.push("preHandler 1");
      ctx.response.status = 401;
      return { error: "log in first" };
    });
    app.addHook("preHandler", record("preHandler 2"));
    app.addHook("onSend", (_ctx, response) => {
      events.push(`onSend ${response.status}`);
    });
    app.addHook("onResponse", record("onResponse"));

    const res = await app.inject("/guarded");

    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: "log in first" });
    expect(events).toEqual([
      "onRequest",
      "preHandler 1",
      "class send",
      "onSend 401",
      "class response",
      "onResponse",
    ]);
  });

  test("an early answer may be a FlagonResponse, sent as built", async () => {
    const app = new Flagon();
    app.addHook(
      "preHandler",
      () => new FlagonResponse("cached", { status: 203, headers: { "x-cache": "hit" } }),
    );
    app.get("/", () => "fresh");

    const res = await app.inject("/");

    expect(res.statusCode).toBe(203);
    expect(res.body).toBe("cached");
    expect(res.headers["x-cache"]).toBe("hit");
  });
});

describe("onError answers", () => {
  test("a value returned by onError is the response, with the error's status; the app's error handler is not asked", async () => {
    const app = new Flagon();
    let handlerCalls = 0;
    app.setErrorHandler(409, () => {
      handlerCalls += 1;
      return "from setErrorHandler";
    });
    app.addHook("onError", record("onError 1"));
    app.addHook("onError", (_ctx, error) => {
      events.push("onError 2");
      return { handledBy: "onError", message: (error as Error).message };
    });
    app.get("/", () => {
      throw new ConflictError("name taken");
    });

    const res = await app.inject("/");

    expect(res.statusCode).toBe(409);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    expect(res.json()).toEqual({ handledBy: "onError", message: "name taken" });
    expect(events.slice(0, 2)).toEqual(["onError 1", "onError 2"]);
    expect(handlerCalls).toBe(0);
  });

  test("a plain Error answered by onError gets status 500 unless the hook says otherwise", async () => {
    const app = new Flagon();
    app.addHook("onError", (ctx, error) => {
      if ((error as Error).message === "teapot") ctx.response.status = 418;
      return "handled";
    });
    app.get("/500", () => {
      throw new Error("plain");
    });
    app.get("/418", () => {
      throw new Error("teapot");
    });

    expect((await app.inject("/500")).statusCode).toBe(500);
    const res = await app.inject("/418");
    expect(res.statusCode).toBe(418);
    expect(res.body).toBe("handled");
  });

  test("onError returning undefined falls through to app.setErrorHandler", async () => {
    const app = new Flagon();
    app.addHook("onError", record("onError"));
    app.setErrorHandler(ConflictError, (error) => `custom page: ${(error as Error).message}`);
    app.get("/", () => {
      throw new ConflictError("name taken");
    });

    const res = await app.inject("/");

    expect(events).toEqual(["onError"]);
    expect(res.statusCode).toBe(409);
    expect(res.body).toBe("custom page: name taken");
  });

  test("onError returning undefined with no error handler falls through to the default problem page", async () => {
    const app = new Flagon();
    app.addHook("onError", record("onError"));
    app.get("/", () => {
      throw new ConflictError("name taken");
    });

    const res = await app.inject({ url: "/", headers: JSON_ACCEPT });

    expect(events).toEqual(["onError"]);
    expect(res.statusCode).toBe(409);
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status: 409, detail: "name taken" });
  });
});

describe("onResponse is teardown", () => {
  test("a throwing onResponse is logged, not sent: the response is unchanged, the other onResponse hooks run, inject resolves", async () => {
    const { logger, lines } = collectingLogger();
    const app = new Flagon({ logger });
    app.addHook("onResponse", record("onResponse registered first"));
    app.addHook("onResponse", () => {
      events.push("throwing onResponse");
      throw new Error("boom in onResponse");
    });
    app.get("/", () => "fine");

    const res = await app.inject("/");

    expect(res.statusCode).toBe(200);
    expect(res.body).toBe("fine");
    expect(events).toEqual(["throwing onResponse", "onResponse registered first"]);
    expect(loggedError(lines, "boom in onResponse")).toBe(true);
  });

  test("onResponse runs after the body was produced: a streamed body is fully read before it", async () => {
    const app = new Flagon();
    app.addHook("onResponse", record("onResponse"));
    app.addHook("onSend", record("onSend"));
    app.get("/stream", () =>
      stream(
        (async function* () {
          events.push("chunk 1");
          yield "a";
          events.push("chunk 2");
          yield "b";
          events.push("body done");
        })(),
      ),
    );

    const res = await app.inject("/stream");

    expect(res.body).toBe("ab");
    expect(events).toEqual(["onSend", "chunk 1", "chunk 2", "body done", "onResponse"]);
  });

  test("onResponse runs after an error response and after an early answer", async () => {
    const app = new Flagon();
    app.addHook("preHandler", (ctx) => (ctx.request.path === "/early" ? "early" : undefined));
    app.addHook("onResponse", (_ctx, response) => {
      events.push(`onResponse ${response.status}`);
    });
    app.get("/early", () => "late");
    app.get("/fail", () => {
      throw new Error("fail");
    });

    await app.inject("/early");
    await app.inject("/fail");
    await app.inject("/missing");

    expect(events).toEqual(["onResponse 200", "onResponse 500", "onResponse 404"]);
  });
});

describe("requests that match no route", () => {
  @UseHooks({
    onSend: record("class send"),
    onError: record("class error"),
    onResponse: record("class response"),
  })
  @Controller("/things")
  class Things {
    @Get("/")
    list() {
      events.push("handler");
      return [];
    }
  }

  function appWithScopes() {
    const app = new Flagon({ controllers: [Things] });
    const always = { appliesTo: () => true };
    app.addHook("onRequest", record("onRequest"));
    app.addHook("onError", record("global error"));
    app.addHook("onError", record("appliesTo error"), always);
    app.addHook("onSend", record("global send"));
    app.addHook("onSend", record("appliesTo send"), always);
    app.addHook("onResponse", record("global response"));
    app.addHook("onResponse", record("appliesTo response"), always);
    return app;
  }

  test.each<[string, string, string, number, string[]]>([
    ["404", "GET", "/nowhere", 404, ["onRequest", "global error", "global send", "global response"]],
    ["405", "DELETE", "/things/", 405, ["onRequest", "global error", "global send", "global response"]],
    ["automatic OPTIONS", "OPTIONS", "/things/", 200, ["onRequest", "global send", "global response"]],
    ["trailing-slash redirect", "GET", "/things", 308, ["onRequest", "global send", "global response"]],
  ])("a %s sees only global hooks without appliesTo", async (_what, method, url, status, expected) => {
    const app = appWithScopes();

    const res = await app.inject({ method, url });

    expect(res.statusCode).toBe(status);
    expect(events).toEqual(expected);
  });

  test("the same app's matched route sees all its hooks (control for the cases above)", async () => {
    const app = appWithScopes();

    await app.inject("/things/");

    expect(events).toEqual([
      "onRequest",
      "handler",
      "class send",
      "appliesTo send",
      "global send",
      "class response",
      "appliesTo response",
      "global response",
    ]);
  });
});

describe("scoping is decided at start-up", () => {
  test("appliesTo is asked once per route and method during ready(), never per request", async () => {
    const asked: string[] = [];
    const app = new Flagon();
    app.addHook("preHandler", record("limited pre"), {
      appliesTo: (route) => {
        asked.push(`${route.method} ${route.path}`);
        return route.path === "/a";
      },
    });
    app.post("/a", () => "a");
    app.post("/b", () => "b");
    app.route("/c", ["PUT", "PATCH"], () => "c");

    await app.ready();
    expect([...asked].sort()).toEqual(["PATCH /c", "POST /a", "POST /b", "PUT /c"]);

    for (let i = 0; i < 3; i += 1) {
      await app.inject({ method: "POST", url: "/a" });
      await app.inject({ method: "POST", url: "/b" });
      await app.inject({ method: "PUT", url: "/c" });
    }
    expect(asked).toHaveLength(4);
    expect(events).toEqual(["limited pre", "limited pre", "limited pre"]);
  });

  test("onRequest limited with appliesTo is refused with FLAGON_ERR_HOOK", async () => {
    const error = await setupError(() => {
      const app = new Flagon();
      app.addHook("onRequest", record("x"), { appliesTo: () => true });
      return app;
    });
    expect(error.code).toBe("FLAGON_ERR_HOOK");
    expect(error.message).toContain("onRequest");
  });

  test("onRequest inside @UseHooks on a class is refused with FLAGON_ERR_HOOK", async () => {
    const error = await setupError(() => {
      @UseHooks({ onRequest: record("x") } as unknown as Parameters<typeof UseHooks>[0])
      @Controller("/x")
      class X {
        @Get() show() {
          return "x";
        }
      }
      return new Flagon({ controllers: [X] });
    });
    expect(error.code).toBe("FLAGON_ERR_HOOK");
    expect(error.message).toContain("onRequest");
  });

  test("onRequest inside @UseHooks on a method is refused with FLAGON_ERR_HOOK", async () => {
    const error = await setupError(() => {
      @Controller("/y")
      class Y {
        @UseHooks({ onRequest: record("y") } as unknown as Parameters<typeof UseHooks>[0])
        @Get()
        show() {
          return "y";
        }
      }
      return new Flagon({ controllers: [Y] });
    });
    expect(error.code).toBe("FLAGON_ERR_HOOK");
  });

  test("an unknown hook name is refused with FLAGON_ERR_HOOK naming it", async () => {
    const error = await setupError(() => {
      const app = new Flagon();
      app.addHook("beforeRequest" as "onRequest", record("x"));
      return app;
    });
    expect(error.code).toBe("FLAGON_ERR_HOOK");
    expect(error.message).toContain("beforeRequest");
  });
});
