// In-process figures: app.ready() for 100 controllers × 10 routes, and router look-ups in a
// 1,000-route table against find-my-way (Fastify's router), for static, param, wildcard and
// converter routes.
import "reflect-metadata";
import FindMyWay from "find-my-way";
import { Controller, Flagon, Get } from "@flagon/core";

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

function opsPerSecond(fn: () => unknown, ms: number): number {
  let n = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    for (let i = 0; i < 1000; i++) fn();
    n += 1000;
  }
  return (n / ms) * 1000;
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
      const a = opsPerSecond(() => ours.match("GET", url), ms);
      const b = opsPerSecond(() => theirs.find("GET", url), ms);
      return {
        figure: `router look-up, ${kind}, 1,000 routes: flagon / find-my-way`,
        value: `${(a / 1e6).toFixed(2)}M / ${(b / 1e6).toFixed(2)}M per s (× ${(a / b).toFixed(2)})`,
      };
    }),
  ];
  return { readyMs, rows };
}
