// The code of docs/dependency-injection.md, driven the way the guide says it behaves.
import "reflect-metadata";
import { describe, expect, test } from "vitest";
import { ErrorCodes, Flagon, FlagonError } from "@flagon/core";
import { createApp } from "./app.js";
import { NotesController, StatsController } from "./notes.controller.js";
import {
  MissingToken,
  PrimitiveParameter,
  SingletonHoldsRequest,
  TypeOnlyImport,
  UsesStrictUser,
  UsesUndecorated,
} from "./mistakes.js";
import { CLOCK, NoteRepository } from "./services.js";

const ada = { "x-user": "ada" };

describe("docs/dependency-injection.md: scopes", () => {
  test("a singleton is shared by every request of an app; app.container resolves it", async () => {
    const app = createApp();
    await app.inject({ method: "POST", url: "/notes/", headers: ada, json: { text: "one" } });
    await app.inject({ method: "POST", url: "/notes/", headers: { "x-user": "bob" }, json: { text: "two" } });
    expect((await app.inject("/stats/")).json()).toEqual({ notes: 2, stopwatchesShared: false });
    expect(app.container.resolve(NoteRepository).count()).toBe(2);
  });

  test("two apps share nothing: each has its own container", async () => {
    const one = createApp();
    const two = createApp();
    await one.inject({ method: "POST", url: "/notes/", headers: ada, json: { text: "only here" } });
    expect((await one.inject("/stats/")).json()).toMatchObject({ notes: 1 });
    expect((await two.inject("/stats/")).json()).toMatchObject({ notes: 0 });
  });

  test("a request-scoped service gets its own request's Context", async () => {
    const app = createApp();
    await app.inject({ method: "POST", url: "/notes/", headers: ada, json: { text: "mine" } });
    const res = await app.inject({ url: "/notes/", headers: ada });
    expect(res.json()).toMatchObject({ user: "ada", notes: [{ id: 1, author: "ada", text: "mine" }] });
    expect((await app.inject({ url: "/notes/", headers: { "x-user": "bob" } })).json()).toEqual({
      user: "bob",
      notes: [],
    });
  });

  test("a request-scoped service's method may answer with an HttpError", async () => {
    const res = await createApp().inject({ url: "/notes/", headers: { accept: "application/json" } });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ detail: "send an X-User header" });
  });

  test("an HttpError thrown by a constructor is wrapped by tsyringe: a 500", async () => {
    const app = new Flagon({ controllers: [UsesStrictUser] });
    const res = await app.inject({ url: "/f/", headers: { accept: "application/json" } });
    expect(res.statusCode).toBe(500);
    expect((await app.inject({ url: "/f/", headers: ada })).body).toBe("ada");
  });

  test("a controller that needs a request-scoped service is built per request; one that does not, once", async () => {
    const app = createApp();
    await app.ready();
    expect(app.container.resolve(StatsController)).toBe(app.container.resolve(StatsController));
    expect(() => app.container.resolve(NotesController)).toThrow(); // only a request has a Context
  });

  test("dispose() of a request-scoped service runs after its handler", async () => {
    const app = createApp();
    await app.inject({ method: "POST", url: "/notes/", headers: ada, json: { text: "x" } });
    await app.inject({ url: "/notes/", headers: ada });
    expect(app.container.resolve<string[]>("journal")).toEqual([
      "committed 1 event(s)",
      "committed 0 event(s)",
    ]);
  });
});

describe("docs/dependency-injection.md: providers", () => {
  test("a provider given later replaces an earlier one for the same token", async () => {
    const fixed = { now: () => new Date("2030-01-01T00:00:00Z") };
    const app = createApp({ providers: [{ provide: CLOCK, useValue: fixed }] });
    const res = await app.inject({ method: "POST", url: "/notes/", headers: ada, json: { text: "later" } });
    expect(res.json()).toEqual({ id: 1, author: "ada", text: "later", at: "2030-01-01T00:00:00.000Z" });
  });
});

describe("docs/dependency-injection.md: mistakes stop start-up", () => {
  async function startupError(controller: new (...args: never[]) => unknown): Promise<FlagonError> {
    const app = new Flagon({ controllers: [controller], providers: [{ provide: CLOCK, useValue: {} }] });
    const error: unknown = await app.ready().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FlagonError);
    return error as FlagonError;
  }

  test("import type: the parameter's type is gone", async () => {
    const error = await startupError(TypeOnlyImport);
    expect(error.code).toBe(ErrorCodes.DI_UNRESOLVED);
    expect(error.message).toMatch(/TypeOnlyImport parameter #0 (is typed Object|has no runtime type)/);
  });

  test("a primitive parameter needs @inject(token)", async () => {
    const error = await startupError(PrimitiveParameter);
    expect(error.code).toBe(ErrorCodes.DI_UNRESOLVED);
    expect(error.message).toMatch(/PrimitiveParameter parameter #0 is typed String; .*@inject\(token\)/);
  });

  test("a token nobody provides is named, with the trail to it", async () => {
    const error = await startupError(MissingToken);
    expect(error.code).toBe(ErrorCodes.DI_UNRESOLVED);
    expect(error.message).toContain('MissingToken parameter #0 needs "mailer", which is not registered');
  });

  test("a singleton that depends on a request-scoped service", async () => {
    const error = await startupError(SingletonHoldsRequest);
    expect(error.code).toBe(ErrorCodes.DI_SCOPE);
    expect(error.message).toContain("singleton Greeter depends on a request-scoped provider");
  });

  test("a class without type metadata", async () => {
    const error = await startupError(UsesUndecorated);
    expect(error.code).toBe(ErrorCodes.DI_UNRESOLVED);
    expect(error.message).toContain("Undecorated has constructor parameters but no type metadata");
  });
});
