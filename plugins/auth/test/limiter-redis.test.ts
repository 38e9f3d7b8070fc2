// RELIABILITY row 22: failed-login counters in Redis; when Redis is cut the limiter goes on
// from the counts kept in the process (fails closed, never open), logs the outage once, and
// goes back to Redis when it returns.
import "reflect-metadata";
import { randomBytes } from "node:crypto";
import { createKeyv } from "@keyv/redis";
import { inject } from "@flagon/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixture, JSON_ACCEPT } from "./fixture.js";
import { CuttableRelay, reachable } from "./redis-proxy.js";

const REDIS = { host: "127.0.0.1", port: 6379 };
const up = await reachable(REDIS.host, REDIS.port);
if (!up) console.log(`limiter-redis: skipped, no Redis answers on ${REDIS.host}:${REDIS.port}`);

const run = randomBytes(6).toString("hex");
const relay = new CuttableRelay(REDIS);
// Reads the counters straight from Redis, under the plugin's namespace.
const direct = createKeyv(`redis://${REDIS.host}:${REDIS.port}`, { namespace: "flagon-auth" });

beforeAll(async () => {
  if (up) await relay.connect();
});
afterAll(async () => {
  await relay.cut();
  await (direct.store as { disconnect(): Promise<void> }).disconnect().catch(() => undefined);
});

async function until(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.runIf(up)("failed-login limits with Redis through a cut-able relay (row 22)", () => {
  it("counts in Redis, fails closed to in-process counts when cut, logs once, and goes back", async () => {
    const logs: string[] = [];
    const { app, directory } = fixture(
      {
        auth: {
          limits: { url: `redis://127.0.0.1:${relay.port}`, perAccount: 3, perIp: 1000, deadline: 200 },
        },
      },
      { logger: { level: "info", stream: { write: (line: string) => void logs.push(line) } } },
    );
    const ip = `198.18.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
    const account = (name: string) => `${name}-${run}@example.com`;
    await directory.add(account("ann"));
    const attempt = (email: string, password = "wrong") =>
      inject(app, {
        method: "POST",
        url: "/login",
        json: { email, password },
        headers: JSON_ACCEPT,
        remoteAddress: ip,
      });

    // Redis up: two failures, seen in Redis itself.
    for (let i = 0; i < 2; i++) expect((await attempt(account("ann"))).statusCode).toBe(200);
    const key = `account:${account("ann")}`;
    expect(await direct.get<{ count: number }>(key)).toMatchObject({ count: 2 });

    // Cut: the third failure is counted in the process, and the fourth attempt (even with the
    // right password) is refused — the outage lifted nothing.
    await relay.cut();
    expect((await attempt(account("ann"))).statusCode).toBe(200);
    const refused = await attempt(account("ann"), "correct horse");
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
    // A new account during the outage is limited too, in process.
    for (let i = 0; i < 3; i++) await attempt(account("bob"));
    expect((await attempt(account("bob"))).statusCode).toBe(429);
    const down = logs.filter((line) => line.includes("login limiter's store is unavailable"));
    expect(down).toHaveLength(1);

    // Restore: the limiter returns to Redis (a new account's failure lands there), logged once.
    await relay.connect();
    await until(async () => {
      await attempt(account(`probe${Math.random()}`));
      return logs.some((line) => line.includes("login limiter's store is back"));
    });
    await attempt(account("cat"));
    await until(async () => (await direct.get<{ count: number }>(`account:${account("cat")}`))?.count === 1);
    expect(logs.filter((line) => line.includes("login limiter's store is back"))).toHaveLength(1);
    expect(logs.filter((line) => line.includes("login limiter's store is unavailable"))).toHaveLength(1);
    await app.close();
  }, 20_000);

  it("a remember cookie revoked by logout on one worker is refused by another; a cut store refuses it too", async () => {
    const url = `redis://127.0.0.1:${relay.port}`;
    const config = { auth: { limits: { url } } };
    const one = fixture(config);
    const two = fixture(config);
    const email = `remember-${run}@example.com`;
    await one.directory.add(email);
    await two.directory.add(email);
    const json = { email, password: "correct horse", remember: true };
    const first = await inject(one.app, { method: "POST", url: "/login", json });
    const kept = first.cookies.find((c) => c.name === "remember_token")!.value;
    const second = await inject(one.app, { method: "POST", url: "/login", json });
    const other = second.cookies.find((c) => c.name === "remember_token")!.value;
    const status = (app: typeof one.app, cookie: string) =>
      inject(app, { url: "/account", cookies: { remember_token: cookie }, headers: JSON_ACCEPT }).then(
        (res) => res.statusCode,
      );
    expect(await status(two.app, kept)).toBe(200);
    await inject(one.app, { method: "POST", url: "/logout", cookies: { remember_token: kept } });
    expect(await status(two.app, kept)).toBe(401);
    expect(await status(two.app, other)).toBe(200);
    // While Redis is cut, worker two cannot tell whether `other` was revoked: refused.
    await relay.cut();
    expect(await status(two.app, other)).toBe(401);
    await relay.connect();
    await until(async () => (await status(two.app, other)) === 200);
    await one.app.close();
    await two.app.close();
  }, 20_000);
});
