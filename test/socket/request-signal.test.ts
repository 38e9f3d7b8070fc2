import "reflect-metadata";
// ctx.signal over a real socket: aborted when the client leaves before its response finished,
// never aborted for a request that was answered, and already aborted when first read late.
import { afterEach, describe, expect, it } from "vitest";
import type { Context } from "@flagon/core";
import { deferred, harness, HOST, sleep, within } from "./helpers.js";

const h = harness();
afterEach(() => h.cleanup());

describe("ctx.signal", () => {
  it("aborts when the client resets the connection mid-handler", async () => {
    const app = h.app();
    const started = deferred();
    const aborted = deferred<unknown>();
    app.get("/slow", (ctx: Context) => {
      const { signal } = ctx;
      signal.addEventListener("abort", () => aborted.resolve(signal.reason));
      started.resolve();
      return new Promise((resolve) => setTimeout(() => resolve("late"), 2000));
    });
    const port = await h.listen(app);
    const client = await h.raw(port);
    await client.write(`GET /slow HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`);
    await within(started.promise, 3000, "the handler to start");
    client.socket.resetAndDestroy();
    const reason = await within(aborted.promise, 3000, "ctx.signal to abort");
    expect(reason).toMatchObject({ name: "AbortError", code: "ECONNRESET" });
  });

  it("is already aborted when first read after the client left", async () => {
    const app = h.app();
    const started = deferred();
    const release = deferred();
    const seen = deferred<boolean>();
    app.get("/late", async (ctx: Context) => {
      started.resolve();
      await release.promise;
      seen.resolve(ctx.signal.aborted);
      return "late";
    });
    const port = await h.listen(app);
    const client = await h.raw(port);
    await client.write(`GET /late HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`);
    await within(started.promise, 3000, "the handler to start");
    client.socket.resetAndDestroy();
    await sleep(100);
    release.resolve();
    expect(await within(seen.promise, 3000, "the handler to read the signal")).toBe(true);
  });

  it("stays unaborted for a request that was answered", async () => {
    const app = h.app();
    let signal: AbortSignal | undefined;
    app.get("/", (ctx: Context) => {
      signal = ctx.signal;
      return "ok";
    });
    const port = await h.listen(app);
    const res = await fetch(`http://${HOST}:${port}/`);
    expect(await res.text()).toBe("ok");
    await sleep(50);
    expect(signal?.aborted).toBe(false);
  });

  it("is a never-aborted signal of its own per request under inject", async () => {
    const app = h.app();
    const seen: AbortSignal[] = [];
    app.get("/", (ctx: Context) => {
      seen.push(ctx.signal);
      // Listeners added to one request's signal must not outlive it on a shared object.
      ctx.signal.addEventListener("abort", () => undefined);
      return { aborted: ctx.signal.aborted, same: ctx.signal === ctx.signal };
    });
    expect((await app.inject("/")).json()).toEqual({ aborted: false, same: true });
    await app.inject("/");
    expect(seen).toHaveLength(2);
    expect(seen[0]).not.toBe(seen[1]);
  });
});
