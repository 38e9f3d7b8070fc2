import "reflect-metadata";
import { describe, expect, expectTypeOf, test } from "vitest";
import { Controller, Flagon, Get, createRouteDecorator, type RouteInfo } from "@flagon/core";

// Route decorators made with createRouteDecorator: a plugin records a value on a controller or a
// method, and its hooks read it from the matched route (ctx.route) or from onRoute.

const Roles = createRouteDecorator("test.roles", (roles?: string[]) => ({ roles: roles ?? [] }));
const Tags = createRouteDecorator("test.tags", (...tags: string[]) => tags, {
  merge: (classTags, methodTags) => [...classTags, ...methodTags],
});
const Exempt = createRouteDecorator("test.exempt", () => true);

@Roles(["admin"])
@Tags("admin")
@Controller("/admin")
class Admin {
  @Get("/")
  index() {
    return "index";
  }

  @Roles(["owner"])
  @Tags("danger", "audit")
  @Get("/purge")
  purge() {
    return "purge";
  }

  // Route decorator below the route decorator: order does not matter.
  @Get("/open")
  @Roles()
  @Exempt()
  open() {
    return "open";
  }
}

@Controller("/public")
class Public {
  @Get("/")
  index() {
    return "public";
  }

  @Exempt()
  @Get("/exempt")
  exempt() {
    return "exempt";
  }
}

/** Runs onRoute for every route and returns them by endpoint. */
async function routesOf(app: Flagon): Promise<Map<string, RouteInfo>> {
  const routes = new Map<string, RouteInfo>();
  app.addHook("onRoute", (route) => {
    routes.set(route.endpoint, route);
  });
  await app.ready();
  return routes;
}

describe("createRouteDecorator", () => {
  test("a class value applies to every route of the controller; a method value replaces it", async () => {
    const routes = await routesOf(new Flagon({ controllers: [Admin, Public] }));

    expect(Roles.get(routes.get("Admin.index"))).toEqual({ roles: ["admin"] });
    expect(Roles.get(routes.get("Admin.purge"))).toEqual({ roles: ["owner"] });
    expect(Roles.get(routes.get("Admin.open"))).toEqual({ roles: [] });
    expect(Roles.has(routes.get("Public.index"))).toBe(false);
    expect(Roles.get(routes.get("Public.index"))).toBeUndefined();
  });

  test("a decorator created with merge combines the class value with the method value", async () => {
    const routes = await routesOf(new Flagon({ controllers: [Admin] }));

    expect(Tags.get(routes.get("Admin.purge"))).toEqual(["admin", "danger", "audit"]);
    expect(Tags.get(routes.get("Admin.index"))).toEqual(["admin"]);
  });

  test("two decorators are independent: one on a route says nothing about the other", async () => {
    const routes = await routesOf(new Flagon({ controllers: [Admin, Public] }));

    expect(Exempt.has(routes.get("Public.exempt"))).toBe(true);
    expect(Roles.has(routes.get("Public.exempt"))).toBe(false);
    expect(Tags.has(routes.get("Public.exempt"))).toBe(false);
    expect(Exempt.has(routes.get("Admin.index"))).toBe(false);
  });

  test("two decorators created with the same name do not collide", async () => {
    const A = createRouteDecorator("test.same", () => "a");
    const B = createRouteDecorator("test.same", () => "b");
    @Controller("/same")
    class Same {
      @A()
      @Get()
      show() {
        return "same";
      }
    }
    const routes = await routesOf(new Flagon({ controllers: [Same] }));

    expect(A.get(routes.get("Same.show"))).toBe("a");
    expect(B.has(routes.get("Same.show"))).toBe(false);
  });

  test("a hook reads the value from ctx.route during the request", async () => {
    const app = new Flagon({ controllers: [Admin, Public] });
    app.addHook("preHandler", (ctx) => {
      const required = Roles.get(ctx.route);
      if (required && !required.roles.includes(ctx.request.header("x-role") ?? "")) {
        ctx.response.status = 403;
        return { required: required.roles };
      }
      return undefined;
    });

    const denied = await app.inject("/admin/purge");
    expect(denied.statusCode).toBe(403);
    expect(denied.json()).toEqual({ required: ["owner"] });
    expect((await app.inject({ url: "/admin/purge", headers: { "x-role": "owner" } })).body).toBe("purge");
    expect((await app.inject({ url: "/admin/", headers: { "x-role": "admin" } })).body).toBe("index");
    expect((await app.inject("/public/")).body).toBe("public");
  });

  test("appliesTo with .has limits a hook to decorated routes", async () => {
    const app = new Flagon({ controllers: [Admin, Public] });
    const ran: string[] = [];
    app.addHook(
      "preHandler",
      (ctx) => {
        ran.push(ctx.route?.endpoint ?? "?");
      },
      { appliesTo: (route) => Exempt.has(route) },
    );

    for (const url of ["/admin/", "/admin/purge", "/admin/open", "/public/", "/public/exempt"]) {
      expect((await app.inject(url)).statusCode).toBe(200);
    }

    expect(ran).toEqual(["Admin.open", "Public.exempt"]);
  });

  test("values are typed: the factory's parameters and its return type carry through", () => {
    expectTypeOf(Roles).parameters.toEqualTypeOf<[roles?: string[]]>();
    expectTypeOf(Roles.get).returns.toEqualTypeOf<{ roles: string[] } | undefined>();
    expectTypeOf(Tags.get).returns.toEqualTypeOf<string[] | undefined>();
    expectTypeOf(Roles.has).returns.toEqualTypeOf<boolean>();

    // @ts-expect-error roles are strings
    const wrong = Roles([1, 2]);
    expect(typeof wrong).toBe("function");
    // @ts-expect-error a merge function must take and return the decorator's value type
    createRouteDecorator("test.badMerge", (n: number) => n, { merge: (a: string, b: string) => a + b });
  });
});
