import { describe, expect, test } from "vitest";
import type { Context } from "../http/context.js";
import { intercepted } from "./interceptors.js";

const ctx = {} as Context;

describe("intercepted", () => {
  test("without interceptors the invoker is returned as it is (no wrapper, no promise)", () => {
    const invoke = (): string => "x";
    expect(intercepted(invoke, [], "E")).toBe(invoke);
  });

  test("a synchronous throw, in an interceptor or the handler, becomes a rejection", async () => {
    const throwing = intercepted(
      () => "never",
      [
        () => {
          throw new Error("in interceptor");
        },
      ],
      "E",
    );
    await expect(throwing(ctx)).rejects.toThrow("in interceptor");
    const handlerThrows = intercepted(
      () => {
        throw new Error("in handler");
      },
      [(_c, next) => next()],
      "E",
    );
    await expect(handlerThrows(ctx)).rejects.toThrow("in handler");
  });

  test("the handler is called synchronously inside the innermost interceptor's call of next()", () => {
    const log: string[] = [];
    const run = intercepted(
      () => log.push("handler"),
      [
        (_c, next) => {
          log.push("outer");
          const p = next();
          log.push("outer after next");
          return p;
        },
        (_c, next) => next(),
      ],
      "E",
    );
    void run(ctx);
    expect(log).toEqual(["outer", "handler", "outer after next"]);
  });

  test("next() twice throws FLAGON_ERR_INTERCEPTOR naming the interceptor and the endpoint", async () => {
    const run = intercepted(
      () => 1,
      [
        async function twice(_c, next) {
          await next();
          return next();
        },
      ],
      "Todos.show",
    );
    await expect(run(ctx)).rejects.toMatchObject({ code: "FLAGON_ERR_INTERCEPTOR" });
    await expect(run(ctx)).rejects.toThrow(/twice of Todos\.show called next\(\) twice/);
  });
});
