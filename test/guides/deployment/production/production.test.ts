// docs/deployment.md's production config (flagon.config.json): every plugin section
// passes that plugin's schema, and, where PostgreSQL and Redis answer on their local ports, an app
// started from it with the secrets in the environment gets ready, serves and closes.
import { readFileSync } from "node:fs";
import net from "node:net";
import { configSchema as authSchema } from "@flagon/auth";
import { configSchema as cacheSchema } from "@flagon/cache";
import { configSchema as databaseSchema } from "@flagon/database";
import { afterEach, describe, expect, test, vi } from "vitest";
import { createApp } from "./app.js";

const file = JSON.parse(readFileSync(new URL("./flagon.config.json", import.meta.url), "utf8")) as Record<
  string,
  unknown
>;

afterEach(() => {
  vi.unstubAllEnvs();
});

test("each plugin's section validates against the plugin's own schema", () => {
  expect(databaseSchema.safeParse(file["database"]).error).toBeUndefined();
  expect(authSchema.safeParse(file["auth"]).error).toBeUndefined();
  expect(cacheSchema.safeParse(file["cache"]).error).toBeUndefined();
});

test("without FLAGON_SECRET_KEY, a production app refuses to start", async () => {
  vi.stubEnv("FLAGON_SECRET_KEY", "");
  const app = createApp({ logger: false });
  await expect(app.ready()).rejects.toThrow(/secretKey/);
});

/** Whether something accepts TCP connections on 127.0.0.1:port within a second. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port, timeout: 1000 });
    const done = (up: boolean) => {
      socket.destroy();
      resolve(up);
    };
    socket
      .once("connect", () => done(true))
      .once("error", () => done(false))
      .once("timeout", () => done(false));
  });
}

const services = (await listening(5432)) && (await listening(6379));
if (!services)
  console.log("production config: start-up test skipped (PostgreSQL or Redis is not on its local port)");

describe.skipIf(!services)("an app started from it, on the local PostgreSQL and Redis", () => {
  test("gets ready with the secrets from the environment, serves, and closes", async () => {
    vi.stubEnv("FLAGON_SECRET_KEY", "a-production-secret-key-from-the-environment");
    // The password-bearing URL comes from the environment, as the guide says; here the test database.
    vi.stubEnv(
      "FLAGON_DATABASE__URL",
      process.env["TEST_POSTGRES_URL"] ?? "postgres://postgres@127.0.0.1:5432/test",
    );
    const app = createApp({ logger: false });
    await app.ready();
    try {
      expect(app.config.env).toBe("production");
      expect(app.pluginOptions<{ pool: { max: number } }>("@flagon/database")?.pool.max).toBe(10);
      const res = await app.inject({ url: "/healthz", remoteAddress: "127.0.0.1" });
      expect(res.json()).toEqual({ state: "ready" });
    } finally {
      await app.close();
    }
  }, 30_000);
});
