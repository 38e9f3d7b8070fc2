// A route pays only for the hooks that apply to it: the same request against routes with no
// hooks, with five hooks, and with five hooks that are limited (appliesTo) to other routes.
// Run with `npm run bench` (in-process through app.handle; no sockets, so only framework cost).
import "reflect-metadata";
import { Readable } from "node:stream";
import { bench, describe } from "vitest";
import { Flagon, type RawRequest } from "@flagon/core";

function request(url: string): RawRequest {
  return {
    method: "GET",
    url,
    headers: { host: "localhost" },
    body: Readable.from([]),
    remoteAddress: "127.0.0.1",
    encrypted: false,
  };
}

const noop = (): undefined => undefined;

async function makeApp(hooks: number, scoped: boolean): Promise<Flagon> {
  const app = new Flagon({ configFile: false, logger: false });
  app.get("/plain", () => "hi");
  app.get("/hooked", () => "hi");
  for (let i = 0; i < hooks; i++) {
    const options = scoped ? { appliesTo: (route: { path: string }) => route.path === "/hooked" } : {};
    app.addHook("preHandler", noop, options);
    app.addHook("onSend", noop, options);
  }
  await app.ready();
  return app;
}

const bare = await makeApp(0, false);
const global5 = await makeApp(5, false);
const scoped5 = await makeApp(5, true);

describe("GET a route, by hooks that apply to it", () => {
  bench("0 hooks in the app", async () => {
    await bare.handle(request("/plain"));
  });
  bench("10 hooks in the app, none apply to this route (appliesTo)", async () => {
    await scoped5.handle(request("/plain"));
  });
  bench("10 hooks in the app, all apply to this route (appliesTo)", async () => {
    await scoped5.handle(request("/hooked"));
  });
  bench("10 global hooks", async () => {
    await global5.handle(request("/plain"));
  });
});
