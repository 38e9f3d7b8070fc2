import "reflect-metadata";
// Issue 10, bug 1: onResponse runs exactly once for every request, also when the client resets
// the connection while the handler is still running (its `close` fired before the response was
// written, so a listener added then never ran: a database plugin leaked a connection per reset).
import { afterEach, describe, expect, it } from "vitest";
import { deferred, harness, HOST, sleep, waitFor, within } from "./helpers.js";

const h = harness();
afterEach(() => h.cleanup());

describe("issue 10: onResponse after a client reset", () => {
  it("runs exactly once when the client resets mid-handler", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const app = h.app();
      const started = deferred();
      const release = deferred();
      const finished = deferred();
      let calls = 0;
      app.addHook("onResponse", () => {
        calls += 1;
      });
      app.get("/slow", async () => {
        started.resolve();
        await release.promise;
        finished.resolve();
        return { late: true };
      });
      const port = await h.listen(app);
      const client = await h.raw(port);
      await client.write(`GET /slow HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`);
      await within(started.promise, 3000, "the handler to start");
      client.socket.resetAndDestroy();
      await sleep(100);
      release.resolve();
      await within(finished.promise, 3000, "the handler to finish");
      expect(await waitFor(() => calls > 0, 3000)).toBe(true);
      await sleep(100);
      expect(calls).toBe(1);
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });

  it("runs exactly once for a request answered normally", async () => {
    const app = h.app();
    let calls = 0;
    app.addHook("onResponse", () => {
      calls += 1;
    });
    app.get("/", () => "ok");
    const port = await h.listen(app);
    const res = await fetch(`http://${HOST}:${port}/`);
    expect(await res.text()).toBe("ok");
    expect(await waitFor(() => calls > 0, 3000)).toBe(true);
    await sleep(50);
    expect(calls).toBe(1);
  });
});
