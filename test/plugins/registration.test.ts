import "reflect-metadata";
import { beforeEach, describe, expect, test } from "vitest";
import { z } from "zod";
import {
  Controller,
  Flagon,
  FlagonError,
  Get,
  createRouteDecorator,
  definePlugin,
  inject,
  type FlagonOptions,
} from "@flagon/core";
import { pluginList, setupError, sleep } from "../hooks/helpers.js";

// Plugins: definePlugin + app.register (or the constructor's `plugins`), run in order during
// ready(); every start-up error a plugin can cause; its validated options; what it may add to
// the app (providers, hooks, controllers, routes); and the encapsulation rule: none.

/** Apps here never read a config file: only what the test gives them counts. */
function newApp(options: FlagonOptions = {}): Flagon {
  return new Flagon({ configFile: false, ...options });
}

/** A plugin that only records that it ran (and with what). */
function probe(
  name: string,
  extra: { version?: string; dependencies?: Record<string, string>; core?: string } = {},
) {
  return definePlugin<Record<string, unknown>>({
    name,
    ...extra,
    register(_app, options) {
      events.push(name);
      optionsSeen.set(name, options);
    },
  });
}

let events: string[] = [];
let optionsSeen = new Map<string, unknown>();
beforeEach(() => {
  events = [];
  optionsSeen = new Map();
});

describe("registering plugins", () => {
  test("app.register queues a plugin; its register runs during ready() with the app and the options", async () => {
    let gotApp: unknown;
    const hello = definePlugin<{ greeting: string }>({
      name: "flagon-plugin-hello",
      register(app, options) {
        gotApp = app;
        events.push("register");
        app.get("/hello", () => options.greeting);
      },
    });
    const app = newApp();
    app.register(hello, { greeting: "hi" });

    expect(events).toEqual([]);
    await app.ready();

    expect(events).toEqual(["register"]);
    expect(gotApp).toBe(app);
    expect((await app.inject("/hello")).body).toBe("hi");
  });

  test("plugins given to the constructor, alone or as [plugin, options], register in order before app.register ones", async () => {
    const app = newApp({ plugins: [probe("p1"), [probe("p2"), { n: 2 }]] });
    app.register(probe("p3"), { n: 3 });

    await app.ready();

    expect(events).toEqual(["p1", "p2", "p3"]);
    expect(optionsSeen.get("p2")).toEqual({ n: 2 });
    expect(optionsSeen.get("p3")).toEqual({ n: 3 });
  });

  test("an async register is awaited before the next plugin registers", async () => {
    const slow = definePlugin({
      name: "slow",
      async register() {
        events.push("slow start");
        await sleep(30);
        events.push("slow end");
      },
    });
    const app = newApp({ plugins: [slow, probe("fast")] });

    await app.ready();

    expect(events).toEqual(["slow start", "slow end", "fast"]);
  });

  test("a plugin may register another plugin from its register; both run and both are listed", async () => {
    const inner = definePlugin<{ path: string }>({
      name: "inner",
      version: "2.0.0",
      register(app, options) {
        events.push("inner");
        app.get(options.path, () => "from inner");
      },
    });
    const outer = definePlugin({
      name: "outer",
      version: "1.0.0",
      register(app) {
        events.push("outer start");
        app.register(inner, { path: "/inner" });
        events.push("outer end");
      },
    });
    const app = newApp({ plugins: [outer, probe("after")] });

    await app.ready();

    expect(events[0]).toBe("outer start");
    expect(events).toContain("inner");
    expect(events.indexOf("inner")).toBeLessThan(events.indexOf("after"));
    expect((await app.inject("/inner")).body).toBe("from inner");
    expect(new Map(Object.entries(pluginList(app)))).toEqual(
      new Map([
        ["outer", "1.0.0"],
        ["inner", "2.0.0"],
        ["after", undefined],
      ]),
    );
  });

  test("app.plugins lists registered plugins by name with their versions", async () => {
    const app = newApp({ plugins: [probe("a", { version: "1.2.3" }), probe("b")] });

    await app.ready();

    expect(pluginList(app)).toEqual({ a: "1.2.3", b: undefined });
  });

  test("registering a plugin after ready() throws FLAGON_ERR_APP_STATE", async () => {
    const app = newApp();
    await app.ready();

    const error = await setupError(() => {
      app.register(probe("late"));
      return app;
    });

    expect(error.code).toBe("FLAGON_ERR_APP_STATE");
  });
});

describe("start-up errors name the plugin", () => {
  test("the same plugin name twice: FLAGON_ERR_PLUGIN_DUPLICATE naming it", async () => {
    const error = await setupError(() => {
      const app = newApp({ plugins: [probe("flagon-plugin-twice")] });
      app.register(probe("flagon-plugin-twice"));
      return app;
    });

    expect(error.code).toBe("FLAGON_ERR_PLUGIN_DUPLICATE");
    expect(error.message).toContain("flagon-plugin-twice");
  });

  test("a dependency that is not registered: FLAGON_ERR_PLUGIN_DEPENDENCY naming both plugins", async () => {
    const error = await setupError(() =>
      newApp({
        plugins: [probe("flagon-plugin-needy", { dependencies: { "flagon-plugin-base": "^1.0.0" } })],
      }),
    );

    expect(error.code).toBe("FLAGON_ERR_PLUGIN_DEPENDENCY");
    expect(error.message).toContain("flagon-plugin-needy");
    expect(error.message).toContain("flagon-plugin-base");
  });

  test("a dependency listed after the plugin that needs it: registered first (seam 8)", async () => {
    const app = newApp({
      plugins: [
        probe("flagon-plugin-needy", { dependencies: { "flagon-plugin-base": "^1.0.0" } }),
        probe("flagon-plugin-base", { version: "1.0.0" }),
      ],
    });

    await app.ready();

    expect(events).toEqual(["flagon-plugin-base", "flagon-plugin-needy"]);
  });

  test("a dependency registered first, in range: the plugin registers", async () => {
    const app = newApp({
      plugins: [
        probe("flagon-plugin-base", { version: "1.4.0" }),
        probe("flagon-plugin-needy", { dependencies: { "flagon-plugin-base": "^1.0.0" } }),
      ],
    });

    await app.ready();

    expect(events).toEqual(["flagon-plugin-base", "flagon-plugin-needy"]);
  });

  test("a dependency's version outside the range: FLAGON_ERR_PLUGIN_VERSION naming both plugins and the range", async () => {
    const error = await setupError(() =>
      newApp({
        plugins: [
          probe("flagon-plugin-base", { version: "1.4.0" }),
          probe("flagon-plugin-needy", { dependencies: { "flagon-plugin-base": "^2.0.0" } }),
        ],
      }),
    );

    expect(error.code).toBe("FLAGON_ERR_PLUGIN_VERSION");
    expect(error.message).toContain("flagon-plugin-needy");
    expect(error.message).toContain("flagon-plugin-base");
    expect(error.message).toContain("^2.0.0");
    expect(error.message).toContain("1.4.0");
  });

  test("a core range the running @flagon/core is outside of: FLAGON_ERR_PLUGIN_VERSION naming the plugin and the range", async () => {
    const error = await setupError(() =>
      newApp({ plugins: [probe("flagon-plugin-future", { core: ">=99" })] }),
    );

    expect(error.code).toBe("FLAGON_ERR_PLUGIN_VERSION");
    expect(error.message).toContain("flagon-plugin-future");
    expect(error.message).toContain(">=99");
  });

  test("a core range the running @flagon/core satisfies: the plugin registers", async () => {
    const app = newApp({ plugins: [probe("flagon-plugin-now", { core: ">=0.0.1" })] });
    await app.ready();
    expect(events).toEqual(["flagon-plugin-now"]);
  });

  test.each([
    [
      "throws",
      () => {
        throw new Error("cannot open pool");
      },
    ],
    [
      "rejects",
      async () => {
        await sleep(1);
        throw new Error("cannot open pool");
      },
    ],
  ])(
    "a register that %s: FLAGON_ERR_PLUGIN_REGISTER naming the plugin, the original error as cause",
    async (_how, fail) => {
      let thrown: unknown;
      const broken = definePlugin({
        name: "flagon-plugin-broken",
        register: async () => {
          try {
            await fail();
          } catch (e) {
            thrown = e;
            throw e;
          }
        },
      });

      const error = await setupError(() => newApp({ plugins: [broken] }));

      expect(error.code).toBe("FLAGON_ERR_PLUGIN_REGISTER");
      expect(error.message).toContain("flagon-plugin-broken");
      expect(error.cause).toBeInstanceOf(Error);
      expect(error.cause).toBe(thrown);
    },
  );

  test("a synchronous throw from register (not an async function) is reported the same way", async () => {
    const boom = new Error("sync failure");
    const broken = definePlugin({
      name: "flagon-plugin-sync-broken",
      register() {
        throw boom;
      },
    });

    const error = await setupError(() => newApp({ plugins: [broken] }));

    expect(error.code).toBe("FLAGON_ERR_PLUGIN_REGISTER");
    expect(error.message).toContain("flagon-plugin-sync-broken");
    expect(error.cause).toBe(boom);
  });

  test("a register that never settles: FLAGON_ERR_PLUGIN_TIMEOUT after config.pluginTimeout", async () => {
    const stuck = definePlugin({
      name: "flagon-plugin-stuck",
      register: () => new Promise<void>(() => {}),
    });
    const started = Date.now();

    const error = await setupError(() => newApp({ config: { pluginTimeout: 100 }, plugins: [stuck] }));

    expect(error.code).toBe("FLAGON_ERR_PLUGIN_TIMEOUT");
    expect(error.message).toContain("flagon-plugin-stuck");
    // Far below the 10 s default: the configured 100 ms was used (a loose bound, for busy machines).
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  test("errors are FlagonErrors and stop start-up: no later plugin registers", async () => {
    const error = await setupError(() =>
      newApp({ plugins: [probe("first"), probe("first"), probe("never-reached")] }),
    );
    expect(error).toBeInstanceOf(FlagonError);
    expect(events).toEqual(["first"]);
  });
});

describe("a plugin's options: its config section, the register options over it, validated", () => {
  const corsSchema = z.object({
    origins: z.array(z.string()),
    maxAge: z.number().int().positive().default(600),
    credentials: z.boolean().default(false),
  });
  type CorsOptions = z.output<typeof corsSchema>;

  function corsProbe(received: CorsOptions[]) {
    return definePlugin<CorsOptions>({
      name: "flagon-plugin-cors-probe",
      configKey: "cors",
      configSchema: corsSchema,
      register(_app, options) {
        received.push(options);
      },
    });
  }

  test("register gets config[configKey] merged with the register options (options win), as the schema outputs it", async () => {
    const received: CorsOptions[] = [];
    const app = newApp({ config: { cors: { origins: ["https://a.test"], maxAge: 10 } } });
    app.register(corsProbe(received), { maxAge: 20 });

    await app.ready();

    expect(received).toEqual([{ origins: ["https://a.test"], maxAge: 20, credentials: false }]);
  });

  test("without a configSchema, register gets the merged section and options as they are", async () => {
    const received: unknown[] = [];
    const plain = definePlugin<{ a?: number; b?: number }>({
      name: "flagon-plugin-plain",
      configKey: "plain",
      register(_app, options) {
        received.push(options);
      },
    });
    const app = newApp({ config: { plain: { a: 1, b: 1 } } });
    app.register(plain, { b: 2 });

    await app.ready();

    expect(received).toEqual([{ a: 1, b: 2 }]);
  });

  test("a bad value: FLAGON_ERR_INVALID_CONFIG naming config.<key>.<field> and what was expected", async () => {
    const error = await setupError(() => {
      const app = newApp({ config: { cors: { origins: ["https://a.test"], maxAge: "soon" } } });
      return app.register(corsProbe([]));
    });

    expect(error.code).toBe("FLAGON_ERR_INVALID_CONFIG");
    expect(error.message).toContain("config.cors.maxAge");
    expect(error.message).toMatch(/number/i);
  });

  test("a missing required value: FLAGON_ERR_INVALID_CONFIG naming it", async () => {
    const error = await setupError(() => newApp().register(corsProbe([])));

    expect(error.code).toBe("FLAGON_ERR_INVALID_CONFIG");
    expect(error.message).toContain("config.cors.origins");
  });

  test("a bad value given to register is refused too", async () => {
    const error = await setupError(() =>
      newApp({ config: { cors: { origins: ["https://a.test"] } } }).register(corsProbe([]), { maxAge: -5 }),
    );

    expect(error.code).toBe("FLAGON_ERR_INVALID_CONFIG");
    expect(error.message).toContain("maxAge");
  });

  const secretSchema = z.object({
    endpoint: z.string().url(),
    // A schema may echo the input in its message; the core must still not print a secret.
    apiKey: z
      .string()
      .startsWith("pk_", { error: (issue) => `expected a publishable key, got ${String(issue.input)}` }),
    token: z.string(),
  });

  function secretProbe() {
    return definePlugin<z.output<typeof secretSchema>>({
      name: "flagon-plugin-secretive",
      configKey: "vault",
      configSchema: secretSchema,
      register() {},
    });
  }

  test("the value of a secret-looking key is never in the message, even when the schema echoes it", async () => {
    const error = await setupError(() =>
      newApp({
        config: { vault: { endpoint: "https://vault.test", apiKey: "sk_live_DO_NOT_PRINT", token: "t" } },
      }).register(secretProbe()),
    );

    expect(error.code).toBe("FLAGON_ERR_INVALID_CONFIG");
    expect(error.message).toContain("config.vault.apiKey");
    expect(error.message).toContain("publishable key");
    expect(error.message).not.toContain("sk_live_DO_NOT_PRINT");
  });

  test("a secret-looking key with a wrong type is named, its value not printed", async () => {
    const error = await setupError(() =>
      newApp({
        config: { vault: { endpoint: "https://vault.test", apiKey: "pk_ok", token: 424242 } },
      }).register(secretProbe()),
    );

    expect(error.code).toBe("FLAGON_ERR_INVALID_CONFIG");
    expect(error.message).toContain("config.vault.token");
    expect(error.message).toMatch(/string/i);
    expect(error.message).not.toContain("424242");
  });
});

describe("what a plugin adds belongs to the app (no encapsulation)", () => {
  test("a provider registered by a plugin is injectable into an app controller", async () => {
    @Controller("/greet")
    class Greet {
      constructor(@inject("greeting") private readonly greeting: string) {}
      @Get()
      show() {
        return this.greeting;
      }
    }
    const greetings = definePlugin({
      name: "flagon-plugin-greetings",
      register(app) {
        app.provide({ provide: "greeting", useValue: "hello from a plugin" });
      },
    });
    const app = newApp({ controllers: [Greet], plugins: [greetings] });

    const res = await app.inject("/greet");

    expect(res.statusCode).toBe(200);
    expect(res.body).toBe("hello from a plugin");
  });

  test("a plugin adds a controller and a function route; the app lists and serves both", async () => {
    @Controller("/admin")
    class AdminPanel {
      @Get("/")
      index() {
        return "panel";
      }
    }
    const admin = definePlugin({
      name: "flagon-plugin-admin",
      register(app) {
        app.addController(AdminPanel);
        app.get("/admin/health", function adminHealth() {
          return { ok: true };
        });
      },
    });
    const app = newApp({ plugins: [admin] });

    expect((await app.inject("/admin/")).body).toBe("panel");
    expect((await app.inject("/admin/health")).json()).toEqual({ ok: true });
    expect(
      app
        .routes()
        .map((r) => r.endpoint)
        .sort(),
    ).toEqual(["AdminPanel.index", "adminHealth"]);
  });

  test("a global hook added by a plugin runs for the app's own routes, controllers and functions alike", async () => {
    @Controller("/c")
    class AppCtl {
      @Get()
      show() {
        return "controller";
      }
    }
    const poweredBy = definePlugin({
      name: "flagon-plugin-powered-by",
      register(app) {
        app.addHook("onSend", (_ctx, response) => {
          response.headers.set("x-powered-by", "flagon-plugin-powered-by");
        });
      },
    });
    const app = newApp({ controllers: [AppCtl] });
    app.get("/f", () => "function");
    app.register(poweredBy);

    expect((await app.inject("/c")).headers["x-powered-by"]).toBe("flagon-plugin-powered-by");
    expect((await app.inject("/f")).headers["x-powered-by"]).toBe("flagon-plugin-powered-by");
    expect((await app.inject("/missing")).headers["x-powered-by"]).toBe("flagon-plugin-powered-by");
  });

  test("a plugin limits its hook to the app routes carrying its own route decorator", async () => {
    const Audited = createRouteDecorator("test.audit.audited", () => true);
    const audit = definePlugin({
      name: "flagon-plugin-audit",
      register(app) {
        app.addHook("preHandler", (ctx) => void events.push(`audit ${ctx.route?.endpoint ?? "?"}`), {
          appliesTo: (route) => Audited.has(route),
        });
      },
    });
    @Controller("/docs")
    class Docs {
      @Audited()
      @Get("/secret")
      secret() {
        return "secret";
      }
      @Get("/public")
      open() {
        return "public";
      }
    }
    const app = newApp({ controllers: [Docs], plugins: [audit] });

    await app.inject("/docs/public");
    await app.inject("/docs/secret");

    expect(events).toEqual(["audit Docs.secret"]);
  });

  test("the app's hooks see a plugin's routes, and a plugin's onRoute sees the app's routes and later plugins' routes", async () => {
    const seenRoutes: string[] = [];
    const openapi = definePlugin({
      name: "flagon-plugin-openapi-probe",
      register(app) {
        app.addHook("onRoute", (route) => {
          seenRoutes.push(`${route.method} ${route.path}`);
        });
      },
    });
    const later = definePlugin({
      name: "flagon-plugin-later",
      register(app) {
        app.post("/later", () => "later");
      },
    });
    const app = newApp({ plugins: [openapi, later] });
    app.get("/mine", () => "mine");
    app.addHook("preHandler", (ctx) => void events.push(`app hook ${ctx.request.path}`));

    await app.ready();
    await app.inject({ method: "POST", url: "/later" });

    expect(seenRoutes.sort()).toEqual(["GET /mine", "POST /later"]);
    expect(events).toEqual(["app hook /later"]);
  });

  test("one plugin's provider is injectable into another plugin's controller", async () => {
    class Db {
      query() {
        return ["row"];
      }
    }
    const database = definePlugin({
      name: "flagon-plugin-db-probe",
      version: "1.0.0",
      register(app) {
        app.provide({ provide: "db", useFactory: () => new Db() });
      },
    });
    @Controller("/rows")
    class Rows {
      constructor(@inject("db") private readonly db: Db) {}
      @Get()
      list() {
        return this.db.query();
      }
    }
    const rows = definePlugin({
      name: "flagon-plugin-rows",
      dependencies: { "flagon-plugin-db-probe": "^1.0.0" },
      register(app) {
        app.addController(Rows);
      },
    });
    const app = newApp({ plugins: [database, rows] });

    expect((await app.inject("/rows")).json()).toEqual(["row"]);
  });
});
