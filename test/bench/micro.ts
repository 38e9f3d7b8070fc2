// In-process figures: app.ready() for 100 controllers × 10 routes, router look-ups in a
// 1,000-route table against find-my-way (Fastify's router), for static, param, wildcard and
// converter routes, JSON written by a response-schema serializer against JSON.stringify, and the
// cost of hooks (0, 1, 5 applying to a route; 5 applying elsewhere).
import "reflect-metadata";
import FindMyWay from "find-my-way";
import { Readable } from "node:stream";
import { Controller, Flagon, Get } from "@flagon/core";
import type { RawRequest } from "@flagon/core/plugin";

// The router is internal to @flagon/core: load its build output directly (this file runs from
// test/bench/dist, three levels below the repository root).
const core = new URL("../../../core/dist/routing/", import.meta.url);
const { builtinConverters } = (await import(
  new URL("converters.js", core).href
)) as typeof import("../../core/src/routing/converters.js");
const { parsePath } = (await import(
  new URL("path.js", core).href
)) as typeof import("../../core/src/routing/path.js");
const { Router } = (await import(
  new URL("router.js", core).href
)) as typeof import("../../core/src/routing/router.js");
// What a route with a `response` schema runs: fast-json-stringify behind Flagon's status lookup.
const { createResponseCompiler } = (await import(
  new URL("../app/response-serializer.js", core).href
)) as typeof import("../../core/src/app/response-serializer.js");

function controllers(count: number, routes: number): Array<new () => unknown> {
  const out: Array<new () => unknown> = [];
  for (let c = 0; c < count; c++) {
    const cls = class {};
    Object.defineProperty(cls, "name", { value: `C${c}` });
    for (let r = 0; r < routes; r++) {
      const key = `m${r}`;
      Object.defineProperty(cls.prototype, key, { value: () => r, writable: true });
      const path = r % 2 === 0 ? `/items${r}` : `/items${r}/<int:id>`;
      const descriptor = Object.getOwnPropertyDescriptor(cls.prototype, key) as PropertyDescriptor;
      Get(path)(cls.prototype, key, descriptor);
    }
    Controller(`/c${c}`)(cls);
    out.push(cls);
  }
  return out;
}

async function readyTime(): Promise<number> {
  const app = new Flagon({ controllers: controllers(100, 10), configFile: false, logger: false });
  const began = performance.now();
  await app.ready();
  return performance.now() - began;
}

function opsPerSecond(fn: () => unknown, ms: number, batch = 1000): number {
  let n = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    for (let i = 0; i < batch; i++) fn();
    n += batch;
  }
  return (n / ms) * 1000;
}

function perSecond(ops: number): string {
  return ops >= 1e6 ? `${(ops / 1e6).toFixed(2)}M` : `${(ops / 1e3).toFixed(1)}k`;
}

const USER_SCHEMA = {
  type: "object",
  properties: {
    id: { type: "integer" },
    name: { type: "string" },
    email: { type: "string" },
    active: { type: "boolean" },
    score: { type: "number" },
    role: { type: "string" },
    age: { type: ["integer", "null"] },
    createdAt: { type: "string" },
    tags: { type: "array", items: { type: "string" } },
    address: {
      type: "object",
      properties: { city: { type: "string" }, zip: { type: "string" } },
    },
  },
} as const;

function user(i: number): Record<string, unknown> {
  return {
    id: i,
    name: `User number ${i}`,
    email: `user${i}@example.test`,
    active: i % 2 === 0,
    score: i * 1.5,
    role: "member",
    age: i % 5 === 0 ? null : 20 + (i % 50),
    createdAt: "2025-01-01T00:00:00.000Z",
    tags: ["a", "b", "c"],
    address: { city: "Lyon", zip: "69001" },
  };
}

/**
 * Response serialization: a 10-property object and a 50-item array of them, written by the
 * serializer a route with a `response` schema gets, against JSON.stringify (ops/s both). This
 * process has loaded @flagon/core, nunjucks included, as an app has. Alone, after
 * `npx tsc -b test/bench`: node -e 'import("./test/bench/dist/micro.js").then((m) => console.table(m.serialization(200)))'
 */
export function serialization(ms: number): Array<Record<string, string>> {
  const compile = createResponseCompiler();
  const cases = [
    ["a 10-property object", compile("GET /user", USER_SCHEMA), user(7), 1000],
    [
      "a 50-item array of them",
      compile("GET /users", { type: "array", items: USER_SCHEMA }),
      Array.from({ length: 50 }, (_, i) => user(i)),
      20,
    ],
  ] as const;
  let sink = 0;
  const rows = cases.map(([what, serialize, value, batch]) => {
    if (serialize(value, 200) !== JSON.stringify(value)) throw new Error(`bench data for ${what} is lossy`);
    const a = opsPerSecond(() => (sink += serialize(value, 200).length), ms, batch);
    const b = opsPerSecond(() => (sink += JSON.stringify(value).length), ms, batch);
    return {
      figure: `JSON of ${what}: response schema / JSON.stringify`,
      value: `${perSecond(a)} / ${perSecond(b)} per s (× ${(a / b).toFixed(2)})`,
    };
  });
  if (sink === 0) throw new Error("nothing was serialised");
  return rows;
}

/** A GET request as an adapter hands it over; never read, so one object serves every call. */
function getRequest(url: string): RawRequest {
  return {
    method: "GET",
    url,
    headers: { host: "localhost" },
    body: Readable.from([]),
    remoteAddress: "127.0.0.1",
    encrypted: false,
  };
}

async function handlesPerSecond(app: Flagon, url: string, ms: number): Promise<number> {
  const request = getRequest(url);
  for (let i = 0; i < 200; i++) await app.handle(request);
  let n = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    for (let i = 0; i < 200; i++) await app.handle(request);
    n += 200;
  }
  return (n / ms) * 1000;
}

/**
 * Hook cost, in-process through `app.handle` (no sockets: only the framework's work): the same
 * route with 0, 1 and 5 preHandler hooks that apply to it, and with 5 hooks in the app that
 * `appliesTo` keeps on another route, which must cost it nothing.
 */
export async function hookCost(ms: number): Promise<Array<{ figure: string; value: string }>> {
  const noop = (): undefined => undefined;
  const build = async (hooks: number, elsewhere: boolean): Promise<Flagon> => {
    const app = new Flagon({ configFile: false, logger: false });
    app.get("/route", () => ({ ok: true }));
    app.get("/other", () => ({ ok: true }));
    const appliesTo = elsewhere ? (route: { path: string }) => route.path === "/other" : undefined;
    for (let i = 0; i < hooks; i++) app.addHook("preHandler", noop, appliesTo ? { appliesTo } : {});
    await app.ready();
    return app;
  };
  const cases = [
    ["0 hooks", await build(0, false)],
    ["1 hook", await build(1, false)],
    ["5 hooks", await build(5, false)],
    ["5 hooks in the app, applying to another route", await build(5, true)],
  ] as const;
  // Every case warmed first, then measured in alternating rounds; the median round counts.
  const rates: number[][] = cases.map(() => []);
  for (let round = 0; round < 5; round++) {
    for (const [i, [, app]] of cases.entries()) rates[i]?.push(await handlesPerSecond(app, "/route", ms / 5));
  }
  const medians = rates.map((list) => list.sort((a, b) => a - b)[list.length >> 1] as number);
  const base = medians[0] as number;
  return cases.map(([name], i) => ({
    figure: `hook cost, GET /route with ${name} (in-process)`,
    value: `${((medians[i] as number) / 1000).toFixed(0)}k per s (× ${((medians[i] as number) / base).toFixed(2)} of 0 hooks)`,
  }));
}

export async function micro(
  quick: boolean,
): Promise<{ readyMs: number; rows: Array<Record<string, string | number>> }> {
  const readies: number[] = [];
  for (let i = 0; i < (quick ? 1 : 5); i++) readies.push(await readyTime());
  const readyMs = readies.sort((a, b) => a - b)[readies.length >> 1] as number;

  const ours = new Router<number>();
  const theirs = FindMyWay();
  const noop = (): void => undefined;
  for (let i = 0; i < 250; i++) {
    ours.add(parsePath(`/static${i}/list`, builtinConverters), "GET", i);
    theirs.on("GET", `/static${i}/list`, noop);
    ours.add(parsePath(`/param${i}/<name>`, builtinConverters), "GET", i);
    theirs.on("GET", `/param${i}/:name`, noop);
    ours.add(parsePath(`/files${i}/<path:rest>`, builtinConverters), "GET", i);
    theirs.on("GET", `/files${i}/*`, noop);
    ours.add(parsePath(`/num${i}/<int:id>`, builtinConverters), "GET", i);
    theirs.on("GET", `/num${i}/:id(^\\d+$)`, noop);
  }
  const ms = quick ? 100 : 1000;
  const cases = [
    ["static", "/static199/list"],
    ["param", "/param199/alice"],
    ["wildcard", "/files199/a/b/c.txt"],
    ["converter (int)", "/num199/12345"],
  ] as const;
  const rows = [
    { figure: "app.ready(), 100 controllers × 10 routes (median)", value: `${readyMs.toFixed(1)} ms` },
    ...cases.map(([kind, url]) => {
      // Alternating short rounds, median of each and of the ratio: on a shared machine a single
      // long measurement of each moves with whatever else runs.
      const rounds = quick ? 2 : 20;
      const ourRates: number[] = [];
      const theirRates: number[] = [];
      const ratios: number[] = [];
      for (let round = 0; round < rounds; round++) {
        const a = opsPerSecond(() => ours.match("GET", url), ms / rounds);
        const b = opsPerSecond(() => theirs.find("GET", url), ms / rounds);
        ourRates.push(a);
        theirRates.push(b);
        ratios.push(a / b);
      }
      const mid = (list: number[]): number => list.sort((x, y) => x - y)[list.length >> 1] as number;
      return {
        figure: `router look-up, ${kind}, 1,000 routes: flagon / find-my-way (median of ${rounds} rounds)`,
        value: `${(mid(ourRates) / 1e6).toFixed(2)}M / ${(mid(theirRates) / 1e6).toFixed(2)}M per s (× ${mid(ratios).toFixed(2)})`,
      };
    }),
    ...serialization(ms),
    ...(await hookCost(ms)),
  ];
  return { readyMs, rows };
}
