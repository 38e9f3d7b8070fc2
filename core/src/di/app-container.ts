import {
  container as rootContainer,
  type DependencyContainer,
  type InjectionToken,
  instanceCachingFactory,
  instancePerContainerCachingFactory,
  Lifecycle,
} from "tsyringe";
import { ErrorCodes, FlagonError } from "../errors/codes.js";
import { Context } from "../http/context.js";
import { declaredScope, type Scope } from "./injectable.js";
import type { Provider } from "./providers.js";

type Class = abstract new (...args: never[]) => unknown;

/** What start-up learned about a token: its lifecycle and whether it needs a request. */
export interface Resolution {
  readonly scope: Scope;
  /** Something in its graph is request-scoped, so it must be resolved per request. */
  readonly perRequest: boolean;
}

type Entry =
  | { kind: "value"; value: unknown }
  | { kind: "class"; useClass: Class; scope: Scope | undefined }
  | { kind: "factory"; factory: (c: DependencyContainer) => unknown; scope: Scope | undefined };

// tsyringe keeps `@inject(token)` choices under this metadata key (its reflection helpers);
// reading it lets start-up validate interface-typed parameters too.
const INJECTION_TOKENS = "injectionTokens";
const UNINJECTABLE = new Set<unknown>([Object, String, Number, Boolean, Symbol, Array, Function, Promise]);

const LIFECYCLE: Record<Scope, Lifecycle> = {
  singleton: Lifecycle.Singleton,
  request: Lifecycle.ContainerScoped,
  transient: Lifecycle.Transient,
};

function describe(token: unknown): string {
  if (typeof token === "function") return token.name || "an anonymous class";
  if (typeof token === "string") return JSON.stringify(token);
  return String(token);
}

/**
 * The app's own DI container (a child of tsyringe's root, which the framework never registers
 * into), plus the start-up analysis that makes every unresolvable dependency a start-up error
 * and tells which routes need a per-request child container.
 */
export class AppContainer {
  readonly container: DependencyContainer = rootContainer.createChildContainer();
  private readonly entries = new Map<unknown, Entry>();
  private readonly resolved = new Map<unknown, Resolution>();
  private readonly visiting = new Set<unknown>();

  addProvider(provider: Provider): void {
    if (typeof provider === "function") {
      this.entries.set(provider, { kind: "class", useClass: provider, scope: undefined });
    } else if ("useValue" in provider) {
      this.entries.set(provider.provide, { kind: "value", value: provider.useValue });
    } else if ("useClass" in provider) {
      this.entries.set(provider.provide, {
        kind: "class",
        useClass: provider.useClass,
        scope: provider.scope,
      });
    } else {
      this.entries.set(provider.provide, {
        kind: "factory",
        factory: provider.useFactory,
        scope: provider.scope,
      });
    }
  }

  /** Validates and registers every provider given to the app. */
  prepareProviders(): void {
    for (const token of this.entries.keys()) this.analyze(token, []);
  }

  /** Validates a controller's dependency graph and registers what it reaches. */
  prepareController(controller: Class): Resolution {
    try {
      return this.analyze(controller, []);
    } catch (error) {
      if (error instanceof FlagonError) {
        throw new FlagonError(
          error.code,
          `cannot build controller ${controller.name}: ${stripCode(error.message)}`,
        );
      }
      throw error;
    }
  }

  /** A child container for one request, where `Context` resolves to that request's context. */
  forRequest(ctx: Context): DependencyContainer {
    const child = this.container.createChildContainer();
    child.register(Context, { useValue: ctx });
    return child;
  }

  private analyze(token: unknown, trail: readonly string[]): Resolution {
    if (token === Context) return { scope: "request", perRequest: true };
    const known = this.resolved.get(token);
    if (known) return known;
    const entry = this.entries.get(token);
    let result: Resolution;
    if (entry?.kind === "value") {
      this.container.register(token as InjectionToken, { useValue: entry.value });
      result = { scope: "singleton", perRequest: false };
    } else if (entry?.kind === "factory") {
      const scope = entry.scope ?? "singleton";
      const factory =
        scope === "singleton"
          ? instanceCachingFactory(entry.factory)
          : scope === "request"
            ? instancePerContainerCachingFactory(entry.factory)
            : entry.factory;
      this.container.register(token as InjectionToken, { useFactory: factory });
      result = { scope, perRequest: scope === "request" };
    } else if (entry?.kind === "class") {
      result = this.analyzeClass(entry.useClass, entry.scope, trail);
      const useClass = entry.useClass as new (...args: unknown[]) => unknown;
      if (token !== entry.useClass) {
        this.container.register(
          token as InjectionToken,
          { useClass },
          { lifecycle: LIFECYCLE[result.scope] },
        );
      }
    } else if (this.container.isRegistered(token as InjectionToken, true)) {
      // Registered on app.container by hand: opaque to the analysis, resolved as registered.
      result = { scope: "singleton", perRequest: false };
    } else if (typeof token === "function") {
      result = this.analyzeClass(token as Class, undefined, trail);
    } else {
      const where = trail.length > 0 ? `${trail.join(" → ")} needs` : "needs";
      throw new FlagonError(ErrorCodes.DI_UNRESOLVED, `${where} ${describe(token)}, which is not registered`);
    }
    this.resolved.set(token, result);
    return result;
  }

  private analyzeClass(cls: Class, explicit: Scope | undefined, trail: readonly string[]): Resolution {
    if (this.visiting.has(cls)) {
      throw new FlagonError(
        ErrorCodes.DI_UNRESOLVED,
        `circular dependency: ${[...trail, cls.name].join(" → ")} (break it with tsyringe's delay())`,
      );
    }
    this.visiting.add(cls);
    try {
      const types = Reflect.getMetadata("design:paramtypes", cls) as unknown[] | undefined;
      if (cls.length > 0 && !types) {
        throw new FlagonError(
          ErrorCodes.DI_UNRESOLVED,
          `${cls.name} has constructor parameters but no type metadata. Likely causes: the class is ` +
            `not decorated (add @Injectable()); emitDecoratorMetadata (with experimentalDecorators) is ` +
            `off in the tsconfig that compiled it; or it runs under a tool that drops decorator ` +
            `metadata (tsx, esbuild, plain Node type stripping): run it with flagon start/dev, or ` +
            `build with tsc`,
        );
      }
      const chosen =
        (Reflect.getOwnMetadata(INJECTION_TOKENS, cls) as Record<number, unknown> | undefined) ?? {};
      let perRequest = false;
      const count = Math.max(types?.length ?? 0, cls.length);
      for (let index = 0; index < count; index++) {
        let dep = chosen[index] ?? types?.[index];
        if (dep !== null && typeof dep === "object" && "token" in dep) dep = dep.token;
        if (dep !== null && typeof dep === "object" && "createProxy" in dep) continue; // delay(() => X)
        const at = `${cls.name} parameter #${index}`;
        if (dep === undefined || UNINJECTABLE.has(dep)) {
          const typed =
            dep === undefined
              ? "has no runtime type (an import cycle, or `import type`?)"
              : `is typed ${describe(dep)}`;
          throw new FlagonError(
            ErrorCodes.DI_UNRESOLVED,
            `${[...trail, at].join(" → ")} ${typed}; inject interfaces and values with @inject(token)`,
          );
        }
        if (this.analyze(dep, [...trail, at]).perRequest) perRequest = true;
      }
      const declared = explicit ?? declaredScope(cls);
      if (perRequest && declared === "singleton") {
        throw new FlagonError(
          ErrorCodes.DI_SCOPE,
          `singleton ${cls.name} depends on a request-scoped provider`,
        );
      }
      // An undeclared class that needs a request-scoped dependency becomes request-scoped itself.
      const scope = declared ?? (perRequest ? "request" : "singleton");
      if (!this.container.isRegistered(cls as InjectionToken, false)) {
        this.container.register(
          cls as InjectionToken,
          { useClass: cls as new (...args: unknown[]) => unknown },
          {
            lifecycle: LIFECYCLE[scope],
          },
        );
      }
      const result = { scope, perRequest: perRequest || scope === "request" };
      this.resolved.set(cls, result);
      return result;
    } finally {
      this.visiting.delete(cls);
    }
  }
}

function stripCode(message: string): string {
  return message.replace(/^FLAGON_ERR_[A-Z_]+: /, "");
}
