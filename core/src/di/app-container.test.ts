import "reflect-metadata";
import { container as globalContainer, delay, inject } from "tsyringe";
import { describe, expect, test } from "vitest";
import { ErrorCodes, FlagonError } from "../errors/codes.js";
import { Context } from "../http/context.js";
import { AppContainer } from "./app-container.js";
import { Injectable } from "./injectable.js";

// A stand-in for a request's Context: forRequest only stores it.
const fakeContext = (label: string): never => ({ label }) as never;

function diError(fn: () => unknown): FlagonError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(FlagonError);
    return error as FlagonError;
  }
  throw new Error("expected a FlagonError, nothing was thrown");
}

@Injectable()
class Repo {}

@Injectable()
class Service {
  constructor(readonly repo: Repo) {}
}

@Injectable()
class Controller1 {
  constructor(readonly service: Service) {}
}

@Injectable({ scope: "request" })
class CurrentUser {
  constructor(readonly ctx: Context) {}
}

/** Declares no scope but needs a request-scoped class: becomes request-scoped itself. */
@Injectable()
class Greeter {
  constructor(
    readonly user: CurrentUser,
    readonly repo: Repo,
  ) {}
}

@Injectable()
class UsesGreeter {
  constructor(readonly greeter: Greeter) {}
}

@Injectable({ scope: "singleton" })
class ExplicitSingleton {
  constructor(readonly user: CurrentUser) {}
}

@Injectable({ scope: "singleton" })
class SingletonWithContext {
  constructor(readonly ctx: Context) {}
}

@Injectable()
class NeedsToken {
  constructor(
    readonly repo: Repo,
    @inject("tok") readonly value: string,
  ) {}
}

@Injectable()
class Outer {
  constructor(readonly inner: NeedsToken) {}
}

interface Mailer {
  send(to: string): void;
}

@Injectable()
class UsesInterface {
  constructor(
    readonly repo: Repo,
    readonly mailer: Mailer,
  ) {}
}

@Injectable()
class UsesInjectedInterface {
  constructor(@inject("mailer") readonly mailer: Mailer) {}
}

class Undecorated {
  constructor(readonly repo: Repo) {}
}

@Injectable()
class CycleA {
  constructor(@inject("cycleB") readonly b: unknown) {}
}

@Injectable()
class CycleB {
  constructor(readonly a: CycleA) {}
}

@Injectable()
class SelfCycle {
  constructor(readonly self: SelfCycle) {}
}

@Injectable()
class DelayedA {
  constructor(@inject(delay(() => DelayedB)) readonly b: unknown) {}
}

@Injectable()
class DelayedB {}

@Injectable({ scope: "transient" })
class Fresh {}

@Injectable()
class TakesFresh {
  constructor(
    readonly a: Fresh,
    readonly b: Fresh,
  ) {}
}

@Injectable()
class NeedsFactoryValue {
  constructor(@inject("perRequest") readonly value: { n: number }) {}
}

describe("AppContainer", () => {
  test("its container is a child of tsyringe's root, never the root itself", () => {
    const di = new AppContainer();
    expect(di.container).not.toBe(globalContainer);
  });

  describe("scopes", () => {
    test("classes are singletons by default, their graph registered on the app's container", () => {
      const di = new AppContainer();
      expect(di.prepareController(Controller1)).toEqual({ scope: "singleton", perRequest: false });
      const a = di.container.resolve(Controller1);
      const b = di.container.resolve(Controller1);
      expect(a).toBe(b);
      expect(a.service).toBe(di.container.resolve(Service));
      expect(a.service.repo).toBe(di.container.resolve(Repo));
      expect(di.container.isRegistered(Repo)).toBe(true);
    });

    test("singletons resolved through request containers are still one instance", () => {
      const di = new AppContainer();
      di.prepareController(Controller1);
      const one = di.forRequest(fakeContext("1")).resolve(Controller1);
      const two = di.forRequest(fakeContext("2")).resolve(Controller1);
      expect(one).toBe(two);
      expect(one).toBe(di.container.resolve(Controller1));
    });

    test("a request-scoped class gets one instance per request and that request's Context", () => {
      const di = new AppContainer();
      expect(di.prepareController(CurrentUser)).toEqual({ scope: "request", perRequest: true });
      const ctx1 = fakeContext("1");
      const ctx2 = fakeContext("2");
      const r1 = di.forRequest(ctx1);
      const r2 = di.forRequest(ctx2);
      const u1 = r1.resolve(CurrentUser);
      expect(r1.resolve(CurrentUser)).toBe(u1);
      expect(u1.ctx).toBe(ctx1);
      const u2 = r2.resolve(CurrentUser);
      expect(u2).not.toBe(u1);
      expect(u2.ctx).toBe(ctx2);
    });

    test("request scope bubbles up to undeclared classes that depend on a request-scoped one", () => {
      const di = new AppContainer();
      expect(di.prepareController(UsesGreeter)).toEqual({ scope: "request", perRequest: true });
      const r1 = di.forRequest(fakeContext("1"));
      const r2 = di.forRequest(fakeContext("2"));
      const g1 = r1.resolve(UsesGreeter);
      expect(r1.resolve(UsesGreeter)).toBe(g1);
      expect(g1.greeter).toBe(r1.resolve(Greeter));
      expect(g1.greeter.user).toBe(r1.resolve(CurrentUser));
      const g2 = r2.resolve(UsesGreeter);
      expect(g2).not.toBe(g1);
      expect(g2.greeter.user).not.toBe(g1.greeter.user);
      // the singleton in the graph stays shared
      expect(g2.greeter.repo).toBe(g1.greeter.repo);
    });

    test("an undeclared class injecting Context directly becomes request-scoped", () => {
      @Injectable()
      class WantsContext {
        constructor(readonly ctx: Context) {}
      }
      const di = new AppContainer();
      expect(di.prepareController(WantsContext)).toEqual({ scope: "request", perRequest: true });
    });

    test("an explicit singleton depending on a request-scoped class is FLAGON_ERR_DI_SCOPE", () => {
      const error = diError(() => new AppContainer().prepareController(ExplicitSingleton));
      expect(error.code).toBe(ErrorCodes.DI_SCOPE);
      expect(error.message).toMatch(/singleton ExplicitSingleton depends on a request-scoped provider/);
      expect(error.message).toMatch(/cannot build controller ExplicitSingleton/);
      expect(diError(() => new AppContainer().prepareController(SingletonWithContext)).code).toBe(
        ErrorCodes.DI_SCOPE,
      );
    });

    test("a provider's explicit singleton scope over a request-scoped graph is FLAGON_ERR_DI_SCOPE", () => {
      const di = new AppContainer();
      di.addProvider({ provide: "greeter", useClass: Greeter, scope: "singleton" });
      expect(diError(() => di.prepareProviders()).code).toBe(ErrorCodes.DI_SCOPE);
    });

    test("transient classes give a new instance per injection", () => {
      const di = new AppContainer();
      expect(di.prepareController(TakesFresh)).toEqual({ scope: "singleton", perRequest: false });
      const taker = di.container.resolve(TakesFresh);
      expect(taker.a).toBeInstanceOf(Fresh);
      expect(taker.a).not.toBe(taker.b);
    });
  });

  describe("start-up errors", () => {
    test("an unregistered string token names the whole trail", () => {
      const error = diError(() => new AppContainer().prepareController(Outer));
      expect(error.code).toBe(ErrorCodes.DI_UNRESOLVED);
      expect(error.message).toContain('Outer parameter #0 → NeedsToken parameter #1 needs "tok"');
      expect(error.message).toMatch(/which is not registered/);
      expect(error.message).toMatch(/^FLAGON_ERR_DI_UNRESOLVED: cannot build controller Outer: /);
    });

    test("the same token resolves once provided", () => {
      const di = new AppContainer();
      di.addProvider({ provide: "tok", useValue: "secret" });
      di.prepareController(Outer);
      expect(di.container.resolve(Outer).inner.value).toBe("secret");
    });

    test("an interface-typed parameter without @inject says to use @inject", () => {
      const error = diError(() => new AppContainer().prepareController(UsesInterface));
      expect(error.code).toBe(ErrorCodes.DI_UNRESOLVED);
      expect(error.message).toMatch(/UsesInterface parameter #1 is typed Object/);
      expect(error.message).toMatch(/@inject\(token\)/);
    });

    test("an interface injected with @inject(token) resolves to the provided value", () => {
      const mailer: Mailer = { send() {} };
      const di = new AppContainer();
      di.addProvider({ provide: "mailer", useValue: mailer });
      di.prepareController(UsesInjectedInterface);
      expect(di.container.resolve(UsesInjectedInterface).mailer).toBe(mailer);
    });

    test("a class with constructor parameters but no decorator (no type metadata) is an error", () => {
      const error = diError(() => new AppContainer().prepareController(Undecorated));
      expect(error.code).toBe(ErrorCodes.DI_UNRESOLVED);
      expect(error.message).toMatch(/Undecorated has constructor parameters but no type metadata/);
      expect(error.message).toMatch(/@Injectable\(\)/);
      // issue 11: the other likely causes, not only the missing decorator
      expect(error.message).toMatch(/emitDecoratorMetadata/);
      expect(error.message).toMatch(/tsx, esbuild/);
    });

    test("a circular dependency names the cycle", () => {
      const di = new AppContainer();
      di.addProvider({ provide: "cycleB", useClass: CycleB });
      const error = diError(() => di.prepareController(CycleA));
      expect(error.code).toBe(ErrorCodes.DI_UNRESOLVED);
      expect(error.message).toContain(
        "circular dependency: CycleA parameter #0 → CycleB parameter #0 → CycleA",
      );
      expect(error.message).toMatch(/delay\(\)/);
    });

    test("a class depending on itself is a cycle", () => {
      const error = diError(() => new AppContainer().prepareController(SelfCycle));
      expect(error.message).toContain("circular dependency: SelfCycle parameter #0 → SelfCycle");
    });

    test("a delay()ed dependency is not followed, so it is no error", () => {
      const di = new AppContainer();
      expect(() => di.prepareController(DelayedA)).not.toThrow();
    });

    test("a failed analysis leaves no class half-visited: a later valid graph still prepares", () => {
      const di = new AppContainer();
      diError(() => di.prepareController(Outer));
      di.addProvider({ provide: "tok", useValue: "later" });
      expect(() => di.prepareController(Outer)).not.toThrow();
    });
  });

  describe("providers", () => {
    test("useValue registers the value as is", () => {
      const di = new AppContainer();
      const value = { url: "sqlite::memory:" };
      di.addProvider({ provide: "config", useValue: value });
      di.prepareProviders();
      expect(di.container.resolve("config")).toBe(value);
    });

    test("useClass under a token builds that class with its dependencies", () => {
      const di = new AppContainer();
      di.addProvider({ provide: "svc", useClass: Service });
      di.prepareProviders();
      const svc = di.container.resolve<Service>("svc");
      expect(svc).toBeInstanceOf(Service);
      expect(svc.repo).toBeInstanceOf(Repo);
      expect(di.container.resolve("svc")).toBe(svc);
    });

    test("a class provider registers the class", () => {
      const di = new AppContainer();
      di.addProvider(Service);
      di.prepareProviders();
      expect(di.container.isRegistered(Service)).toBe(true);
    });

    test("useFactory defaults to a singleton: called once", () => {
      const di = new AppContainer();
      let calls = 0;
      di.addProvider({ provide: "f", useFactory: () => ({ n: ++calls }) });
      di.prepareProviders();
      expect(di.container.resolve("f")).toBe(di.container.resolve("f"));
      expect(di.forRequest(fakeContext("1")).resolve("f")).toBe(di.container.resolve("f"));
      expect(calls).toBe(1);
    });

    test("useFactory with scope request: one instance per request container", () => {
      const di = new AppContainer();
      let calls = 0;
      di.addProvider({ provide: "perRequest", useFactory: () => ({ n: ++calls }), scope: "request" });
      expect(di.prepareController(NeedsFactoryValue)).toEqual({ scope: "request", perRequest: true });
      const r1 = di.forRequest(fakeContext("1"));
      const r2 = di.forRequest(fakeContext("2"));
      const a = r1.resolve<{ n: number }>("perRequest");
      expect(r1.resolve("perRequest")).toBe(a);
      expect(r1.resolve(NeedsFactoryValue).value).toBe(a);
      const b = r2.resolve<{ n: number }>("perRequest");
      expect(b).not.toBe(a);
      expect(r2.resolve(NeedsFactoryValue).value).toBe(b);
      expect(calls).toBe(2);
    });

    test("useFactory with scope transient: called on every resolve", () => {
      const di = new AppContainer();
      let calls = 0;
      di.addProvider({ provide: "t", useFactory: () => ({ n: ++calls }), scope: "transient" });
      di.prepareProviders();
      expect(di.container.resolve("t")).not.toBe(di.container.resolve("t"));
      expect(calls).toBe(2);
    });

    test("the factory gets a container to resolve from", () => {
      const di = new AppContainer();
      di.addProvider({ provide: "name", useValue: "flagon" });
      di.addProvider({ provide: "greeting", useFactory: (c) => `hello ${c.resolve<string>("name")}` });
      di.prepareProviders();
      expect(di.container.resolve("greeting")).toBe("hello flagon");
    });

    test("a token registered on the container by hand is taken as is", () => {
      const di = new AppContainer();
      di.container.register("tok", { useValue: "by hand" });
      expect(() => di.prepareController(Outer)).not.toThrow();
      expect(di.container.resolve(Outer).inner.value).toBe("by hand");
    });
  });

  describe("isolation", () => {
    test("two AppContainers share no instances", () => {
      const one = new AppContainer();
      const two = new AppContainer();
      one.prepareController(Controller1);
      two.prepareController(Controller1);
      const a = one.container.resolve(Controller1);
      const b = two.container.resolve(Controller1);
      expect(a).not.toBe(b);
      expect(a.service.repo).not.toBe(b.service.repo);
    });

    test("a provider of one AppContainer is unknown to another", () => {
      const one = new AppContainer();
      one.addProvider({ provide: "tok", useValue: "one" });
      one.prepareController(Outer);
      expect(diError(() => new AppContainer().prepareController(Outer)).code).toBe(ErrorCodes.DI_UNRESOLVED);
    });

    test("tsyringe's global container stays empty", () => {
      const di = new AppContainer();
      di.addProvider({ provide: "tok", useValue: "x" });
      di.addProvider({ provide: "perRequest", useFactory: () => ({ n: 1 }), scope: "request" });
      di.prepareProviders();
      di.prepareController(Outer);
      di.prepareController(UsesGreeter);
      di.prepareController(NeedsFactoryValue);
      di.forRequest(fakeContext("1")).resolve(UsesGreeter);
      for (const token of [
        Outer,
        NeedsToken,
        Repo,
        UsesGreeter,
        Greeter,
        CurrentUser,
        NeedsFactoryValue,
        Context,
      ]) {
        expect(globalContainer.isRegistered(token), token.name).toBe(false);
      }
      for (const token of ["tok", "perRequest"]) expect(globalContainer.isRegistered(token)).toBe(false);
    });
  });
});
