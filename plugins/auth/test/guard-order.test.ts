// Guards answer before @flagon/cache can serve a page and before @flagon/forms parses a body,
// even when both plugins are registered before @flagon/auth.
import "reflect-metadata";
import { mkdtempSync, readdirSync, rmSync, watch } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import cache, { Cached } from "@flagon/cache";
import forms, { CsrfExempt } from "@flagon/forms";
import { Flagon } from "@flagon/core";
import { inject, testClient } from "@flagon/core/testing";
import { afterAll, describe, expect, it } from "vitest";
import auth, { currentUser, LoginRequired, UserLoader } from "../src/index.js";
import { loginAs } from "../src/testing.js";
import { Directory, JSON_ACCEPT, loaderFor, SECRET, type User } from "./fixture.js";

const tempDir = mkdtempSync(path.join(tmpdir(), "flagon-auth-order-"));
afterAll(() => rmSync(tempDir, { recursive: true, force: true }));

/** `withCache`: false leaves @flagon/cache out (its own `after: auth` would order auth first). */
function orderedApp(withCache = true) {
  const directory = new Directory();
  const app = new Flagon({
    logger: false,
    configFile: false,
    config: { env: "test", secretKey: SECRET, session: { store: "memory" } },
  });
  app.provide({ provide: UserLoader, useClass: loaderFor(directory) });
  // Both registered before auth: the order of registration is the wrong one on purpose.
  if (withCache) app.register(cache);
  app.register(forms, { tempDir, memoryThreshold: 0 });
  app.register(auth);
  // Two routes sharing a cache key: the public one stores a page the guarded one could replay.
  const sharedKey = { key: () => "dashboard" };
  app.get("/preview", () => "dashboard of ann@example.com", { decorators: [Cached(sharedKey)] });
  app.get("/dashboard", async (ctx) => `dashboard of ${String((await currentUser<User>(ctx)).id)}`, {
    decorators: [LoginRequired(), Cached(sharedKey)],
  });
  const upload = async (ctx: Parameters<Parameters<Flagon["post"]>[1]>[0]) => {
    const body = (await ctx.body(["multipart"])) as Record<string, unknown>;
    return { fields: Object.keys(body) };
  };
  app.post("/upload", upload, { decorators: [LoginRequired()] });
  app.post("/open-upload", upload, { decorators: [CsrfExempt()] });
  return { app, directory };
}

function multipart(size: number) {
  const boundary = "----flagon-order-test";
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n` +
        "Content-Type: application/octet-stream\r\n\r\n",
    ),
    Buffer.alloc(size, 0x61),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, headers: { "content-type": `multipart/form-data; boundary=${boundary}`, ...JSON_ACCEPT } };
}

/** Runs `work` while counting files created in the temp folder. */
async function filesCreatedDuring(work: () => Promise<unknown>): Promise<number> {
  const seen = new Set<string>();
  const watcher = watch(tempDir, (_event, name) => {
    if (name !== null) seen.add(name);
  });
  try {
    await work();
    await new Promise((resolve) => setTimeout(resolve, 100));
  } finally {
    watcher.close();
  }
  return seen.size;
}

describe("guard order with @flagon/cache and @flagon/forms registered first", () => {
  it("a page in the cache never reaches an anonymous visitor of a guarded route", async () => {
    const { app, directory } = orderedApp();
    const ann = await directory.add("ann@example.com");
    const stored = await inject(app, { url: "/preview" });
    expect(stored.body).toBe("dashboard of ann@example.com");
    // The cached copy answers the public route again…
    expect((await inject(app, { url: "/preview" })).body).toBe("dashboard of ann@example.com");
    // …but the anonymous visitor of the guarded route gets the guard's answer, not the page.
    const anonymous = await inject(app, { url: "/dashboard", headers: JSON_ACCEPT });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.body).not.toContain("ann@example.com");
    const browser = await inject(app, { url: "/dashboard", headers: { accept: "text/html" } });
    expect(browser.statusCode).toBe(303);
    const client = testClient(app);
    await loginAs(app, client, ann);
    expect((await client.get("/dashboard")).statusCode).toBe(200);
    await app.close();
  });

  it("an anonymous multipart upload to a guarded route is refused before it is parsed: no temp file", async () => {
    const { app } = orderedApp(false);
    await app.ready();
    const { body, headers } = multipart(256 * 1024);
    // The control: the same upload to an open route is parsed into a temp file (the watch sees it).
    const control = await filesCreatedDuring(async () => {
      const res = await inject(app, { method: "POST", url: "/open-upload", body, headers });
      expect(res.json()).toEqual({ fields: ["file"] });
    });
    expect(control).toBeGreaterThan(0);
    let status = 0;
    const created = await filesCreatedDuring(async () => {
      status = (await inject(app, { method: "POST", url: "/upload", body, headers })).statusCode;
    });
    // 401 from the guard, not 403 from a CSRF check that would have parsed the body first.
    expect(status).toBe(401);
    expect(created).toBe(0);
    expect(readdirSync(tempDir)).toEqual([]);
    await app.close();
  });
});
