import "reflect-metadata";
import { describe, expect, test } from "vitest";
import {
  Controller,
  Ctx,
  type Context,
  Flagon,
  type FlagonOptions,
  FlagonResponse,
  Get,
  type JsonSchema,
  json,
  Post,
  type ResponseSchemas,
} from "@flagon/core";
import { collectingLogger, loggedError } from "../hooks/helpers.js";
import { expectProblem, startupError } from "./helpers.js";

// Response schemas (`response` route option, as Fastify's `schema.response`): JSON return values
// are written by a serializer compiled at ready(), which drops unlisted properties; a value that
// does not fit is a 500, a schema that does not compile stops start-up.

const user = {
  type: "object",
  required: ["id", "name"],
  properties: {
    id: { type: "integer" },
    name: { type: "string" },
    score: { type: "number" },
    nickname: { type: ["string", "null"] },
    bio: { type: "string", nullable: true },
    groups: {
      type: "array",
      items: {
        type: "object",
        properties: { name: { type: "string" }, tags: { type: "array", items: { type: "string" } } },
      },
    },
    matrix: { type: "array", items: { type: "array", items: { type: "integer" } } },
  },
} as const satisfies JsonSchema;

const stored = {
  id: 7,
  name: "ada",
  score: 9.5,
  nickname: null,
  bio: null,
  groups: [{ name: "admins", tags: ["a", "b"], internalId: 991 }],
  matrix: [
    [1, 2],
    [3, 4],
  ],
  passwordHash: "$argon2id$secret",
  email: "ada@example.test",
};

const byStatus: ResponseSchemas = {
  201: { type: "object", properties: { created: { type: "string" } } },
  "2xx": { type: "object", properties: { ok: { type: "boolean" } } },
  default: { type: "object", properties: { reason: { type: "string" } } },
};

const everything = { created: "yes", ok: true, reason: "because", secret: "s3cret" };

function withStatus(ctx: Context): typeof everything {
  const status = ctx.request.query.get("status");
  if (status !== undefined) ctx.response.status = Number(status);
  return everything;
}

@Controller("/ctl")
class Users {
  @Get("/user", { response: user })
  show() {
    return stored;
  }

  @Get("/list", { response: { type: "array", items: user } })
  async list() {
    await Promise.resolve();
    return [stored, { ...stored, id: 8 }];
  }

  @Post("/status", { response: byStatus })
  status(@Ctx() ctx: Context) {
    return withStatus(ctx);
  }

  @Get("/broken", { response: user })
  broken() {
    return { name: "no id", passwordHash: "$argon2id$secret" };
  }

  @Get("/plain")
  plain() {
    return stored;
  }
}

function buildApp(options: FlagonOptions = {}, withHook = false): Flagon {
  const app = new Flagon({
    controllers: [Users],
    configFile: false,
    logger: false,
    config: { env: "production", static: false },
    ...options,
  });
  // A preHandler hook sends every route through the full dispatch path instead of the fast one.
  if (withHook) app.addHook("preHandler", () => undefined);
  app.get("/fn/user", () => stored, { response: user });
  app.get(
    "/fn/async-list",
    async () => {
      await Promise.resolve();
      return [stored];
    },
    { response: { type: "array", items: user } },
  );
  app.route("/fn/status", ["POST"], withStatus, { response: byStatus });
  app.get("/fn/built", () => json(stored), { response: user });
  app.get("/fn/response", () => new FlagonResponse(JSON.stringify(stored)), { response: user });
  app.get("/fn/text", () => "<p>html</p>", { response: user });
  app.get("/fn/wrong-type", () => ({ ...stored, id: "seven" }), { response: user });
  return app;
}

const expected = {
  id: 7,
  name: "ada",
  score: 9.5,
  nickname: null,
  bio: null,
  groups: [{ name: "admins", tags: ["a", "b"] }],
  matrix: [
    [1, 2],
    [3, 4],
  ],
};

describe.each([
  ["the fast path", false],
  ["the full path (a preHandler hook)", true],
])("response schemas through %s", (_path, withHook) => {
  test.each(["/ctl/user", "/fn/user"])(
    "%s: unlisted properties are dropped, the rest keep their types",
    async (url) => {
      const app = buildApp({}, withHook);
      const res = await app.inject(url);
      expect(res.statusCode).toBe(200);
      expect(res.headers["content-type"]).toBe("application/json");
      expect(res.json()).toEqual(expected);
      expect(res.body).not.toContain("passwordHash");
      expect(res.body).not.toContain("internalId");
    },
  );

  test.each(["/ctl/list", "/fn/async-list"])(
    "%s: an async handler's array is written with the schema",
    async (url) => {
      const app = buildApp({}, withHook);
      const res = await app.inject(url);
      expect(res.statusCode).toBe(200);
      const body = res.json<Array<Record<string, unknown>>>();
      expect(body[0]).toEqual(expected);
      expect(res.body).not.toContain("ada@example.test");
    },
  );

  test.each(["/ctl/status", "/fn/status"])(
    "%s: a status-keyed schema picks 201, then 2xx, then default",
    async (url) => {
      const app = buildApp({}, withHook);
      const created = await app.inject({ method: "POST", url: `${url}?status=201` });
      expect(created.statusCode).toBe(201);
      expect(created.json()).toEqual({ created: "yes" });
      const ok = await app.inject({ method: "POST", url });
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toEqual({ ok: true });
      const accepted = await app.inject({ method: "POST", url: `${url}?status=202` });
      expect(accepted.json()).toEqual({ ok: true });
      const conflict = await app.inject({ method: "POST", url: `${url}?status=409` });
      expect(conflict.statusCode).toBe(409);
      expect(conflict.json()).toEqual({ reason: "because" });
    },
  );

  test.each(["/ctl/broken", "/fn/wrong-type"])(
    "%s: a value that does not fit is a 500 problem without internals in production, and is logged",
    async (url) => {
      const { logger, lines } = collectingLogger();
      const app = buildApp({ logger }, withHook);
      const res = await app.inject({ url, headers: { accept: "application/json" } });
      const problem = expectProblem(res, 500);
      expect(res.body).not.toContain("argon2id");
      expect(res.body).not.toContain("schema");
      expect(res.body).not.toContain(url);
      expect(problem.detail ?? "").not.toMatch(/required|converted/);
      expect(loggedError(lines, "FLAGON_ERR_INVALID_RESPONSE")).toBe(true);
      expect(loggedError(lines, url)).toBe(true);
    },
  );
});

describe("what a response schema leaves alone", () => {
  test("json() and a built FlagonResponse are sent as built", async () => {
    const app = buildApp();
    expect((await app.inject("/fn/built")).json()).toMatchObject({ passwordHash: "$argon2id$secret" });
    expect((await app.inject("/fn/response")).json()).toMatchObject({ passwordHash: "$argon2id$secret" });
  });

  test("a string is still HTML", async () => {
    const res = await buildApp().inject("/fn/text");
    expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(res.body).toBe("<p>html</p>");
  });

  test("a route without a schema sends every property", async () => {
    const res = await buildApp().inject("/ctl/plain");
    expect(res.json()).toEqual(stored);
  });

  test("the error of a non-fitting value shows in development", async () => {
    const app = buildApp({ config: { env: "development", static: false } });
    const res = await app.inject({ url: "/ctl/broken", headers: { accept: "application/json" } });
    const problem = expectProblem(res, 500);
    expect(JSON.stringify(problem)).toContain('\\"id\\" is required');
  });
});

describe("an invalid response schema stops ready()", () => {
  test("on a decorated controller, naming method, path and endpoint", async () => {
    @Controller("/bad")
    class Bad {
      @Get("/<int:id>", { response: { type: "object", properties: { id: { type: "integr" } } } })
      show() {
        return {};
      }
    }
    const error = await startupError(
      () => new Flagon({ controllers: [Bad], configFile: false, logger: false }),
    );
    expect(error.code).toBe("FLAGON_ERR_BAD_SCHEMA");
    expect(error.message).toContain("GET /bad/<int:id> (Bad.show)");
    expect(error.message).toContain("is invalid");
  });

  test("on a function route, naming the status key", async () => {
    const error = await startupError(() =>
      new Flagon({ configFile: false, logger: false }).post("/items", () => ({}), {
        response: { 201: { type: "object", required: "id" } },
      }),
    );
    expect(error.code).toBe("FLAGON_ERR_BAD_SCHEMA");
    expect(error.message).toContain("POST /items");
    expect(error.message).toContain("for 201");
  });

  test("for a status key out of range", async () => {
    const error = await startupError(() =>
      new Flagon({ configFile: false, logger: false }).get("/x", () => ({}), {
        response: { 299: { type: "object" }, 700: { type: "object" } } as ResponseSchemas,
      }),
    );
    expect(error.code).toBe("FLAGON_ERR_BAD_SCHEMA");
    expect(error.message).toContain('"700" is not a status');
  });
});
