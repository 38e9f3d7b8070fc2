import { ErrorCodes, FlagonError } from "../errors/codes.js";
import type { HookSignatures, RouteHookName } from "./names.js";

/** Route hooks given to `@UseHooks`: one function or several per name. */
export type ScopedHooks = {
  [N in RouteHookName]?: HookSignatures[N] | readonly HookSignatures[N][];
};

export type HookLists = { [N in RouteHookName]: HookSignatures[N][] };

const SCOPED = Symbol("flagon.hooks");

export function emptyHookLists(): HookLists {
  return { preHandler: [], intercept: [], onSend: [], onResponse: [], onError: [] };
}

/**
 * Hooks for one controller (on the class) or one route (on a method). They run after the
 * global hooks on entry and before them on exit.
 *
 * @example
 * @UseHooks({ preHandler: requireAdmin })
 * @Controller("/admin") class Admin { … }
 */
export function UseHooks(hooks: ScopedHooks): ClassDecorator & MethodDecorator {
  return (target: object, propertyKey?: string | symbol) => {
    const list =
      (Reflect.getOwnMetadata(SCOPED, target, propertyKey as string) as HookLists | undefined) ??
      emptyHookLists();
    for (const name of Object.keys(hooks) as (keyof ScopedHooks)[]) {
      if (!(name in list)) {
        throw new FlagonError(
          ErrorCodes.HOOK,
          `@UseHooks takes preHandler, intercept, onSend, onResponse and onError; "${String(name)}" is global only`,
        );
      }
      const value = hooks[name] as unknown;
      if (value === undefined) continue;
      const fns = typeof value === "function" ? [value] : [...(value as unknown[])];
      (list[name] as unknown[]).push(...fns);
    }
    Reflect.defineMetadata(SCOPED, list, target, propertyKey as string);
  };
}

/** Hooks declared with `@UseHooks` on a class (no property key) or on one of its methods. */
export function scopedHooks(target: object, propertyKey?: string): HookLists {
  return (
    (Reflect.getOwnMetadata(SCOPED, target, propertyKey as string) as HookLists | undefined) ??
    emptyHookLists()
  );
}
