import "reflect-metadata";
import { describe, expect, test } from "vitest";
import { Flagon, Controller, Get, Post, Injectable, inject, Context, FlagonError } from "@flagon/core";
import { allowOf, startupError } from "./helpers.js";

// Controllers are built by the app's own tsyringe container: constructor injection by type,
// singletons by default, request scope, tokens, start-up errors, isolation between apps.

let seq = 0;
const nextId = () => ++seq;

@Injectable()
class Repo {
  readonly id = nextId();
}

/** Listed in `providers` as a bare class, not decorated. */
class Clock {
  readonly id = nextId();
  now() {
    return 1234;
  }
}

@Controller("/single")
class SingleCtl {
  readonly id = nextId();
  constructor(
    private readonly repo: Repo,
    private readonly clock: Clock,
  ) {}

  @Get()
  show() {
    return { ctl: this.id, repo: this.repo.id, clock: this.clock.id, now: this.clock.now() };
  }
}

@Injectable({ scope: "request" })
class RequestInfo {
  readonly id = nextId();
  constructor(readonly ctx: Context) {}
}

@Injectable({ scope: "request" })
class Auditor {
  constructor(readonly info: RequestInfo) {}
}

@Controller("/req")
class RequestCtl {
  constructor(
    private readonly info: RequestInfo,
    private readonly auditor: Auditor,
    private readonly repo: Repo,
  ) {}

  @Get()
  show() {
    return {
      info: this.info.id,
      sameWithinRequest: this.auditor.info === this.info,
      tag: this.info.ctx.request.header("x-tag") ?? null,
      path: this.info.ctx.request.path,
      repo: this.repo.id,
    };
  }
}

interface Greeter {
  greet(name: string): string;
}
class LoudGreeter implements Greeter {
  greet(name: string) {
    return `HELLO ${name.toUpperCase()}`;
  }
}

@Controller("/tokens")
class TokenCtl {
  constructor(
    @inject("greeting") private readonly greeting: string,
    @inject("answer") private readonly answer: number,
    @inject("Greeter") private readonly greeter: Greeter,
  ) {}

  @Get()
  show() {
    return { greeting: this.greeting, answer: this.answer, greet: this.greeter.greet("bob") };
  }
}

function singleApp() {
  return new Flagon({ controllers: [SingleCtl, RequestCtl], providers: [Clock], logger: false });
}

describe("constructor injection", () => {
  test("controllers get their dependencies by type; singletons are shared across requests", async () => {
    const app = singleApp();
    const a = (await app.inject({ url: "/single" })).json<Record<string, number>>();
    const b = (await app.inject({ url: "/single" })).json<Record<string, number>>();
    expect(a.now).toBe(1234);
    expect(a.ctl).toBeTypeOf("number");
    expect(b).toEqual(a); // same controller, repo and clock instances
    expect(app.container.resolve(Repo).id).toBe(a.repo);
  });

  test("request scope: a fresh instance per request, shared within the request, with that request's Context", async () => {
    const app = singleApp();
    const one = (await app.inject({ url: "/req", headers: { "x-tag": "one" } })).json<
      Record<string, unknown>
    >();
    const two = (await app.inject({ url: "/req", headers: { "x-tag": "two" } })).json<
      Record<string, unknown>
    >();
    expect(one.tag).toBe("one");
    expect(two.tag).toBe("two");
    expect(one.path).toBe("/req");
    expect(one.info).not.toBe(two.info);
    expect(one.sameWithinRequest).toBe(true);
    expect(two.sameWithinRequest).toBe(true);
    // The singleton dependency is still a singleton.
    expect(one.repo).toBe(two.repo);
  });

  test("request-scoped instances do not leak between concurrent requests", async () => {
    const app = singleApp();
    await app.ready();
    const tags = Array.from({ length: 20 }, (_, i) => `t${i}`);
    const results = await Promise.all(
      tags.map((tag) => app.inject({ url: "/req", headers: { "x-tag": tag } })),
    );
    const bodies = results.map((r) => r.json<{ tag: string; info: number }>());
    expect(bodies.map((b) => b.tag)).toEqual(tags);
    expect(new Set(bodies.map((b) => b.info)).size).toBe(tags.length);
  });

  test("@inject(token) with useValue, useFactory and useClass providers", async () => {
    const app = new Flagon({
      controllers: [TokenCtl],
      providers: [
        { provide: "greeting", useValue: "hola" },
        { provide: "answer", useFactory: () => 42 },
        { provide: "Greeter", useClass: LoudGreeter },
      ],
      logger: false,
    });
    const res = await app.inject({ url: "/tokens" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ greeting: "hola", answer: 42, greet: "HELLO BOB" });
  });
});

describe("unresolvable dependencies", () => {
  test("a missing provider → ready() rejects with FLAGON_ERR_DI_UNRESOLVED naming controller, #0 and token", async () => {
    @Controller("/missing")
    class NeedsMissing {
      constructor(@inject("missing.token") readonly value: string) {}
      @Get()
      show() {
        return this.value;
      }
    }
    const err = await startupError(() => new Flagon({ controllers: [NeedsMissing], logger: false }));
    expect(err.code).toBe("FLAGON_ERR_DI_UNRESOLVED");
    expect(err.message).toContain("NeedsMissing");
    expect(err.message).toContain("#0");
    expect(err.message).toContain("missing.token");
  });

  test("the message names the right parameter index", async () => {
    @Controller("/missing2")
    class NeedsSecond {
      constructor(
        readonly repo: Repo,
        @inject("absent.token") readonly value: string,
      ) {}
      @Get()
      show() {
        return this.value;
      }
    }
    const err = await startupError(() => new Flagon({ controllers: [NeedsSecond], logger: false }));
    expect(err.code).toBe("FLAGON_ERR_DI_UNRESOLVED");
    expect(err.message).toContain("NeedsSecond");
    expect(err.message).toContain("#1");
    expect(err.message).not.toContain("#0");
    expect(err.message).toContain("absent.token");
  });

  test("inject() rejects too, so a broken app never answers", async () => {
    @Controller("/missing3")
    class NeedsThird {
      constructor(@inject("nope") readonly value: string) {}
      @Get()
      show() {
        return this.value;
      }
    }
    const app = new Flagon({ controllers: [NeedsThird], logger: false });
    await expect(app.inject({ url: "/missing3" })).rejects.toBeInstanceOf(FlagonError);
  });
});

describe("isolation between apps", () => {
  @Injectable()
  class Counter {
    n = 0;
    inc() {
      return ++this.n;
    }
  }

  @Controller("/count")
  class CountCtl {
    constructor(
      private readonly counter: Counter,
      @inject("label") private readonly label: string,
    ) {}
    @Get()
    hit() {
      return { label: this.label, n: this.counter.inc() };
    }
  }

  test("two apps with different providers for the same token don't share instances", async () => {
    const a = new Flagon({
      controllers: [CountCtl],
      providers: [{ provide: "label", useValue: "A" }],
      logger: false,
    });
    const b = new Flagon({
      controllers: [CountCtl],
      providers: [{ provide: "label", useValue: "B" }],
      logger: false,
    });
    expect((await a.inject({ url: "/count" })).json()).toEqual({ label: "A", n: 1 });
    expect((await a.inject({ url: "/count" })).json()).toEqual({ label: "A", n: 2 });
    expect((await b.inject({ url: "/count" })).json()).toEqual({ label: "B", n: 1 });
    expect((await a.inject({ url: "/count" })).json()).toEqual({ label: "A", n: 3 });
    expect(a.container.resolve(Counter)).not.toBe(b.container.resolve(Counter));
    expect(a.container).not.toBe(b.container);
  });
});

describe("function routes", () => {
  test('app.get("/", () => "hi")', async () => {
    const app = new Flagon({ logger: false });
    app.get("/", () => "hi");
    const res = await app.inject({ url: "/" });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe("hi");
  });

  test('app.route(path, ["GET", "POST"], handler)', async () => {
    const app = new Flagon({ logger: false });
    app.route("/both", ["GET", "POST"], (ctx: Context) => ({ method: ctx.request.method }));
    expect((await app.inject({ method: "GET", url: "/both" })).json()).toEqual({ method: "GET" });
    expect((await app.inject({ method: "POST", url: "/both" })).json()).toEqual({ method: "POST" });
    const put = await app.inject({ method: "PUT", url: "/both" });
    expect(put.statusCode).toBe(405);
    expect(allowOf(put)).toEqual(["GET", "HEAD", "OPTIONS", "POST"]);
  });

  test("app.post/put/patch/delete shortcuts", async () => {
    const app = new Flagon({ logger: false });
    app.post("/m", () => "post", { endpoint: "m.post" });
    app.put("/m", () => "put", { endpoint: "m.put" });
    app.patch("/m", () => "patch", { endpoint: "m.patch" });
    app.delete("/m", () => "delete", { endpoint: "m.delete" });
    for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
      const res = await app.inject({ method, url: "/m" });
      expect(res.body).toBe(method.toLowerCase());
    }
    expect((await app.inject({ method: "GET", url: "/m" })).statusCode).toBe(405);
  });

  test("function routes and controllers live side by side", async () => {
    @Controller("/side")
    class Side {
      @Post("/")
      make() {
        return { from: "controller" };
      }
    }
    const app = new Flagon({ controllers: [Side], logger: false });
    app.get("/side/", () => ({ from: "function" }));
    expect((await app.inject({ method: "GET", url: "/side/" })).json()).toEqual({ from: "function" });
    expect((await app.inject({ method: "POST", url: "/side/" })).json()).toEqual({ from: "controller" });
  });
});
