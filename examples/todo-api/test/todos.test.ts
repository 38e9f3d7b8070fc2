import { beforeEach, describe, expect, it } from "vitest";
import type { Flagon } from "@flagon/core";
import { createApp } from "../src/app.js";
import type { Todo } from "../src/todo-repository.js";

const JSON_ACCEPT = { accept: "application/json" };

interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: { location: string; path?: PropertyKey[]; name?: string; message: string }[];
}

let app: Flagon;
beforeEach(() => {
  app = createApp({ logger: false });
});

async function create(title: string, done?: boolean): Promise<Todo> {
  const res = await app.inject({ method: "POST", url: "/todos/", json: { title, done } });
  expect(res.statusCode).toBe(201);
  return res.json<Todo>();
}

describe("CRUD", () => {
  it("creates, reads, lists, updates and deletes through app.inject", async () => {
    const created = await app.inject({
      method: "POST",
      url: "/todos/",
      json: { title: "  Write the docs  " },
    });
    expect(created.statusCode).toBe(201);
    expect(created.headers["content-type"]).toMatch(/^application\/json/);
    expect(created.headers["location"]).toBe("/todos/1");
    expect(created.json()).toEqual({ id: 1, title: "Write the docs", done: false });

    const shown = await app.inject({ url: "/todos/1" });
    expect(shown.statusCode).toBe(200);
    expect(shown.json()).toEqual({ id: 1, title: "Write the docs", done: false });

    await create("Ship it", true);
    const listed = await app.inject({ url: "/todos/" });
    expect(listed.statusCode).toBe(200);
    expect(listed.json<Todo[]>().map((t) => t.title)).toEqual(["Write the docs", "Ship it"]);

    const updated = await app.inject({ method: "PATCH", url: "/todos/1", json: { done: true } });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toEqual({ id: 1, title: "Write the docs", done: true });

    const deleted = await app.inject({ method: "DELETE", url: "/todos/1" });
    expect(deleted.statusCode).toBe(204);
    expect(deleted.body).toBe("");

    expect((await app.inject({ url: "/todos/1" })).statusCode).toBe(404);
    expect((await app.inject({ url: "/todos/" })).json<Todo[]>()).toEqual([
      { id: 2, title: "Ship it", done: true },
    ]);
  });

  it("does the same through app.testClient()", async () => {
    const client = app.testClient();
    const created = await client.post("/todos/", { json: { title: "Buy milk" } });
    expect(created.statusCode).toBe(201);
    const { id } = created.json<Todo>();
    const location = created.headers["location"];
    expect(location).toBe(`/todos/${id}`);

    expect((await client.get(String(location))).json()).toEqual({ id, title: "Buy milk", done: false });

    const renamed = await client.patch(`/todos/${id}`, { json: { title: "Buy oat milk" } });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json<Todo>().title).toBe("Buy oat milk");

    expect((await client.get("/todos/")).json<Todo[]>()).toHaveLength(1);
    expect((await client.delete(`/todos/${id}`)).statusCode).toBe(204);
    expect((await client.get("/todos/")).json()).toEqual([]);
  });

  it("ids keep increasing after a delete", async () => {
    const first = await create("one");
    await app.inject({ method: "DELETE", url: `/todos/${first.id}` });
    expect((await create("two")).id).toBe(first.id + 1);
  });
});

describe("listing", () => {
  beforeEach(async () => {
    await create("open");
    await create("finished", true);
  });

  it("filters by ?done=true and ?done=false", async () => {
    const done = await app.inject({ url: "/todos/?done=true" });
    expect(done.json<Todo[]>().map((t) => t.title)).toEqual(["finished"]);
    const open = await app.inject({ url: "/todos/", query: { done: "false" } });
    expect(open.json<Todo[]>().map((t) => t.title)).toEqual(["open"]);
  });

  it("answers 400 naming the parameter when ?done is not a boolean", async () => {
    const res = await app.inject({ url: "/todos/?done=maybe", headers: JSON_ACCEPT });
    expect(res.statusCode).toBe(400);
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(res.body).toContain("done");
  });
});

describe("validation and body parsing", () => {
  it("answers 422 problem details naming the field for an invalid body", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/todos/",
      headers: JSON_ACCEPT,
      json: { title: "   " },
    });
    expect(res.statusCode).toBe(422);
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    const problem = res.json<Problem>();
    expect(problem.status).toBe(422);
    expect(problem.errors).toContainEqual(
      expect.objectContaining({ location: "body", path: ["title"], message: "Title must not be empty" }),
    );
    expect((await app.inject({ url: "/todos/" })).json()).toEqual([]);
  });

  it("answers 422 for a missing title, a wrong type and an unknown key", async () => {
    for (const [json, field] of [
      [{}, "title"],
      [{ title: "x", done: "yes" }, "done"],
      [{ title: "x", tittle: "typo" }, undefined],
    ] as const) {
      const res = await app.inject({ method: "POST", url: "/todos/", headers: JSON_ACCEPT, json });
      expect(res.statusCode, JSON.stringify(json)).toBe(422);
      if (field) expect(res.json<Problem>().errors?.[0]?.path).toEqual([field]);
    }
  });

  it("validates PATCH bodies with the partial schema", async () => {
    const { id } = await create("keep me");
    const res = await app.inject({
      method: "PATCH",
      url: `/todos/${id}`,
      headers: JSON_ACCEPT,
      json: { done: "nope" },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json<Problem>().errors?.[0]).toMatchObject({ location: "body", path: ["done"] });
    expect((await app.inject({ url: `/todos/${id}` })).json<Todo>().done).toBe(false);
  });

  it("answers 400 for malformed JSON", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/todos/",
      headers: { ...JSON_ACCEPT, "content-type": "application/json" },
      body: '{"title": "half',
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
  });

  it("answers 415 for a body that is not JSON", async () => {
    const form = await app.inject({
      method: "POST",
      url: "/todos/",
      headers: JSON_ACCEPT,
      form: { title: "from a form" },
    });
    expect(form.statusCode).toBe(415);
    const plain = await app.inject({
      method: "POST",
      url: "/todos/",
      headers: { ...JSON_ACCEPT, "content-type": "text/plain" },
      body: "title=plain",
    });
    expect(plain.statusCode).toBe(415);
    expect((await app.inject({ url: "/todos/" })).json()).toEqual([]);
  });
});

describe("errors", () => {
  it("answers 404 for an unknown id and for an id that is not an int", async () => {
    const missing = await app.inject({ url: "/todos/42", headers: JSON_ACCEPT });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(missing.json<Problem>().detail).toBe("Todo 42 does not exist");

    expect((await app.inject({ url: "/todos/abc" })).statusCode).toBe(404);
    expect((await app.inject({ method: "PATCH", url: "/todos/42", json: { done: true } })).statusCode).toBe(
      404,
    );
    expect((await app.inject({ method: "DELETE", url: "/todos/42" })).statusCode).toBe(404);
  });

  it("answers 409 when a title is already taken, on create and on rename", async () => {
    await create("Unique");
    const other = await create("Other");

    const duplicate = await app.inject({
      method: "POST",
      url: "/todos/",
      headers: JSON_ACCEPT,
      json: { title: "Unique" },
    });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json<Problem>()).toMatchObject({ status: 409 });

    const rename = await app.inject({
      method: "PATCH",
      url: `/todos/${other.id}`,
      json: { title: "Unique" },
    });
    expect(rename.statusCode).toBe(409);

    const same = await app.inject({ method: "PATCH", url: `/todos/${other.id}`, json: { title: "Other" } });
    expect(same.statusCode).toBe(200);
  });

  it("answers HTML errors to a browser", async () => {
    const res = await app.inject({ url: "/todos/42", headers: { accept: "text/html" } });
    expect(res.statusCode).toBe(404);
    expect(res.headers["content-type"]).toMatch(/^text\/html/);
  });
});

describe("routing", () => {
  it("redirects GET /todos to /todos/ with 308, keeping the query", async () => {
    const res = await app.inject({ url: "/todos" });
    expect(res.statusCode).toBe(308);
    expect(new URL(String(res.headers["location"])).pathname).toBe("/todos/");

    const withQuery = await app.inject({ url: "/todos?done=true" });
    expect(withQuery.statusCode).toBe(308);
    expect(String(withQuery.headers["location"])).toMatch(/\/todos\/\?done=true$/);
  });

  it("answers 405 with Allow for a method the resource lacks", async () => {
    const res = await app.inject({ method: "PUT", url: "/todos/1" });
    expect(res.statusCode).toBe(405);
    expect(String(res.headers["allow"]).split(", ").sort()).toEqual([
      "DELETE",
      "GET",
      "HEAD",
      "OPTIONS",
      "PATCH",
    ]);
  });

  it("names the routes as the controller declares them", async () => {
    await app.ready();
    expect(app.urlFor("Todos.show", { id: 7 })).toBe("/todos/7");
    expect(app.routes().map((r) => r.endpoint)).toEqual(
      expect.arrayContaining(["Todos.list", "Todos.show", "Todos.create", "Todos.update", "Todos.delete"]),
    );
  });
});

describe("isolation", () => {
  it("two createApp() instances do not share todos", async () => {
    const other = createApp({ logger: false });
    await create("only in the first app");

    expect((await other.inject({ url: "/todos/" })).json()).toEqual([]);
    const res = await other.inject({
      method: "POST",
      url: "/todos/",
      json: { title: "only in the first app" },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json<Todo>().id).toBe(1);
    expect((await app.inject({ url: "/todos/" })).json<Todo[]>()).toHaveLength(1);
  });
});
