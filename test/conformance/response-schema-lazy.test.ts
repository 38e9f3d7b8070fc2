import "reflect-metadata";
import { expect, test, vi } from "vitest";
import { Controller, Flagon, Get } from "@flagon/core";

// fast-json-stringify (and the Ajv it pulls in) is imported only by an app that declares a
// response schema. The mock passes the real module through and counts how often the module
// graph of this file imports it (vitest runs the factory on the first import only).
const loads = vi.hoisted(() => ({ count: 0 }));
vi.mock("fast-json-stringify", async (importOriginal) => {
  loads.count += 1;
  return await importOriginal();
});

@Controller("/c")
class Plain {
  @Get("/")
  list() {
    return [{ a: 1 }];
  }
}

@Controller("/s")
class WithSchema {
  @Get("/", {
    response: { type: "array", items: { type: "object", properties: { a: { type: "integer" } } } },
  })
  list() {
    return [{ a: 1, b: 2 }];
  }
}

test("an app without response schemas never imports fast-json-stringify; one with a schema does", async () => {
  const plain = new Flagon({ controllers: [Plain], configFile: false, logger: false });
  plain.get("/fn", () => ({ a: 1, b: 2 }), { bodyLimit: 1024 });
  await plain.ready();
  expect((await plain.inject("/c/")).json()).toEqual([{ a: 1 }]);
  expect((await plain.inject("/fn")).json()).toEqual({ a: 1, b: 2 });
  expect(loads.count, "imported by an app without schemas").toBe(0);

  const schemed = new Flagon({ controllers: [WithSchema], configFile: false, logger: false });
  await schemed.ready();
  expect(loads.count, "imported once the app declares a schema").toBe(1);
  expect((await schemed.inject("/s/")).json()).toEqual([{ a: 1 }]);
});
