import type { Dirent, Stats } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { ErrorCodes, FlagonError } from "../errors/codes.js";
import { templateSegments } from "./names.js";

/** Bounds on the template folders, which are read into memory. */
export interface SourceLimits {
  /** Files and folders in all template folders together; more is an error (a folder pointed at the wrong place). */
  readonly maxEntries: number;
  /** A bigger file is not read; rendering it is an error naming the limit. */
  readonly maxFileBytes: number;
  /** All template sources together. */
  readonly maxTotalBytes: number;
  /** Folders inside a template folder. */
  readonly maxDepth: number;
}

export const SOURCE_LIMITS: SourceLimits = {
  maxEntries: 10_000,
  maxFileBytes: 1024 * 1024,
  maxTotalBytes: 64 * 1024 * 1024,
  maxDepth: 32,
};

/** Directories and files open at once while scanning (`stat` opens none). */
const PARALLEL = 32;

/**
 * A file read this soon after its modification time may change again without its modification
 * time changing (file systems with 1 or 2 s timestamps): the next check reads it again.
 */
const RACY_MS = 2_000;

/** One template file, read. */
export interface SourceEntry {
  readonly file: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
  /** The source; undefined when the file is larger than `maxFileBytes` (it was not read). */
  readonly src: string | undefined;
  readonly racy: boolean;
}

type Index = ReadonlyMap<string, SourceEntry>;

interface Found {
  readonly name: string;
  readonly file: string;
  readonly info: Stats;
}

function isGone(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === "ENOENT" || code === "ENOTDIR" || code === "ELOOP";
}

function failure(message: string, cause?: unknown): FlagonError {
  return new FlagonError(ErrorCodes.INVALID_CONFIG, `templates: ${message}`, { cause });
}

function unreadable(file: string, error: unknown): FlagonError {
  const code = (error as { code?: unknown }).code;
  return failure(`cannot read ${file} (${typeof code === "string" ? code : String(error)})`, error);
}

function mebibytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 1)} MiB`;
}

/** Runs at most `limit` tasks at once. */
function gate(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async (task) => {
    if (active < limit) active += 1;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active -= 1;
    }
  };
}

/** One pass over some template folders: lists their files and reads the new or changed ones. */
class Scan {
  private readonly run = gate(PARALLEL);
  private entries: number;

  constructor(
    private readonly limits: SourceLimits,
    entriesElsewhere: number,
  ) {
    this.entries = entriesElsewhere;
  }

  /** The folder's templates, reusing the entries of `previous` whose files did not change. */
  async index(folder: string, previous: Index | undefined): Promise<Map<string, SourceEntry>> {
    const found: Found[] = [];
    let root: Stats;
    try {
      root = await stat(folder);
    } catch (error) {
      if (isGone(error)) return new Map();
      throw unreadable(folder, error);
    }
    if (!root.isDirectory()) return new Map();
    await this.visit(folder, "", 0, [`${root.dev}:${root.ino}`], found);
    const entries = await Promise.all(found.map((each) => this.read(each, previous?.get(each.name))));
    const index = new Map<string, SourceEntry>();
    found.forEach((each, i) => {
      const entry = entries[i];
      if (entry) index.set(each.name, entry);
    });
    return index;
  }

  private count(where: string, more: number): void {
    this.entries += more;
    if (this.entries > this.limits.maxEntries) {
      throw failure(
        `the template folders hold more than ${this.limits.maxEntries} files and folders (reached in ${where}); ` +
          "they are read into memory, so point templates.folder (or addFolder) at a folder of templates only",
      );
    }
  }

  /**
   * Lists a directory's files. Real folders are entered as listed; a symbolic link is followed
   * (the folder's owner put it there), and a linked folder already entered above is skipped:
   * `ancestors` holds the ids of the root and of the linked folders on the way down.
   */
  private async visit(
    dir: string,
    prefix: string,
    depth: number,
    ancestors: readonly string[],
    found: Found[],
  ): Promise<void> {
    if (depth > this.limits.maxDepth) {
      throw failure(`${dir} is nested more than ${this.limits.maxDepth} folders deep`);
    }
    let listed: Dirent[];
    try {
      listed = await this.run(() => readdir(dir, { withFileTypes: true }));
    } catch (error) {
      if (isGone(error)) return;
      throw unreadable(dir, error);
    }
    const kept = listed.filter((entry) => !entry.name.startsWith(".") && entry.name !== "node_modules");
    this.count(dir, kept.length);
    await Promise.all(
      kept.map(async (entry) => {
        const name = prefix + entry.name;
        if (templateSegments(name) === undefined) return; // could never be asked for
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) return this.visit(file, `${name}/`, depth + 1, ancestors, found);
        if (!entry.isFile() && !entry.isSymbolicLink()) return;
        let info: Stats;
        try {
          info = await stat(file);
        } catch (error) {
          if (isGone(error)) return; // removed meanwhile, or a dangling link
          throw unreadable(file, error);
        }
        if (info.isFile()) {
          found.push({ name, file, info });
        } else if (info.isDirectory()) {
          const id = `${info.dev}:${info.ino}`;
          if (ancestors.includes(id)) return; // a link back up the tree
          await this.visit(file, `${name}/`, depth + 1, [...ancestors, id], found);
        }
      }),
    );
  }

  private async read(
    { file, info }: Found,
    previous: SourceEntry | undefined,
  ): Promise<SourceEntry | undefined> {
    if (
      previous !== undefined &&
      !previous.racy &&
      previous.file === file &&
      previous.mtimeMs === info.mtimeMs &&
      previous.size === info.size &&
      previous.ino === info.ino
    ) {
      return previous;
    }
    const stamp = { file, size: info.size, mtimeMs: info.mtimeMs, ino: info.ino };
    if (info.size > this.limits.maxFileBytes) return { ...stamp, src: undefined, racy: false };
    // Stamped with the stat from before the read: an edit in between is read again next time.
    const readAt = Date.now();
    let bytes: Buffer;
    try {
      bytes = await this.run(() => readFile(file));
    } catch (error) {
      if (isGone(error)) return undefined;
      throw unreadable(file, error);
    }
    if (bytes.length > this.limits.maxFileBytes)
      return { ...stamp, size: bytes.length, src: undefined, racy: false };
    return { ...stamp, src: bytes.toString("utf8"), racy: readAt - info.mtimeMs < RACY_MS };
  }
}

/** Adds to `changed` the names whose source differs between two indexes of one folder. */
function diff(before: Index | undefined, after: Index, changed: Set<string>): void {
  for (const [name, entry] of after) {
    const old = before?.get(name);
    if (old === undefined || old.src !== entry.src) changed.add(name);
  }
  if (before) for (const name of before.keys()) if (!after.has(name)) changed.add(name);
}

/**
 * The sources of every template in the template folders, held in memory so that nunjucks can
 * load templates synchronously (an asynchronous loader renders an `{% include %}` inside a plain
 * `{% for %}` as nothing) while the disk is only read asynchronously, before rendering:
 * `update()` reads folders not read yet and, when asked to recheck, lists all folders again and
 * reads the files that were added or changed. Files and folders whose name starts with a dot, and
 * `node_modules`, are skipped; the limits bound what is read.
 */
export class TemplateSources {
  private readonly indexes = new Map<string, Index>();
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private queuedRecheck = false;

  /**
   * @param folders the folders, in search order (read at each update)
   * @param onChange told the names whose source changed, was added or went away
   */
  constructor(
    private readonly folders: () => readonly string[],
    private readonly onChange: (names: ReadonlySet<string>) => void,
    readonly limits: SourceLimits = SOURCE_LIMITS,
  ) {}

  /** Whether every folder has been read. */
  get complete(): boolean {
    for (const folder of this.folders()) if (!this.indexes.has(folder)) return false;
    return true;
  }

  /** The template of this name in the first folder (in search order) that holds it; unread folders are skipped. */
  find(name: string): SourceEntry | undefined {
    for (const folder of this.folders()) {
      const entry = this.indexes.get(folder)?.get(name);
      if (entry) return entry;
    }
    return undefined;
  }

  /**
   * Reads the folders not read yet; with `recheck`, also lists every folder again and reads what
   * changed. A call made while a scan runs waits for a new scan, which starts after that one, so
   * it never misses an edit made before it was called. Rejects (changing nothing) when a limit is
   * exceeded or a folder cannot be read.
   */
  update(recheck: boolean): Promise<void> {
    if (this.running === undefined) {
      this.running = this.scan(recheck).finally(() => {
        this.running = undefined;
      });
      return this.running;
    }
    this.queuedRecheck ||= recheck;
    const after = () => {
      const again = this.queuedRecheck;
      this.queued = undefined;
      this.queuedRecheck = false;
      return this.update(again);
    };
    this.queued ??= this.running.then(after, after);
    return this.queued;
  }

  private async scan(recheck: boolean): Promise<void> {
    const folders = [...new Set(this.folders())];
    const todo = recheck ? folders : folders.filter((folder) => !this.indexes.has(folder));
    if (todo.length === 0) return;
    let elsewhere = 0;
    for (const [folder, index] of this.indexes) if (!todo.includes(folder)) elsewhere += index.size;
    const scan = new Scan(this.limits, elsewhere);
    const indexes = await Promise.all(todo.map((folder) => scan.index(folder, this.indexes.get(folder))));

    const next = new Map(this.indexes);
    todo.forEach((folder, i) => next.set(folder, indexes[i] ?? new Map()));
    let total = 0;
    for (const index of next.values()) for (const entry of index.values()) if (entry.src) total += entry.size;
    if (total > this.limits.maxTotalBytes) {
      throw failure(
        `the templates in ${folders.join(", ")} hold more than ${mebibytes(this.limits.maxTotalBytes)}; ` +
          "they are read into memory, so point templates.folder (or addFolder) at a folder of templates only",
      );
    }
    const changed = new Set<string>();
    todo.forEach((folder, i) => diff(this.indexes.get(folder), indexes[i] ?? new Map(), changed));
    for (const [folder, index] of next) this.indexes.set(folder, index);
    if (changed.size > 0) this.onChange(changed);
  }
}

/** How a too-large template is reported. */
export function tooLarge(name: string, entry: SourceEntry, limits: SourceLimits): string {
  return `template ${JSON.stringify(name)} (${entry.file}) is ${entry.size} bytes, over the ${mebibytes(limits.maxFileBytes)} limit for a template`;
}
