import "reflect-metadata";
// Seam 1 of issue 10: custom parameter decorators (createParamDecorator), through the public API
// only. A plugin's @CurrentUser(), @Form(LoginForm) and @Db() are compiled into the route's
// argument binders at ready(): the resolver gets the context, the decorator's data and the
// parameter's declared type, index and route; a sync resolver keeps the route promise-free; a
// thrown HttpError is its response (problem details or HTML, as any error).
import { Readable } from "node:stream";
import type { StandardSchemaV1 } from "@standard-schema/spec";
import { describe, expect, expectTypeOf, test } from "vitest";
import {
  Body,
  Context,
  Controller,
  createParamDecorator,
  Ctx,
  definePlugin,
  Flagon,
  Get,
  Injectable,
  Param,
  Post,
  Route,
  type RouteInfo,
  UnauthorizedError,
  UnprocessableEntityError,
  abort,
} from "@flagon/core";
import type { ParamDecorator, ParamInfo, RawRequest } from "@flagon/core/plugin";
import { z } from "zod";

interface User {
  readonly name: string;
}

/** A plugin's @CurrentUser(): the user a preHandler put in ctx.state; 401 when required and absent. */
const CurrentUser = createParamDecorator(
  (ctx, options?: { optional: boolean }) => {
    const user = ctx.state["user"] as User | undefined;
    if (user === undefined && options?.optional !== true) throw new UnauthorizedError("log in first");
    return user;
  },
  { name: "CurrentUser" },
);

/** A forms plugin's @Form(): validates the body with the schema the form class carries (its declared type). */
const FORM_SCHEMA = Symbol("form schema");
class LoginForm {
  static readonly [FORM_SCHEMA] = z.object({ login: z.string().min(1), password: z.string().min(8) });
  login!: string;
  password!: string;
}
type FormClass = { readonly [FORM_SCHEMA]: StandardSchemaV1 };
const Form = createParamDecorator(
  async (ctx, form: FormClass | undefined, param) => {
    const schema = (form ?? (param.type as FormClass))[FORM_SCHEMA];
    const result = await schema["~standard"].validate(await ctx.body(["form"]));
    if (result.issues) throw new UnprocessableEntityError(`invalid form: ${result.issues[0]?.message}`);
    return result.value;
  },
  { name: "Form" },
);

/** What every resolver call saw, for the tests to look at. */
const calls: Array<{ data: unknown; param: ParamInfo; route: RouteInfo | undefined }> = [];
const Spy = createParamDecorator((ctx, data: string, param) => {
  calls.push({ data, param, route: ctx.route });
  return `spy:${data}`;
});
const Info = createParamDecorator((_ctx, _data: undefined, param) => param);

const Later = createParamDecorator((_ctx, value: string) => Promise.resolve(value));
const Thenable = createParamDecorator((_ctx, value: string) => ({
  then: (resolve: (v: string) => void) => resolve(value),
}));
const Fails = createParamDecorator(async (_ctx, status: 400 | 403) => abort(status, "refused by @Fails"));
const Broken = createParamDecorator((): never => {
  throw new Error("a bug in a resolver");
});

class Greeting {
  readonly word = "hi";
}

@Controller("/p")
class Pages {
  @Get("/me")
  me(@CurrentUser() user: User) {
    return { name: user.name };
  }

  @Get("/maybe")
  maybe(@CurrentUser({ optional: true }) user: User | undefined) {
    return { name: user?.name ?? null };
  }

  @Post("/login")
  login(@Form(LoginForm) form: LoginForm) {
    return { login: form.login };
  }

  @Post("/login-by-type")
  loginByType(@Form() form: LoginForm) {
    return { login: form.login };
  }

  @Route("/multi/<int:id>", { methods: ["GET", "POST"] })
  multi(@Info() info: ParamInfo, @Spy("a") a: string, @Param("id") id: number, @Ctx() ctx: Context) {
    return { a, id, sameRoute: info.route === ctx.route, method: info.route.method, index: info.index };
  }

  @Get("/types")
  types(@Info() _info: ParamInfo, @Info() greeting: ParamInfo, @Info() n: ParamInfo) {
    return { types: [_info.type, greeting.type, n.type].map((t) => (t as { name: string }).name) };
  }

  @Post("/mixed")
  mixed(
    @Later("later") later: string,
    @Body(z.object({ n: z.number() })) body: { n: number },
    @Thenable("t") t: string,
  ) {
    return { later, n: body.n, t };
  }

  @Get("/fails/<int:status>")
  fails(@Fails(400) _x: unknown) {
    return "unreachable";
  }

  @Get("/forbidden")
  forbidden(@Fails(403) _x: unknown) {
    return "unreachable";
  }

  @Get("/broken")
  broken(@Broken() _x: unknown) {
    return "unreachable";
  }

  @Get("/sync")
  sync(@CurrentUser() user: User) {
    return user.name;
  }

  @Get("/async")
  async(@Later("x") x: string) {
    return x;
  }
}

/** A request-scoped controller (it injects Context) takes the other invoker path. */
@Injectable({ scope: "request" })
class RequestGreeter {
  constructor(readonly ctx: Context) {}
}

@Controller("/scoped")
class Scoped {
  constructor(private readonly greeter: RequestGreeter) {}

  @Get("/")
  index(@CurrentUser() user: User) {
    return { user: user.name, sameCtx: this.greeter.ctx.state["user"] === user };
  }
}

/** A plugin that logs users in from a header, as an auth plugin would, in preHandler. */
const auth = definePlugin({
  name: "flagon-plugin-test-auth",
  register(app) {
    app.addHook("preHandler", (ctx) => {
      const name = ctx.request.header("x-user");
      if (name !== undefined) ctx.state["user"] = { name } satisfies User;
    });
  },
});

async function makeApp(): Promise<Flagon> {
  const app = new Flagon({ controllers: [Pages, Scoped], plugins: [auth], logger: false, configFile: false });
  await app.ready();
  return app;
}

const JSON_CLIENT = { accept: "application/json" };

describe("createParamDecorator: values", () => {
  test("a sync resolver gives the argument (the user a preHandler set)", async () => {
    const app = await makeApp();
    const res = await app.inject({ url: "/p/me", headers: { "x-user": "ada" } });
    expect(res.json()).toEqual({ name: "ada" });
  });

  test("data: what the decorator was called with reaches the resolver", async () => {
    const app = await makeApp();
    expect((await app.inject("/p/maybe")).json()).toEqual({ name: null });
    expect((await app.inject("/p/me")).statusCode).toBe(401);
  });

  test("@Form(LoginForm): data is the class; @Form(): the declared type says which form", async () => {
    const app = await makeApp();
    const form = { login: "ada", password: "correct horse" };
    for (const url of ["/p/login", "/p/login-by-type"]) {
      const ok = await app.inject({ method: "POST", url, form });
      expect(ok.json()).toEqual({ login: "ada" });
      const bad = await app.inject({
        method: "POST",
        url,
        form: { login: "ada", password: "short" },
        headers: JSON_CLIENT,
      });
      expect(bad.statusCode).toBe(422);
      expect(bad.json()).toMatchObject({ status: 422, detail: expect.stringMatching(/^invalid form: /) });
    }
  });

  test("param: type, index and the route of the method requested (multi-method route)", async () => {
    const app = await makeApp();
    calls.length = 0;
    const get = (await app.inject("/p/multi/7")).json();
    const post = (await app.inject({ method: "POST", url: "/p/multi/8" })).json();
    expect(get).toEqual({ a: "spy:a", id: 7, sameRoute: true, method: "GET", index: 0 });
    expect(post).toEqual({ a: "spy:a", id: 8, sameRoute: true, method: "POST", index: 0 });
    expect(calls.map((c) => [c.data, c.route?.method, c.route?.endpoint])).toEqual([
      ["a", "GET", "Pages.multi"],
      ["a", "POST", "Pages.multi"],
    ]);
    expect(calls[0]?.param).toMatchObject({ type: String, index: 1 });
    // The param object is made once per route and method, at ready(): the same on every request.
    await app.inject("/p/multi/9");
    expect(calls[2]?.param).toBe(calls[0]?.param);
    expect(calls[1]?.param).not.toBe(calls[0]?.param);
  });

  test("param.type is the parameter's design:paramtypes entry", async () => {
    const app = await makeApp();
    // ParamInfo is an interface: its design type is Object.
    expect((await app.inject("/p/types")).json()).toEqual({ types: ["Object", "Object", "Object"] });
    const Typed = createParamDecorator(
      (_ctx, _data: undefined, param) => (param.type as { name: string }).name,
    );
    @Controller()
    class T {
      @Get("/t")
      t(@Typed() a: Greeting, @Typed() b: number, @Typed() c: string, @Typed() d: boolean) {
        return [a, b, c, d];
      }
    }
    const other = new Flagon({ controllers: [T], logger: false, configFile: false });
    expect((await other.inject("/t")).json()).toEqual(["Greeting", "Number", "String", "Boolean"]);
  });

  test("promises and other thenables are awaited, beside a @Body", async () => {
    const app = await makeApp();
    const res = await app.inject({ method: "POST", url: "/p/mixed", json: { n: 3 } });
    expect(res.json()).toEqual({ later: "later", n: 3, t: "t" });
  });

  test("a request-scoped controller gets custom parameters too", async () => {
    const app = await makeApp();
    const res = await app.inject({ url: "/scoped/", headers: { "x-user": "bob" } });
    expect(res.json()).toEqual({ user: "bob", sameCtx: true });
  });
});

describe("createParamDecorator: errors", () => {
  test("a thrown HttpError is its response: problem details for JSON clients", async () => {
    const app = await makeApp();
    const res = await app.inject({ url: "/p/me", headers: JSON_CLIENT });
    expect(res.statusCode).toBe(401);
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status: 401, title: "Unauthorized", detail: "log in first" });
  });

  test("… and an HTML page for browsers", async () => {
    const app = await makeApp();
    const res = await app.inject({ url: "/p/me", headers: { accept: "text/html" } });
    expect(res.statusCode).toBe(401);
    expect(res.headers["content-type"]).toMatch(/^text\/html/);
    expect(res.body).toContain("log in first");
  });

  test("a rejected promise of an HttpError too, and onError hooks and error handlers see it", async () => {
    const app = new Flagon({ controllers: [Pages], logger: false, configFile: false });
    const seen: unknown[] = [];
    app.addHook("onError", (_ctx, error) => {
      seen.push(error);
    });
    app.setErrorHandler(403, () => "custom 403 page");
    const bad = await app.inject({ url: "/p/fails/1", headers: JSON_CLIENT });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ detail: "refused by @Fails" });
    const forbidden = await app.inject("/p/forbidden");
    expect([forbidden.statusCode, forbidden.body]).toEqual([403, "custom 403 page"]);
    expect(seen.map((e) => (e as { status: number }).status)).toEqual([400, 403]);
  });

  test("a resolver's bug is an opaque 500 in production, like a handler's", async () => {
    const app = new Flagon({
      controllers: [Pages],
      logger: false,
      configFile: false,
      config: { env: "production" },
    });
    const res = await app.inject({ url: "/p/broken", headers: JSON_CLIENT });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain("a bug in a resolver");
  });

  test("the resolver is not called when a preHandler answers early", async () => {
    const app = new Flagon({ controllers: [Pages], logger: false, configFile: false });
    app.addHook("preHandler", () => "early");
    calls.length = 0;
    expect((await app.inject("/p/multi/1")).body).toBe("early");
    expect(calls).toEqual([]);
  });
});

describe("createParamDecorator: the fast path", () => {
  function raw(url: string, headers: Record<string, string> = {}): RawRequest {
    return {
      method: "GET",
      url,
      headers: { host: "localhost", ...headers },
      body: Readable.from([]),
      remoteAddress: "127.0.0.1",
      encrypted: false,
    };
  }

  test("a route whose custom parameters resolve synchronously answers without a promise", async () => {
    // app.handle is what a front door calls per request: an answer, or a promise of one.
    const withUser = new Flagon({ controllers: [Pages], logger: false, configFile: false });
    withUser.addHook("preHandler", (ctx) => {
      ctx.state["user"] = { name: "ada" };
    });
    await withUser.ready();
    const answered = withUser.handle(raw("/p/sync"));
    expect(answered).not.toBeInstanceOf(Promise);
    expect((answered as Awaited<typeof answered>).wire.body).toBe("ada");
    expect(withUser.handle(raw("/p/async"))).toBeInstanceOf(Promise);
  });
});

describe("createParamDecorator: types and start-up", () => {
  test("the decorator's parameter is typed by the resolver's data parameter", () => {
    expectTypeOf(CurrentUser).toEqualTypeOf<ParamDecorator<{ optional: boolean } | undefined>>();
    expectTypeOf(Spy).parameters.toEqualTypeOf<[data: string]>();
    expectTypeOf(Info).parameters.toEqualTypeOf<[data?: undefined]>();
    const NoData = createParamDecorator((ctx) => ctx.id);
    expectTypeOf(NoData).parameters.toEqualTypeOf<[data?: undefined]>();
    // @ts-expect-error Spy needs its string
    Spy();
    // @ts-expect-error CurrentUser takes options, not a string
    CurrentUser("optional");
    // @ts-expect-error no data for a resolver that takes none
    NoData(1);
    expect(CurrentUser.decoratorName).toBe("CurrentUser");
  });

  test("on a constructor parameter: FLAGON_ERR_BAD_PATH naming the decorator", () => {
    const Db = createParamDecorator(() => "db", { name: "Db" });
    expect(() => {
      @Controller()
      class Bad {
        constructor(@Db() readonly db: string) {}
      }
      return Bad;
    }).toThrow(
      expect.objectContaining({ code: "FLAGON_ERR_BAD_PATH", message: expect.stringContaining("@Db()") }),
    );
  });
});
