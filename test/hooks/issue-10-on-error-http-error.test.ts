// Issue 10, bug 2: an onError hook that returns an HttpError used to answer 500 with the error
// object serialised as JSON. An HttpError returned or thrown by onError now replaces the error
// and is rendered like any other: its status, problem+json for JSON clients, HTML otherwise.
import "reflect-metadata";
import { describe, expect, it } from "vitest";
import { Flagon, HttpError, NotFoundError } from "@flagon/core";

class QuotaExceeded extends Error {}

function appWith(onError: (error: unknown) => unknown): Flagon {
  const app = new Flagon({ configFile: false, config: { env: "test" } });
  app.get("/quota", () => {
    throw new QuotaExceeded("over quota");
  });
  app.addHook("onError", (_ctx, error) => onError(error));
  return app;
}

describe("onError and HttpError", () => {
  it("a returned HttpError is rendered as problem+json with its status, not serialised", async () => {
    const app = appWith((error) =>
      error instanceof QuotaExceeded
        ? new HttpError(429, "Slow down", { headers: { "retry-after": "30" } })
        : undefined,
    );
    const res = await app.inject({ url: "/quota", headers: { accept: "application/json" } });
    expect(res.statusCode).toBe(429);
    expect(res.headers["content-type"]).toBe("application/problem+json");
    expect(res.headers["retry-after"]).toBe("30");
    expect(res.json()).toEqual({
      type: "about:blank",
      title: "Too Many Requests",
      status: 429,
      detail: "Slow down",
    });
  });

  it("a thrown HttpError replaces the error too, and a browser gets the HTML page", async () => {
    const app = appWith(() => {
      throw new NotFoundError("No such quota");
    });
    const res = await app.inject({ url: "/quota", headers: { accept: "text/html" } });
    expect(res.statusCode).toBe(404);
    expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(res.body).toContain("No such quota");
  });

  it("the replacement reaches the error handler registered for its status", async () => {
    const app = appWith(() => new HttpError(409, "Conflict here"));
    app.setErrorHandler(409, (error) => ({ handled: (error as HttpError).message }));
    const res = await app.inject({ url: "/quota", headers: { accept: "application/json" } });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual({ handled: "Conflict here" });
  });

  it("a later onError hook sees the replacement", async () => {
    const seen: unknown[] = [];
    const app = appWith(() => new HttpError(403, "No"));
    app.addHook("onError", (_ctx, error) => {
      seen.push(error);
    });
    const res = await app.inject({ url: "/quota", headers: { accept: "application/json" } });
    expect(res.statusCode).toBe(403);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeInstanceOf(HttpError);
  });

  it("a plain thrown error in onError is still logged and skipped: the original error answers", async () => {
    const app = appWith(() => {
      throw new Error("the hook broke");
    });
    const res = await app.inject({ url: "/quota", headers: { accept: "application/json" } });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain("the hook broke");
  });
});
