import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkStaticConfig, staticFolderSpec, staticRoutes } from "./static-folders.js";

describe("checkStaticConfig", () => {
  it.each([
    undefined,
    false,
    {},
    { folder: "public", prefix: "/assets", cacheControl: "public, max-age=60" },
    { prefix: "" },
    { prefix: "/" },
  ])("accepts %j", (value) => {
    expect(() => checkStaticConfig(value)).not.toThrow();
  });

  it.each<[unknown, string]>([
    [true, "config.static "],
    ["static", "config.static "],
    [[], "config.static "],
    [{ folder: "" }, "config.static.folder"],
    [{ folder: 3 }, "config.static.folder"],
    [{ prefix: "static" }, "config.static.prefix"],
    [{ prefix: "/a/<path:x>" }, "config.static.prefix"],
    [{ prefix: "/a b" }, "config.static.prefix"],
    [{ prefix: "/a?b" }, "config.static.prefix"],
    [{ prefix: "//a" }, "config.static.prefix"],
    [{ cacheControl: "" }, "config.static.cacheControl"],
    [{ cacheControl: "no-cache\r\nX: y" }, "config.static.cacheControl"],
    [{ cacheControl: 60 }, "config.static.cacheControl"],
    [{ maxAge: 60 }, "config.static.maxAge"],
  ])("refuses %j naming %s", (value, key) => {
    expect(() => checkStaticConfig(value)).toThrow(
      expect.objectContaining({ code: "FLAGON_ERR_INVALID_CONFIG" }),
    );
    expect(() => checkStaticConfig(value)).toThrow(key);
  });
});

describe("staticFolderSpec", () => {
  it("normalises the prefix and keeps the options", () => {
    expect(staticFolderSpec("/admin/static/", "admin", { endpoint: "admin.static" })).toEqual({
      prefix: "/admin/static",
      folder: "admin",
      options: { endpoint: "admin.static", cacheControl: undefined },
    });
  });
  it("refuses bad arguments where they are written", () => {
    expect(() => staticFolderSpec("assets", "x")).toThrow(/prefix/);
    expect(() => staticFolderSpec("/assets", "")).toThrow(/folder/);
    expect(() => staticFolderSpec("/assets", "x", { endpoint: "" })).toThrow(/endpoint/);
    expect(() => staticFolderSpec("/assets", "x", { cacheControl: "a\nb" })).toThrow(/cacheControl/);
  });
});

describe("staticRoutes", () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), "flagon-static-routes-"));
    mkdirSync(path.join(root, "static"));
    mkdirSync(path.join(root, "public"));
    writeFileSync(path.join(root, "file"), "");
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("adds the default folder when it exists, with endpoint static", async () => {
    const routes = await staticRoutes(root, {}, []);
    expect(routes.map((r) => [r.path, r.options.endpoint])).toEqual([["/static/<path:filename>", "static"]]);
  });
  it("skips a missing default folder, and everything with static: false", async () => {
    const empty = mkdtempSync(path.join(tmpdir(), "flagon-static-none-"));
    try {
      expect(await staticRoutes(empty, {}, [])).toEqual([]);
    } finally {
      rmSync(empty, { recursive: true });
    }
    expect(await staticRoutes(root, false, [])).toEqual([]);
  });
  it("a folder named explicitly must exist and be a directory", async () => {
    await expect(staticRoutes(root, { folder: "nope" }, [])).rejects.toThrow(/config\.static\.folder/);
    await expect(staticRoutes(root, { folder: "file" }, [])).rejects.toThrow(/config\.static\.folder/);
    await expect(staticRoutes(root, false, [staticFolderSpec("/x", "nope")])).rejects.toThrow(
      /addStaticFolder/,
    );
  });
  it("uses the configured prefix and endpoints for added folders", async () => {
    const routes = await staticRoutes(root, { folder: "public", prefix: "/" }, [
      staticFolderSpec("/a", "static"),
      staticFolderSpec("/b", "public", { endpoint: "b.static" }),
    ]);
    expect(routes.map((r) => [r.path, r.options.endpoint])).toEqual([
      ["/<path:filename>", "static"],
      ["/a/<path:filename>", "static:/a"],
      ["/b/<path:filename>", "b.static"],
    ]);
  });
});
