// The code of docs/deployment.md, run as the guide says it behaves.
import "reflect-metadata";
import { describe, expect, test, vi } from "vitest";
import { Flagon } from "@flagon/core";
import { createApp } from "./app.js";
import { closeOnSignals } from "./shutdown.js";

const forwarded = {
  "x-forwarded-for": "203.0.113.7",
  "x-forwarded-proto": "https",
  "x-forwarded-host": "example.com",
};

describe("docs/deployment.md: behind a proxy", () => {
  test("from a trusted proxy, the forwarded client, scheme and host are used", async () => {
    const app = createApp({ configFile: false });
    const res = await app.inject({ url: "/whoami", remoteAddress: "10.0.0.2", headers: forwarded });
    expect(res.json()).toEqual({ ip: "203.0.113.7", protocol: "https", host: "example.com" });
  });

  test("from any other peer, X-Forwarded-* is ignored", async () => {
    const app = createApp({ configFile: false });
    const res = await app.inject({ url: "/whoami", remoteAddress: "198.51.100.9", headers: forwarded });
    expect(res.json()).toEqual({ ip: "198.51.100.9", protocol: "http", host: "localhost" });
  });
});

test("FLAGON_TRUST_PROXY sets trustProxy from the environment", async () => {
  vi.stubEnv("FLAGON_TRUST_PROXY", '["10.0.0.0/8"]');
  try {
    const app = new Flagon({ configFile: false });
    app.get("/ip", (ctx) => ctx.request.ip);
    expect((await app.inject({ url: "/ip", remoteAddress: "10.0.0.2", headers: forwarded })).body).toBe(
      "203.0.113.7",
    );
  } finally {
    vi.unstubAllEnvs();
  }
});

describe("docs/deployment.md: health and shutdown", () => {
  test("the health route answers 200 while the app is ready", async () => {
    const app = createApp({ configFile: false });
    const res = await app.inject("/healthz");
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ state: "ready" });
    const closing = app.close();
    expect(app.state).toBe("closing");
    await closing;
    expect(app.state).toBe("closed");
  });

  test("SIGTERM closes the listening app, then exits 0", async () => {
    const app = createApp({ configFile: false });
    await app.listen({ port: 0, host: "127.0.0.1" });
    const exit = vi.fn();
    closeOnSignals(app, exit, ["SIGUSR2"]);
    process.emit("SIGUSR2");
    await vi.waitFor(() => expect(exit).toHaveBeenCalledWith(0));
    expect(app.state).toBe("closed");
  });
});
