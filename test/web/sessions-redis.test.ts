// Server-side sessions against the real Redis on this machine (127.0.0.1:6379), and Redis
// outages (RELIABILITY rows 29, 31): the app talks to Redis through a TCP relay that the test
// pauses (a hung server) or stops (a dead one), and to a black-hole server that accepts and never
// answers. Every outage must give a 503 within about a second, never a hang, never an anonymous
// session; and sessions must work again within seconds once Redis is back. The machine's Redis
// is never stopped. Skipped, with the reason printed, when no Redis answers.
import "reflect-metadata";
import { randomBytes } from "node:crypto";
import { createServer, connect, type AddressInfo, type Server, type Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { createClient } from "@keyv/redis";
import { afterAll, describe, expect, it } from "vitest";
import type { Flagon } from "@flagon/core";
import { cookieValue, type InjectResponse, sessionApp, sleep } from "./sessions-helpers.js";

// TEST_REDIS_URL points the suite elsewhere (e.g. redis://127.0.0.1:1 to see the skip).
const REDIS = new URL(process.env["TEST_REDIS_URL"] ?? "redis://127.0.0.1:6379");
const REDIS_HOST = REDIS.hostname;
const REDIS_PORT = Number(REDIS.port || 6379);
const REDIS_URL = `redis://${REDIS_HOST}:${REDIS_PORT}`;
const LOCAL = "127.0.0.1";
const NAMESPACE = `flagon-test-${process.pid}-${randomBytes(4).toString("hex")}`;

/** Why Redis cannot be used here, or undefined when it answers PING. */
function probeRedis(): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect(REDIS_PORT, REDIS_HOST);
    const done = (reason: string | undefined): void => {
      socket.destroy();
      resolve(reason);
    };
    socket.setTimeout(1000, () => done(`no answer from ${REDIS_URL} within 1 s`));
    socket.once("error", (error) => done(`cannot connect to ${REDIS_URL}: ${error.message}`));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) =>
      done(
        data.toString().startsWith("+PONG")
          ? undefined
          : `unexpected reply ${JSON.stringify(data.toString())}`,
      ),
    );
  });
}

const unavailable = await probeRedis();
if (unavailable) console.warn(`Redis session tests skipped: ${unavailable}`);

interface Pair {
  client: Socket;
  upstream: Socket;
  toUpstream: Buffer[];
  toClient: Buffer[];
}

/**
 * A TCP relay to Redis. `pause()` holds every byte in both directions (Redis looks hung, and TCP
 * loses nothing: on `resume()` the bytes flow in order); `stop()` resets every connection and
 * closes the port (Redis looks dead); `start()` listens again on the same port.
 */
class RedisRelay {
  port = 0;
  private server: Server | undefined;
  private paused = false;
  private readonly pairs = new Set<Pair>();

  async start(): Promise<void> {
    const server = createServer((client) => this.relay(client));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, LOCAL, () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    for (const pair of this.pairs) {
      for (const chunk of pair.toUpstream.splice(0)) pair.upstream.write(chunk);
      for (const chunk of pair.toClient.splice(0)) pair.client.write(chunk);
    }
  }

  async stop(): Promise<void> {
    this.paused = false;
    for (const pair of this.pairs) {
      pair.client.resetAndDestroy();
      pair.upstream.destroy();
    }
    this.pairs.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private relay(client: Socket): void {
    const upstream = connect(REDIS_PORT, REDIS_HOST);
    const pair: Pair = { client, upstream, toUpstream: [], toClient: [] };
    this.pairs.add(pair);
    const end = (): void => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("data", (chunk: Buffer) => (this.paused ? pair.toUpstream.push(chunk) : upstream.write(chunk)));
    upstream.on("data", (chunk: Buffer) => (this.paused ? pair.toClient.push(chunk) : client.write(chunk)));
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
  }
}

/** A server that accepts connections and never answers a byte. */
async function blackHole(): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, LOCAL, () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `redis://${LOCAL}:${port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const apps: Flagon[] = [];

function redisApp(session: Record<string, unknown> = {}, url = REDIS_URL): Flagon {
  const app = sessionApp({ session: { store: { redis: url, namespace: NAMESPACE }, ...session } });
  apps.push(app);
  return app;
}

/** A raw client on the real Redis, to look at what the sessions stored. */
type RedisClient = ReturnType<typeof createClient>;

async function inspect<T>(run: (redis: RedisClient) => Promise<T>): Promise<T> {
  const redis: RedisClient = createClient({ url: REDIS_URL });
  await redis.connect();
  try {
    return await run(redis);
  } finally {
    redis.destroy();
  }
}

async function sessionKeys(): Promise<string[]> {
  return inspect(async (redis) => {
    const keys: string[] = [];
    for await (const batch of redis.scanIterator({ MATCH: `${NAMESPACE}*`, COUNT: 1000 }))
      keys.push(...batch);
    return keys.sort();
  });
}

async function timed(request: () => Promise<InjectResponse>): Promise<{ res: InjectResponse; ms: number }> {
  const started = performance.now();
  const res = await request();
  return { res, ms: performance.now() - started };
}

afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
  if (unavailable) return;
  const keys = await sessionKeys();
  if (keys.length > 0) await inspect((redis) => redis.del(keys));
});

describe.skipIf(unavailable !== undefined)("sessions in the real Redis", () => {
  it("keeps data across requests; the record has the idle TTL; regenerate and destroy delete it", async () => {
    const app = redisApp({ idleTimeout: 600 });
    const client = app.testClient();
    await client.get("/set?user=ada");
    expect((await client.get("/get")).json()).toEqual({ isNew: false, data: { user: "ada" } });
    const id = (client.cookies.get("session") as string).split(".")[0] as string;
    const keys = await sessionKeys();
    expect(keys).toHaveLength(1);
    expect(keys[0]).toContain(id);
    const ttl = await inspect((redis) => redis.pTTL(keys[0] as string));
    expect(ttl).toBeGreaterThan(590_000);
    expect(ttl).toBeLessThanOrEqual(600_000);

    const old = client.cookies.get("session") as string;
    await client.get("/regenerate");
    expect((await client.get("/get")).json()).toEqual({ isNew: false, data: { user: "ada" } });
    const after = await sessionKeys();
    expect(after).toHaveLength(1);
    expect(after[0]).not.toContain(id);
    expect((await app.inject({ url: "/get", cookies: { session: old } })).json()).toEqual({
      isNew: true,
      data: {},
    });

    await client.get("/destroy");
    expect(await sessionKeys()).toEqual([]);
  });

  it("idle expiry is Redis's own TTL as well as the server-side check", async () => {
    const app = redisApp({ idleTimeout: 0.4 });
    const client = app.testClient();
    await client.get("/set?a=1");
    expect(await sessionKeys()).toHaveLength(1);
    await sleep(600);
    expect(await sessionKeys()).toEqual([]);
    expect((await client.get("/get")).json()).toEqual({ isNew: true, data: {} });
  });

  it("Redis hangs mid-test (relay paused): 503 within a second, then back to normal", async () => {
    const relay = new RedisRelay();
    await relay.start();
    try {
      const app = redisApp({ storeTimeout: 200 }, `redis://${LOCAL}:${relay.port}`);
      const client = app.testClient();
      await client.get("/set?user=ada");
      expect((await client.get("/get")).json()).toMatchObject({ data: { user: "ada" } });

      relay.pause();
      for (const url of ["/get", "/bump"]) {
        const { res, ms } = await timed(() => client.get(url, { headers: { accept: "application/json" } }));
        expect(res.statusCode, url).toBe(503);
        expect(res.body).not.toContain("ada");
        expect(ms, url).toBeLessThan(1000);
        console.log(`Redis hung: ${url} → 503 in ${ms.toFixed(0)} ms`);
      }
      const fresh = await timed(() => app.inject("/set?x=1"));
      expect(fresh.res.statusCode).toBe(503);
      expect(fresh.res.headers["set-cookie"]).toBeUndefined();
      expect(fresh.ms).toBeLessThan(1000);

      relay.resume();
      const { res } = await timed(() => client.get("/get"));
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ isNew: false, data: { user: "ada" } });
    } finally {
      await relay.stop();
    }
  });

  it("Redis dies mid-test (connections reset, port closed): 503 fast; recovers within 5 s of coming back", async () => {
    const relay = new RedisRelay();
    await relay.start();
    try {
      const app = redisApp({ storeTimeout: 200 }, `redis://${LOCAL}:${relay.port}`);
      const client = app.testClient();
      await client.get("/set?user=ada");

      await relay.stop();
      for (let i = 0; i < 3; i += 1) {
        const { res, ms } = await timed(() => client.get("/get"));
        expect(res.statusCode).toBe(503);
        expect(ms).toBeLessThan(1000);
        if (i === 0) console.log(`Redis down: /get → 503 in ${ms.toFixed(0)} ms`);
      }
      const write = await timed(() => client.get("/bump"));
      expect(write.res.statusCode).toBe(503);
      expect(write.ms).toBeLessThan(1000);

      await relay.start();
      const back = performance.now();
      let recovered = -1;
      while (performance.now() - back < 8000) {
        const res = await client.get("/get");
        if (res.statusCode === 200) {
          recovered = performance.now() - back;
          expect(res.json()).toEqual({ isNew: false, data: { user: "ada" } });
          break;
        }
        expect(res.statusCode).toBe(503);
        await sleep(50);
      }
      console.log(`Redis back: sessions work again after ${recovered.toFixed(0)} ms`);
      expect(recovered).toBeGreaterThanOrEqual(0);
      expect(recovered).toBeLessThan(5000);
    } finally {
      await relay.stop();
    }
  });
});

describe("a Redis that accepts connections and never answers (black hole)", () => {
  it("503 within a second for a presented session and for a save; close() does not hang", async () => {
    const hole = await blackHole();
    try {
      // A validly signed id for a session that lives elsewhere: same secret, a memory store.
      const signer = sessionApp({ session: { store: "memory" } });
      const cookie = cookieValue(await signer.inject("/set?user=ada"), "session") as string;

      const app = sessionApp({ session: { store: { redis: hole.url }, storeTimeout: 200 } });
      const load = await timed(() => app.inject({ url: "/get", cookies: { session: cookie } }));
      expect(load.res.statusCode).toBe(503);
      expect(load.ms).toBeLessThan(1000);
      const save = await timed(() => app.inject("/set?a=1"));
      expect(save.res.statusCode).toBe(503);
      expect(save.res.headers["set-cookie"]).toBeUndefined();
      expect(save.ms).toBeLessThan(1000);
      // A page that never touches the session does not notice the outage.
      expect((await app.inject("/plain")).statusCode).toBe(200);
      console.log(
        `black hole: load → 503 in ${load.ms.toFixed(0)} ms, save → 503 in ${save.ms.toFixed(0)} ms`,
      );

      const closing = await timed(async () => {
        await app.close();
        return load.res;
      });
      expect(closing.ms).toBeLessThan(1000);
    } finally {
      await hole.close();
    }
  });
});
