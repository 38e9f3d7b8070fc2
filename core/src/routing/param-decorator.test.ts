import "reflect-metadata";
import { describe, expect, test } from "vitest";
import { BodyParsers } from "../http/body-parsers.js";
import type { Context, RouteInfo } from "../http/context.js";
import { makeBinder } from "./binders.js";
import { getParams, type ParamRecord } from "./metadata.js";
import { createParamDecorator, type ParamInfo } from "./param-decorator.js";

const route: RouteInfo = {
  method: "GET",
  path: "/",
  endpoint: "x",
  controller: undefined,
  handlerName: "x",
  metadata: new Map(),
};
const site = { route, where: "X.y", bodyParsers: new BodyParsers(), ownLimit: undefined };
const ctx = { state: {} } as unknown as Context;

function customRecord(record: ParamRecord | undefined): Extract<ParamRecord, { kind: "custom" }> {
  if (record?.kind !== "custom") throw new Error("expected a custom parameter record");
  return record;
}

describe("createParamDecorator", () => {
  test("records kind, index, name and data only; nothing is resolved at decoration", () => {
    let calls = 0;
    const Tag = createParamDecorator(
      (_ctx, data: string) => {
        calls += 1;
        return data;
      },
      { name: "Tag" },
    );
    class C {
      m(_a: unknown, @Tag("hello") _b: string): void {}
    }
    const [record] = getParams(C, "m");
    expect(customRecord(record)).toMatchObject({ kind: "custom", index: 1, name: "Tag", data: "hello" });
    expect(calls).toBe(0);
    expect(Tag.decoratorName).toBe("Tag");
  });

  test("the name defaults to the resolver's", () => {
    function currentUser(): undefined {
      return undefined;
    }
    expect(createParamDecorator(currentUser).decoratorName).toBe("currentUser");
  });

  test("on a constructor parameter: FLAGON_ERR_BAD_PATH naming the decorator", () => {
    const Db = createParamDecorator(() => 1, { name: "Db" });
    expect(() => {
      class C {
        constructor(@Db() readonly db: number) {}
      }
      return C;
    }).toThrow(/@Db\(\) works on the parameters of controller methods/);
  });
});

describe("the compiled binder of a custom parameter", () => {
  test("a plain value stays synchronous; one param object is made for all requests", () => {
    const seen: ParamInfo[] = [];
    const Echo = createParamDecorator((_ctx, data: number, param) => {
      seen.push(param);
      return data * 2;
    });
    class C {
      m(@Echo(21) _n: number): void {}
    }
    const binder = makeBinder(customRecord(getParams(C, "m")[0]), Number, site);
    expect(binder(ctx)).toBe(42);
    expect(binder(ctx)).toBe(42);
    expect(seen[0]).toBe(seen[1]);
    expect(seen[0]).toEqual({ type: Number, index: 0, route });
    expect(Object.isFrozen(seen[0])).toBe(true);
  });

  test("a promise is passed through; another thenable becomes a promise", async () => {
    const Later = createParamDecorator((_ctx, kind: "promise" | "thenable") =>
      kind === "promise"
        ? Promise.resolve("p")
        : { then: (resolve: (value: string) => void) => resolve("t") },
    );
    class C {
      m(@Later("promise") _a: string, @Later("thenable") _b: string): void {}
    }
    const [a, b] = [...getParams(C, "m")]
      .sort((x, y) => x.index - y.index)
      .map((r) => makeBinder(r, String, site));
    const pa = a?.(ctx);
    const pb = b?.(ctx);
    expect(pa).toBeInstanceOf(Promise);
    expect(pb).toBeInstanceOf(Promise);
    expect([await pa, await pb]).toEqual(["p", "t"]);
  });
});
