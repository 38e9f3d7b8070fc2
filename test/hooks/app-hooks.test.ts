import "reflect-metadata";
import { afterEach, describe, expect, test } from "vitest";
import {
  Controller,
  Flagon,
  FlagonError,
  Get,
  Post,
  createRouteDecorator,
  type RouteInfo,
  type ServerAddress,
} from "@flagon/core";
import { collectingLogger, loggedError, sleep } from "./helpers.js";

// Application hooks: onRoute while the app is built, onReady at the end of ready(), onListen
// once bound, onClose in reverse on close(); and no hook may be added once the app is built.

const Tag = createRouteDecorator("test.appHooks.tag", (tag: string) => tag);

@Controller("/users")
class Users {
  @Get("/")
  list() {
    return [];
  }

  @Tag("write")
  @Post("/")
  create() {
    return {};
  }
}

const listening: Flagon[] = [];
afterEach(async () => {
  for (const app of listening.splice(0)) await app.close();
});

describe("onRoute", () => {
  test("is called once per route and method, with its path, endpoint, method and metadata", async () => {
    const app = new Flagon({ controllers: [Users] });
    const routes: RouteInfo[] = [];
    app.addHook("onRoute", (route) => {
      routes.push(route);
    });
    app.route("/fn", ["GET", "POST"], function fn() {
      return "fn";
    });

    await app.ready();

    const summary = routes.map((r) => `${r.method} ${r.path} ${r.endpoint}`).sort();
    expect(summary).toEqual([
      "GET /fn fn",
      "GET /users/ Users.list",
      "POST /fn fn",
      "POST /users/ Users.create",
    ]);
    for (const route of routes) expect(route.metadata).toBeInstanceOf(Map);
    const create = routes.find((r) => r.endpoint === "Users.create");
    expect(Tag.get(create)).toBe("write");
    expect(routes.find((r) => r.endpoint === "Users.list")?.metadata.size).toBe(0);

    await app.inject("/users/");
    await app.ready();
    expect(routes).toHaveLength(4);
  });

  test("every onRoute hook sees every route, and ready() waits for async ones", async () => {
    const app = new Flagon({ controllers: [Users] });
    const first: string[] = [];
    const second: string[] = [];
    app.addHook("onRoute", async (route) => {
      await sleep(5);
      first.push(`${route.method} ${route.path}`);
    });
    app.addHook("onRoute", (route) => {
      second.push(`${route.method} ${route.path}`);
    });

    await app.ready();

    expect(first.sort()).toEqual(["GET /users/", "POST /users/"]);
    expect(second.sort()).toEqual(first);
  });
});

describe("onReady", () => {
  test("runs at the end of ready(), after onRoute, in registration order, each awaited, once", async () => {
    const events: string[] = [];
    const app = new Flagon();
    app.addHook("onReady", async () => {
      events.push("ready 1 start");
      await sleep(20);
      events.push("ready 1 end");
    });
    app.addHook("onReady", () => {
      events.push("ready 2");
    });
    app.addHook("onRoute", () => {
      events.push("route");
    });
    app.get("/", () => {
      events.push("handler");
      return "ok";
    });

    await app.ready();
    await app.ready();
    await app.inject("/");

    expect(events).toEqual(["route", "ready 1 start", "ready 1 end", "ready 2", "handler"]);
  });

  test("runs before the first request when inject() readies the app", async () => {
    const events: string[] = [];
    const app = new Flagon();
    app.addHook("onReady", async () => {
      await sleep(10);
      events.push("ready");
    });
    app.get("/", () => {
      events.push("handler");
      return "ok";
    });

    await app.inject("/");

    expect(events).toEqual(["ready", "handler"]);
  });

  test("a throwing onReady rejects ready() with that error", async () => {
    const boom = new Error("pool refused");
    const app = new Flagon();
    app.addHook("onReady", () => {
      throw boom;
    });

    const error = await app.ready().then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(error).toBeDefined();
    expect(error === boom || (error as { cause?: unknown }).cause === boom).toBe(true);
    await expect(app.inject("/")).rejects.toBeDefined();
  });
});

describe("onListen", () => {
  test("receives the bound address, the same one listen() resolves with", async () => {
    const app = new Flagon();
    const seen: ServerAddress[] = [];
    app.addHook("onListen", (address) => {
      seen.push(address);
    });
    app.get("/", () => "ok");

    const address = await app.listen({ port: 0 });
    listening.push(app);

    expect(seen).toEqual([address]);
    expect(address.port).toBeGreaterThan(0);
    const res = await fetch(address.url);
    expect(await res.text()).toBe("ok");
  });
});

describe("onClose", () => {
  test("runs in reverse registration order after the server closed; a throwing one is logged and the rest still run", async () => {
    const { logger, lines } = collectingLogger();
    const app = new Flagon({ logger });
    const events: string[] = [];
    let url = "";
    app.addHook("onClose", async () => {
      const reachable = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
        () => true,
        () => false,
      );
      events.push(`close 1 (server reachable: ${String(reachable)})`);
    });
    app.addHook("onClose", () => {
      events.push("close 2");
      throw new Error("boom in onClose");
    });
    app.addHook("onClose", async () => {
      await sleep(5);
      events.push("close 3");
    });
    app.get("/", () => "ok");
    ({ url } = await app.listen({ port: 0 }));

    await expect(app.close()).resolves.toBeUndefined();

    expect(events).toEqual(["close 3", "close 2", "close 1 (server reachable: false)"]);
    expect(loggedError(lines, "boom in onClose")).toBe(true);
  });

  test("runs on close() for an app that was ready but never listened", async () => {
    const app = new Flagon();
    const events: string[] = [];
    app.addHook("onClose", () => {
      events.push("closed");
    });

    await app.ready();
    await app.close();

    expect(events).toEqual(["closed"]);
  });
});

describe("hooks after start-up", () => {
  test.each(["preHandler", "onRequest", "onClose", "onRoute"] as const)(
    "adding a %s hook after ready() throws FLAGON_ERR_APP_STATE",
    async (name) => {
      const app = new Flagon();
      await app.ready();

      let error: unknown;
      try {
        app.addHook(name, () => undefined);
      } catch (e) {
        error = e;
      }

      expect(error).toBeInstanceOf(FlagonError);
      expect((error as FlagonError).code).toBe("FLAGON_ERR_APP_STATE");
    },
  );
});
