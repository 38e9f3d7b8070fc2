// Review findings from the web features, each pinned here.
import "reflect-metadata";
import { expect, test } from "vitest";
import { Flagon, sse } from "@flagon/core";

test("close() ends an open SSE stream at once and the generator's finally runs", async () => {
  let finished = false;
  const app = new Flagon({ configFile: false, config: { server: { closeTimeout: 5000 } } });
  app.get("/events", () =>
    sse(
      async function* (signal: AbortSignal) {
        try {
          yield { event: "hello", data: "1" };
          // An endless feed that waits on the signal, as a real subscription would.
          await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
        } finally {
          finished = true;
        }
      },
      { heartbeat: 0 },
    ),
  );
  const { url } = await app.listen({ port: 0 });
  const res = await fetch(`${url}/events`);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const first = new TextDecoder().decode((await reader.read()).value);
  expect(first).toMatch(/:|event: hello/);
  const began = performance.now();
  await app.close();
  const took = performance.now() - began;
  expect(took).toBeLessThan(2000); // far below the 5 s closeTimeout
  await reader.read().catch(() => undefined);
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(finished).toBe(true);
});

test("a session first loaded in an onSend hook fails loudly instead of dropping its changes", async () => {
  const app = new Flagon({
    configFile: false,
    config: { env: "test", secretKey: "k".repeat(40), session: {} },
  });
  app.addHook("onSend", async (ctx) => {
    (await ctx.session()).set("late", true);
  });
  app.get("/", () => "ok");
  const res = await app.inject({ url: "/", headers: { accept: "application/json" } });
  expect(res.statusCode).toBe(500);
  expect(res.headers["set-cookie"]).toBeUndefined();
});

test("a flash started without await in a synchronous handler is still saved", async () => {
  const app = new Flagon({
    configFile: false,
    config: { env: "test", secretKey: "k".repeat(40), session: {} },
  });
  app.get("/flash", (ctx) => {
    void ctx.flash("saved anyway", "info");
    return "ok";
  });
  app.get("/read", async (ctx) => (await ctx.session()).flashes({ withCategories: true }));
  const client = app.testClient();
  expect((await client.get("/flash")).statusCode).toBe(200);
  expect((await client.get("/read")).json()).toEqual([["info", "saved anyway"]]);
});
