// Issue 10, bug 3: a ctx.beforeSend step that throws no longer discards the steps after it: the
// session save registered later still runs, and the first error becomes the error response.
import "reflect-metadata";
import { expect, test } from "vitest";
import { Flagon } from "@flagon/core";

// The save step's Set-Cookie (the cookie session backend) is carried onto the error response
// that replaces the failed one, so the value survives.
test("a session value set in the handler is saved when an earlier beforeSend step throws", async () => {
  const app = new Flagon({
    configFile: false,
    config: { env: "test", secretKey: "k".repeat(40), session: {} },
  });
  app.get("/set", async (ctx) => {
    ctx.beforeSend(() => {
      throw new Error("an earlier step failed");
    });
    (await ctx.session()).set("kept", "yes");
    return "ok";
  });
  app.get("/read", async (ctx) => ({ kept: (await ctx.session()).get("kept") ?? null }));
  const client = app.testClient();
  const res = await client.get("/set", { headers: { accept: "application/json" } });
  expect(res.statusCode).toBe(500);
  expect((await client.get("/read")).json()).toEqual({ kept: "yes" });
});

test("every step runs, in order, and the first error is the one answered", async () => {
  const app = new Flagon({ configFile: false, config: { env: "test" } });
  const ran: string[] = [];
  app.get("/", (ctx) => {
    ctx.beforeSend(() => {
      ran.push("a");
      throw new Error("first");
    });
    ctx.beforeSend(() => {
      ran.push("b");
      throw new Error("second");
    });
    ctx.beforeSend(() => {
      ran.push("c");
    });
    return "ok";
  });
  app.setErrorHandler(500, (error) => ({ message: (error as Error).message }));
  const res = await app.inject({ url: "/", headers: { accept: "application/json" } });
  expect(ran).toEqual(["a", "b", "c"]);
  expect(res.statusCode).toBe(500);
  expect(res.json()).toEqual({ message: "first" });
});
