// The files `flagon dev` watches: the app's source, templates and static folders (recursively)
// and the config files at the root. Events are debounced into one change.
import { existsSync, type FSWatcher, readdirSync, statSync, watch } from "node:fs";
import path from "node:path";
import { CONFIG_SEARCH_PLACES } from "@flagon/core/plugin";

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
  const watchers: Closable[] = [];
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
    watchers.push(
      watchTree(absolute, (name) => {
        if (isRelevant(name)) changed(path.join(relative, name));
      }),
    );
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

/** What watchTree returns: closing stops every watcher it made. */
interface Closable {
  close(): void;
}

/**
 * Watches a folder and everything under it, reporting paths relative to it. macOS and Windows
 * watch recursively natively. On Linux, node's recursive mode loses a file that an editor
 * replaced by renaming a new one over it (sed -i, "safe write"), so each folder gets a watcher
 * of its own, and folders created later get theirs when they appear.
 */
function watchTree(base: string, onEvent: (relative: string) => void): Closable {
  if (process.platform !== "linux") {
    const watcher = watch(base, { recursive: true }, (_event, name) => {
      if (name !== null) onEvent(name);
    });
    watcher.on("error", () => undefined); // the folder was removed: nothing more to see there
    return watcher;
  }
  const watchers = new Map<string, FSWatcher>();
  const add = (dir: string): void => {
    if (watchers.has(dir)) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(dir, (_event, name) => {
        if (name !== null) event(path.join(dir, name));
      });
    } catch {
      return; // gone already
    }
    watcher.on("error", () => remove(dir));
    watchers.set(dir, watcher);
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.isDirectory() && !IGNORED_DIRS.has(entry.name)) add(path.join(dir, entry.name));
    }
  };
  const remove = (dir: string): void => {
    for (const [watched, watcher] of watchers) {
      if (watched === dir || watched.startsWith(`${dir}${path.sep}`)) {
        watcher.close();
        watchers.delete(watched);
      }
    }
  };
  const event = (full: string): void => {
    const relative = path.relative(base, full);
    if (!isRelevant(relative)) return;
    if (watchers.has(full)) {
      if (!existsSync(full)) remove(full);
    } else if (statSync(full, { throwIfNoEntry: false })?.isDirectory()) {
      add(full);
    }
    onEvent(relative);
  };
  add(base);
  return {
    close: () => {
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}
