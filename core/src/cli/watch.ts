// The files `flagon dev` watches: the app's source, templates and static folders (recursively)
// and the config files at the root. Events are debounced into one change.
import { existsSync, type FSWatcher, watch } from "node:fs";
import path from "node:path";
import { CONFIG_SEARCH_PLACES } from "../config/index.js";

/** Folders never watched, wherever they are. */
const IGNORED_DIRS = new Set(["node_modules", "dist", ".git", "coverage", ".cache"]);

/** Files at the root whose change restarts the app. */
const ROOT_FILES = new Set([...CONFIG_SEARCH_PLACES, ".env", "tsconfig.json"]);

/** Editor scratch files: vim's swap files and write test, emacs lock files, backups. */
function isScratch(name: string): boolean {
  return /(?:\.sw[a-p]x?|~|\.tmp)$/.test(name) || name.startsWith(".#") || name === "4913";
}

/** Whether a changed path (relative to a watched folder) should restart the app. */
export function isRelevant(relative: string): boolean {
  const parts = relative.split(/[\\/]/);
  const name = parts.at(-1) ?? "";
  return name !== "" && !isScratch(name) && !parts.some((part) => IGNORED_DIRS.has(part));
}

/** Whether a changed file at the root restarts the app (config, .env, tsconfig*, top-level modules). */
export function isRelevantRootFile(name: string): boolean {
  return ROOT_FILES.has(name) || /^tsconfig\..*json$/.test(name) || /\.[cm]?[jt]s$/.test(name);
}

export interface Change {
  /** Changed paths relative to the root, those that still exist first (editors write temp files). */
  readonly files: readonly string[];
  /** `performance.now()` of the first event of the burst. */
  readonly at: number;
}

export interface WatchOptions {
  readonly root: string;
  /** Folders (relative to root) to watch recursively; missing ones are skipped. */
  readonly folders: readonly string[];
  readonly debounceMs: number;
  /** Called once per burst of changes: the changed paths (relative), and when the first was seen. */
  readonly onChange: (change: Change) => void;
}

/** Starts watching; returns the watched folders (relative) and a function that stops. */
export function watchApp(options: WatchOptions): { folders: string[]; close: () => void } {
  const watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  let burst: { files: Set<string>; at: number } | undefined;
  const changed = (file: string): void => {
    burst ??= { files: new Set(), at: performance.now() };
    burst.files.add(file);
    clearTimeout(timer);
    timer = setTimeout(() => {
      const done = burst;
      burst = undefined;
      if (!done) return;
      const files = [...done.files];
      const present = files.filter((f) => existsSync(path.join(options.root, f)));
      options.onChange({ files: [...present, ...files.filter((f) => !present.includes(f))], at: done.at });
    }, options.debounceMs);
  };

  const folders: string[] = [];
  for (const folder of new Set(options.folders)) {
    const absolute = path.resolve(options.root, folder);
    const relative = path.relative(options.root, absolute);
    if (relative === "" || relative.startsWith("..") || !existsSync(absolute)) continue;
    if (folders.some((f) => relative === f || relative.startsWith(`${f}${path.sep}`))) continue;
    const watcher = watch(absolute, { recursive: true }, (_event, name) => {
      if (name !== null && isRelevant(name)) changed(path.join(relative, name));
    });
    watcher.on("error", () => undefined); // a watched folder removed: nothing more to see there
    watchers.push(watcher);
    folders.push(relative);
  }
  const rootWatcher = watch(options.root, (_event, name) => {
    if (name !== null && isRelevantRootFile(name)) changed(name);
  });
  rootWatcher.on("error", () => undefined);
  watchers.push(rootWatcher);

  return {
    folders,
    close: () => {
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
    },
  };
}
