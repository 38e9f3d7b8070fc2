import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isSafeSegment, locateFile, MAX_FILENAME_LENGTH, safeJoin } from "./safe-join.js";

const ROOT = path.resolve("/srv/static");

describe("safeJoin", () => {
  it.each([
    ["a.txt", "a.txt"],
    ["css/app.css", "css/app.css"],
    [".well-known/x", ".well-known/x"],
    ["..a", "..a"],
    ["a..b", "a..b"],
    ["%2e%2e", "%2e%2e"], // decoded once already: a literal name, never decoded again
    ["é/ü.txt", "é/ü.txt"],
    ["CONSOLE.txt", "CONSOLE.txt"],
    ["com10", "com10"],
    ["a b.txt", "a b.txt"],
  ])("joins %j", (name, rel) => {
    expect(safeJoin(ROOT, name)).toBe(path.join(ROOT, rel));
  });

  it.each([
    "",
    "..",
    ".",
    "../a",
    "a/../../b",
    "a/..",
    "./a",
    "a/./b",
    "/etc/passwd",
    "//etc/passwd",
    "a//b",
    "a/",
    "a\\b",
    "..\\a",
    "\\\\server\\share",
    "C:",
    "C:/Windows/win.ini",
    "c:\\x",
    "a.txt::$DATA",
    "a\u0000.txt",
    "\u0000",
    "a\nb",
    "a\u007f",
    "CON",
    "con",
    "NUL.txt",
    "nul.tar.gz",
    "a/AUX",
    "aux/x",
    "Com1.log",
    "lpt9",
    "LPT¹",
    "CONIN$",
    "conout$.x",
    "NUL .txt",
    "a.txt.",
    "a.txt ",
    "...",
    "dir./x",
  ])("refuses %j", (name) => {
    expect(safeJoin(ROOT, name)).toBeUndefined();
  });

  it("refuses names longer than the limit, and non-strings", () => {
    expect(safeJoin(ROOT, "a".repeat(MAX_FILENAME_LENGTH + 1))).toBeUndefined();
    expect(safeJoin(ROOT, 42 as unknown as string)).toBeUndefined();
  });

  it("isSafeSegment agrees with safeJoin on single segments", () => {
    for (const s of ["a", "..", ".", "", "CON", "x.", "x ", "a:b", "ok.txt"]) {
      expect(isSafeSegment(s)).toBe(safeJoin(ROOT, s) !== undefined);
    }
  });
});

describe("locateFile", () => {
  let dir: string;
  let folder: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "flagon-locate-"));
    folder = path.join(dir, "static");
    mkdirSync(path.join(folder, "sub"), { recursive: true });
    writeFileSync(path.join(folder, "a.txt"), "a");
    writeFileSync(path.join(folder, "sub", "b.txt"), "b");
    writeFileSync(path.join(dir, "secret.txt"), "secret");
    symlinkSync(path.join(dir, "secret.txt"), path.join(folder, "out.txt"));
    symlinkSync(path.join(folder, "a.txt"), path.join(folder, "in.txt"));
    symlinkSync(dir, path.join(folder, "up"));
    symlinkSync(path.join(folder, "loop1"), path.join(folder, "loop2"));
    symlinkSync(path.join(folder, "loop2"), path.join(folder, "loop1"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("finds regular files inside the folder, also through symlinks that stay inside", async () => {
    expect((await locateFile(folder, "a.txt"))?.stats.size).toBe(1);
    expect((await locateFile(folder, "sub/b.txt"))?.file).toMatch(/b\.txt$/);
    expect((await locateFile(folder, "in.txt"))?.file).toMatch(/a\.txt$/);
  });

  it("refuses symlinks that lead out, directories, missing files and loops", async () => {
    for (const name of ["out.txt", "up/secret.txt", "sub", "missing", "sub/missing/x", "a.txt/x", "loop1"]) {
      expect(await locateFile(folder, name), name).toBeUndefined();
    }
  });

  it("without a folder: absolute paths only, NUL refused", async () => {
    expect((await locateFile(undefined, path.join(dir, "secret.txt")))?.stats.size).toBe(6);
    expect(await locateFile(undefined, "secret.txt")).toBeUndefined();
    expect(await locateFile(undefined, `${dir}/secret.txt\u0000.png`)).toBeUndefined();
  });
});
