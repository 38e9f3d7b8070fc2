import { ErrorCodes, FlagonError } from "../errors/codes.js";
import type { RouteInfo } from "../http/context.js";
import { HOOK_NAMES, type HookName, type HookSignatures, ROUTE_HOOKS, type RouteHookName } from "./names.js";
import { emptyHookLists, type HookLists } from "./use-hooks.js";

export interface HookOptions {
  /** Limits a route hook to the routes this returns true for; asked once per route at start-up. */
  appliesTo?: (route: RouteInfo) => boolean;
}

interface Entry {
  readonly fn: (...args: never[]) => unknown;
  readonly appliesTo: ((route: RouteInfo) => boolean) | undefined;
  /** Where in the source order it was added (see `Slot`). */
  readonly position: readonly number[];
  /** The slot of the plugin that added it, or the app's top level. */
  readonly owner: Slot;
}

/**
 * A place in registration order. Plugins register during `ready()`, but their hooks take the
 * place where `app.register()` was called: a plugin registered before an `app.addHook` call
 * runs its hooks first, as the source reads.
 */
export class Slot {
  private children = 0;
  /** The plugin registered at this slot (set when its `register` runs); none for the app's. */
  plugin: string | undefined;
  constructor(readonly position: readonly number[]) {}
  next(): Slot {
    this.children += 1;
    return new Slot([...this.position, this.children]);
  }
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** The hooks one route runs, exit hooks already in reverse order. */
export type RouteHooks = Readonly<HookLists>;

/** The app's hooks, by name, in registration order. */
export class HookRegistry {
  private readonly entries = new Map<HookName, Entry[]>(HOOK_NAMES.map((name) => [name, []]));
  /** Top-level order: the core's own hooks, then plugins listed in the config file, then code. */
  private readonly top = new Slot([]);
  /** The slot new hooks go into: the top level, or the plugin being registered. */
  current: Slot = this.top;
  /** Hooks the core adds for a feature of its own (`addCore`): ahead of all others. */
  private readonly coreSlot = this.top.next();
  readonly configFileSlot = this.top.next();

  /** Reserves the next place at the current level (for `app.register`). */
  reserve(): Slot {
    return this.current.next();
  }

  add<N extends HookName>(name: N, fn: HookSignatures[N], options: HookOptions = {}): void {
    const list = this.entries.get(name);
    if (!list)
      throw new FlagonError(
        ErrorCodes.HOOK,
        `unknown hook "${String(name)}"; hooks are ${HOOK_NAMES.join(", ")}`,
      );
    if (typeof fn !== "function")
      throw new FlagonError(ErrorCodes.HOOK, `the ${name} hook must be a function`);
    if (options.appliesTo !== undefined && !(ROUTE_HOOKS as readonly string[]).includes(name)) {
      throw new FlagonError(
        ErrorCodes.HOOK,
        `${name} hooks cannot be limited with appliesTo; they run for every request`,
      );
    }
    list.push({
      fn: fn,
      appliesTo: options.appliesTo,
      position: this.current.next().position,
      owner: this.current,
    });
    list.sort((a, b) => compare(a.position, b.position));
  }

  /**
   * Adds a hook of the core's own (the `@Render` interceptor) ahead of every hook of that name
   * from plugins and the app, whenever it is added; adding the same function again is a no-op.
   */
  addCore<N extends HookName>(name: N, fn: HookSignatures[N], options: HookOptions = {}): void {
    const list = this.entries.get(name) ?? [];
    if (list.some((entry) => entry.fn === fn)) return;
    const current = this.current;
    this.current = this.coreSlot;
    try {
      this.add(name, fn, options);
    } finally {
      this.current = current;
    }
  }

  /** Every hook of an app-level name (onRequest, onRoute, onReady, onListen, onClose), in registration order. */
  all<N extends HookName>(name: N): HookSignatures[N][] {
    return (this.entries.get(name) ?? []).map((e) => e.fn as HookSignatures[N]);
  }

  /** Like `all`, with the slot of the plugin (or the app's top level) that added each hook. */
  owned<N extends HookName>(name: N): Array<{ fn: HookSignatures[N]; owner: Slot }> {
    return (this.entries.get(name) ?? []).map((e) => ({ fn: e.fn as HookSignatures[N], owner: e.owner }));
  }

  /** Route hooks for requests that matched no route: global hooks without `appliesTo`. */
  unrouted(): RouteHooks {
    return this.compile(undefined, emptyHookLists(), emptyHookLists());
  }

  /** A route's hooks: global (filtered by appliesTo), then the controller's, then the method's. */
  forRoute(route: RouteInfo, classHooks: HookLists, methodHooks: HookLists): RouteHooks {
    return this.compile(route, classHooks, methodHooks);
  }

  private compile(route: RouteInfo | undefined, classHooks: HookLists, methodHooks: HookLists): RouteHooks {
    const out = emptyHookLists();
    for (const name of ROUTE_HOOKS) {
      const global = (this.entries.get(name) ?? [])
        .filter((e) => (e.appliesTo === undefined ? true : route !== undefined && e.appliesTo(route)))
        .map((e) => e.fn);
      const list = [...global, ...classHooks[name], ...methodHooks[name]] as unknown[];
      (out[name] as unknown[]) = isExit(name) ? list.reverse() : list;
    }
    return out;
  }
}

function isExit(name: RouteHookName): boolean {
  return name === "onSend" || name === "onResponse";
}
