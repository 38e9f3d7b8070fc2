import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { LoadedConfig } from "../config/load.js";
import { mergeConfig } from "../config/merge.js";
import { isSecretKey } from "../config/secrets.js";
import { ErrorCodes, FlagonError } from "../errors/codes.js";
import type { HookRegistry, Slot } from "../hooks/registry.js";
import { orderPlugins } from "./plugin-order.js";
import { checkPluginCompatibility, type FlagonPlugin, importPlugin, runRegister } from "./plugins.js";

/** What the queue needs of the app: its config and root, and itself to hand to `register`. */
interface PluginApp {
  readonly root: string;
  readonly config: Readonly<Record<string, unknown>>;
}

// Any plugin fits, whatever options and app type it was declared with.
type AnyPlugin = FlagonPlugin<unknown, never>;

/** A plugin alone, or with the options that override its config section. */
export type PluginEntry = AnyPlugin | readonly [AnyPlugin, unknown?];

function issuePath(issue: StandardSchemaV1.Issue): string[] {
  return (issue.path ?? []).map((p) => String(typeof p === "object" ? p.key : p));
}

function valueAt(value: unknown, path: readonly string[]): unknown {
  let node = value;
  for (const key of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** A schema's message about a secret-looking key, with the value cut out should it echo it. */
function scrub(message: string, path: readonly string[], merged: unknown): string {
  if (!path.some(isSecretKey)) return message;
  const value = valueAt(merged, path);
  if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") return message;
  const text = String(value);
  return text === "" ? message : message.split(text).join("[redacted]");
}

function has(value: unknown, path: readonly string[]): boolean {
  let node = value;
  for (const key of path) {
    if (node === null || typeof node !== "object" || !Object.hasOwn(node, key)) return false;
    node = (node as Record<string, unknown>)[key];
  }
  return true;
}

/**
 * Puts queued plugins in dependency / before / after order. Each takes the slot (place in hook
 * order) of the one whose place it takes, so a plugin sorted first also runs its hooks first.
 */
function ordered(queue: ReadonlyArray<[AnyPlugin, unknown, Slot]>): Array<[AnyPlugin, unknown, Slot]> {
  const sorted = orderPlugins(queue, ([plugin]) => plugin);
  return sorted.map(([plugin, options], i) => [plugin, options, (queue[i] as [AnyPlugin, unknown, Slot])[2]]);
}

/**
 * Registers plugins in order during `ready()`: those listed in the config file first, then those
 * given in code, sorted so dependencies and `after` names come first and `before` names later
 * (otherwise as listed). Plugins registered from inside a plugin run right after it. Each is checked
 * (duplicate, core range, dependencies), gets its validated options, and must settle in time.
 */
export class PluginQueue {
  /** Registered plugins so far: name → version. */
  readonly registered = new Map<string, string | undefined>();
  /** Core feature → the first registered plugin that requires it. */
  readonly required = new Map<string, string>();
  /** Each registered plugin's validated options (what its `register` got): name → options. */
  readonly options = new Map<string, unknown>();
  /** The slot of the plugin whose `register` failed, if one did (its onClose hooks never run). */
  failed: Slot | undefined;
  private pending: Array<[AnyPlugin, unknown, Slot]> = [];
  private nested: Array<[AnyPlugin, unknown, Slot]> | undefined;

  constructor(
    private readonly app: PluginApp,
    private readonly hooks: HookRegistry,
  ) {}

  /** Queues a plugin; `slot` is its place in hook order (where `register` was called). */
  add(entry: PluginEntry, slot: Slot): void {
    const [plugin, options] = Array.isArray(entry)
      ? (entry as readonly [AnyPlugin, unknown?])
      : [entry as AnyPlugin, undefined];
    (this.nested ?? this.pending).push([plugin, options, slot]);
  }

  /** Registers the queued plugins; `timeout` is `config.pluginTimeout`, parsed. */
  async run(loaded: LoadedConfig, timeout: number): Promise<void> {
    const queue = ordered([...(await this.fromConfigFile(loaded)), ...this.pending]);
    this.pending = [];
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [plugin, given, slot] = next;
      checkPluginCompatibility(plugin, this.registered);
      const options = await this.optionsFor(plugin, given, loaded);
      this.registered.set(plugin.name, plugin.version);
      this.options.set(plugin.name, options);
      for (const feature of plugin.requires ?? []) {
        if (!this.required.has(feature)) this.required.set(feature, plugin.name);
      }
      // app.config shows the section as the plugin's schema produced it, not as it was written.
      if (plugin.configKey !== undefined) {
        (this.app.config as Record<string, unknown>)[plugin.configKey] = options;
      }
      this.nested = [];
      const outer = this.hooks.current;
      this.hooks.current = slot;
      slot.plugin = plugin.name;
      try {
        await runRegister(() => plugin.register(this.app as never, options), plugin.name, timeout);
        queue.unshift(...ordered(this.nested));
      } catch (error) {
        this.failed = slot;
        throw error;
      } finally {
        this.nested = undefined;
        this.hooks.current = outer;
      }
    }
  }

  /** `plugins: ["flagon-plugin-x", ["@flagon/cache", { ttl: 60 }]]` in the config file. */
  private async fromConfigFile(loaded: LoadedConfig): Promise<Array<[AnyPlugin, unknown, Slot]>> {
    const list = loaded.config["plugins"];
    if (list === undefined) return [];
    const where = loaded.sourceOf(["plugins"]).label;
    if (!Array.isArray(list)) {
      throw new FlagonError(
        ErrorCodes.INVALID_CONFIG,
        `config.plugins (from ${where}) must be a list of package names`,
      );
    }
    const out: Array<[AnyPlugin, unknown, Slot]> = [];
    for (const item of list as unknown[]) {
      const [name, options] = Array.isArray(item) ? (item as unknown[]) : [item];
      if (typeof name !== "string") {
        throw new FlagonError(
          ErrorCodes.INVALID_CONFIG,
          `config.plugins (from ${where}) must list package names or [name, options] pairs`,
        );
      }
      out.push([await importPlugin(name, this.app.root), options, this.hooks.configFileSlot.next()]);
    }
    return out;
  }

  /** The plugin's config section with the given options over it, validated by its schema. */
  private async optionsFor(plugin: AnyPlugin, given: unknown, loaded: LoadedConfig): Promise<unknown> {
    const key = plugin.configKey;
    const section = key === undefined ? undefined : this.app.config[key];
    const merged = mergeConfig(section ?? {}, given ?? {});
    const schema = plugin.configSchema;
    if (!schema) return merged;
    let result = schema["~standard"].validate(merged);
    if (result instanceof Promise) result = await result;
    if (!result.issues) return result.value;
    const lines = result.issues.map((issue) => {
      const path = issuePath(issue);
      const full = key === undefined ? path : [key, ...path];
      const source =
        valueAt(merged, path) === undefined
          ? "not set"
          : path.length > 0 && has(given, path)
            ? `from the options given to register ${plugin.name}`
            : `from ${loaded.sourceOf(full).label}`;
      const name =
        key === undefined
          ? `options of plugin ${plugin.name}${path.length ? `.${path.join(".")}` : ""}`
          : `config.${full.join(".")}`;
      return `${name}: ${scrub(issue.message, path, merged)} (${source})`;
    });
    throw new FlagonError(ErrorCodes.INVALID_CONFIG, lines.join("; "));
  }
}
