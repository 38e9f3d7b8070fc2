import { injectable } from "tsyringe";

/** How long an instance lives: one per app, one per request, or one per injection. */
export type Scope = "singleton" | "request" | "transient";

const SCOPE = Symbol("flagon.scope");

export interface InjectableOptions {
  scope?: Scope;
}

type Class = abstract new (...args: never[]) => unknown;

/**
 * Marks a class as injectable by type. Singletons by default; `scope: "request"` gives each
 * request its own instance (and lets it inject the request's `Context`).
 *
 * @example
 * @Injectable({ scope: "request" })
 * class CurrentUser { constructor(ctx: Context) { … } }
 */
export function Injectable(options: InjectableOptions = {}): ClassDecorator {
  return (target) => {
    if (options.scope) Reflect.defineMetadata(SCOPE, options.scope, target);
    injectable()(target as unknown as new (...args: unknown[]) => unknown);
  };
}

/** The scope a class declared with `@Injectable`, if any. */
export function declaredScope(target: Class): Scope | undefined {
  return Reflect.getOwnMetadata(SCOPE, target) as Scope | undefined;
}
