// The spec as a whole: the app serves exactly its operations, one walk through the API calls
// every one of them (each answer checked against its schema), the checker itself catches
// answers that break the spec, and a fresh database is migrated by the start-up step.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../src/app.js";
import { migrateToLatest } from "../src/migrate.js";
import {
  TEST_CONFIG,
  mismatches,
  publish,
  seen,
  signUp,
  startConduit,
  type Answer,
} from "./support/conduit.js";
import { validate, type Schema } from "./support/schema.js";
import { DATABASES } from "./support/servers.js";
import { BASE_PATH, OPERATIONS, resolve } from "./support/spec.js";
import { onEachDatabase } from "./support/suite.js";

/** `/api/articles/<slug>/comments/<int:id>` and `/articles/{slug}/comments/{id}` both → `/articles/{}/comments/{}`. */
const shape = (route: string) => route.replace(/<[^>]+>|\{[^}]+\}/g, "{}");

describe("the spec", () => {
  it("has the 19 operations this app implements", () => {
    expect(OPERATIONS.size).toBe(19);
    expect(BASE_PATH).toBe("/api");
  });

  it("is served exactly: every operation has its route, and /api has no route the spec lacks", async () => {
    const app = createApp({ logger: false, configFile: false, config: TEST_CONFIG });
    await app.build();
    const served = app
      .routes()
      .filter((route) => route.path.startsWith(`${BASE_PATH}/`))
      .flatMap((route) =>
        route.methods.filter((m) => m !== "HEAD" && m !== "OPTIONS").map((m) => `${m} ${shape(route.path)}`),
      )
      .sort();
    const specified = [...OPERATIONS.values()]
      .map((op) => `${op.method} ${BASE_PATH}${shape(op.path)}`)
      .sort();
    expect(served).toEqual(specified);
    await app.close();
  });
});

onEachDatabase("a walk through every operation", (conduit) => {
  it("calls all 19 operations, each answering its success status in its schema", async () => {
    seen.clear();
    const ada = await signUp(conduit(), "ada");
    const bob = await signUp(conduit(), "bob");
    expect(
      (await conduit().call("Login", { json: { user: { email: ada.email, password: ada.password } } }))
        .status,
    ).toBe(200);
    expect((await conduit().call("GetCurrentUser", { token: ada.token })).status).toBe(200);
    expect(
      (await conduit().call("UpdateCurrentUser", { token: ada.token, json: { user: { bio: "Hi" } } })).status,
    ).toBe(200);
    const username = { username: "ada" };
    expect((await conduit().call("GetProfileByUsername", { params: username })).status).toBe(200);
    expect(
      (await conduit().call("FollowUserByUsername", { params: username, token: bob.token })).status,
    ).toBe(200);
    const slug = await publish(conduit(), ada, "Walk", ["walking"]);
    expect((await conduit().call("GetArticlesFeed", { token: bob.token })).status).toBe(200);
    expect((await conduit().call("GetArticles", { query: { tag: "walking" } })).status).toBe(200);
    expect((await conduit().call("GetArticle", { params: { slug } })).status).toBe(200);
    expect((await conduit().call("GetTags")).status).toBe(200);
    expect(
      (await conduit().call("CreateArticleFavorite", { params: { slug }, token: bob.token })).status,
    ).toBe(200);
    expect(
      (await conduit().call("DeleteArticleFavorite", { params: { slug }, token: bob.token })).status,
    ).toBe(200);
    const comment = await conduit().call<{ comment: { id: number } }>("CreateArticleComment", {
      params: { slug },
      token: bob.token,
      json: { comment: { body: "Nice walk" } },
    });
    expect(comment.status).toBe(200);
    expect((await conduit().call("GetArticleComments", { params: { slug } })).status).toBe(200);
    const commentParams = { slug, id: comment.body.comment.id };
    expect(
      (await conduit().call("DeleteArticleComment", { params: commentParams, token: bob.token })).status,
    ).toBe(204);
    expect(
      (await conduit().call("UnfollowUserByUsername", { params: username, token: bob.token })).status,
    ).toBe(200);
    const update = { params: { slug }, token: ada.token, json: { article: { body: "Longer" } } };
    expect((await conduit().call("UpdateArticle", update)).status).toBe(200);
    expect((await conduit().call("DeleteArticle", { params: { slug }, token: ada.token })).status).toBe(204);

    const succeeded = new Set(
      [...seen].filter((entry) => /\s2\d\d$/.test(entry)).map((entry) => entry.split(" ")[0]),
    );
    expect([...OPERATIONS.keys()].filter((id) => !succeeded.has(id))).toEqual([]);
  });
});

describe("answers outside the operations", () => {
  it("are in the spec's error shape too: an unknown path (404) and a method a path lacks (405)", async () => {
    const conduit = await startConduit("sqlite::memory:");
    try {
      const missing = await conduit.app.inject({ url: "/api/nothing" });
      expect(missing.statusCode).toBe(404);
      expect(validate(missing.json(), { $ref: "#/components/schemas/GenericErrorModel" }, resolve)).toEqual(
        [],
      );
      const method = await conduit.app.inject({ method: "DELETE", url: "/api/tags" });
      expect(method.statusCode).toBe(405);
      expect(method.headers["allow"]).toBe("GET, HEAD, OPTIONS");
      expect(method.json()).toEqual({ errors: { body: [expect.any(String)] } });
    } finally {
      await conduit.close();
    }
  });
});

describe("a database that does not answer", () => {
  it("gives 503 with Retry-After in the spec's error shape, and the app goes on serving", async () => {
    // Nothing listens on port 1: every connection is refused at once.
    const url = "postgres://postgres@127.0.0.1:1/conduit";
    const app = createApp({
      logger: false,
      configFile: false,
      config: { ...TEST_CONFIG, database: { url } },
    });
    await app.ready();
    try {
      for (const request of [{ url: "/api/tags" }, { url: "/api/articles?limit=5" }]) {
        const res = await app.inject(request);
        expect(res.statusCode, request.url).toBe(503);
        expect(res.headers["retry-after"]).toBe("1");
        expect(res.json()).toEqual({ errors: { body: ["the database is unavailable, try again shortly"] } });
      }
      const migrating = migrateToLatest(app);
      await expect(migrating).rejects.toThrow();
    } finally {
      await app.close();
    }
  });
});

describe("the answer checker", () => {
  const article: Schema = { $ref: "#/components/schemas/Article" };
  const good = {
    slug: "s",
    title: "t",
    description: "d",
    body: "b",
    tagList: ["x"],
    createdAt: "2026-12-07T10:00:00.000Z",
    updatedAt: "2026-12-07T10:00:00.000Z",
    favorited: false,
    favoritesCount: 0,
    author: { username: "ada", bio: "", image: "", following: false },
  };

  it("accepts a conforming Article and names every mismatch of a broken one by its path", () => {
    expect(validate(good, article, resolve)).toEqual([]);
    const { slug: _slug, ...noSlug } = good;
    const broken = {
      ...noSlug,
      favoritesCount: 1.5,
      createdAt: "yesterday",
      tagList: ["x", 2],
      author: { username: "ada", bio: null, image: "" },
    };
    expect(validate(broken, article, resolve).sort()).toEqual(
      [
        '$: "slug" is required',
        "$.favoritesCount: expected integer, got number",
        '$.createdAt: "yesterday" is not a date-time',
        "$.tagList[1]: expected string, got integer",
        '$.author: "following" is required',
        "$.author.bio: expected string, got null",
      ].sort(),
    );
  });

  it("refuses a status the operation does not declare, a 204 with a body, and a non-JSON answer", () => {
    const answer = (status: number, body: unknown, type = "application/json"): Answer => ({
      status,
      body,
      headers: { "content-type": type },
    });
    expect(mismatches("GetTags", answer(500, {}), "{}")).toEqual([
      "GetTags answered 500, which the spec does not declare (200, 422)",
    ]);
    expect(mismatches("DeleteArticle", answer(204, "x"), "x")).toEqual(['a 204 must have no body, got "x"']);
    expect(mismatches("GetTags", answer(200, "<p>", "text/html"), "<p>")).toEqual([
      'expected application/json, got "text/html"',
    ]);
    expect(mismatches("GetTags", answer(200, { tags: [1] }), "")).toEqual([
      "$.tags[0]: expected string, got integer",
    ]);
    expect(mismatches("GetArticle", answer(404, { errors: { body: "no" } }), "")).toEqual([
      "$.errors.body: expected array, got string",
    ]);
    expect(mismatches("GetArticle", answer(404, { errors: { body: ["no"] } }), "")).toEqual([]);
  });

  it("refuses a schema keyword it does not check rather than passing it silently", () => {
    expect(validate("x", { type: "string", pattern: "^y$" } as Schema, resolve)).toEqual([
      '$: the schema uses "pattern", which this validator does not check',
    ]);
  });
});

describe("starting on a fresh database", () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
    vi.unstubAllEnvs();
  });

  it("migrates an empty SQLite file, keeps its data across restarts, and migrates nothing twice", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "conduit-"));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const url = `sqlite:${path.join(dir, "data", "conduit.db")}`;
    const open = async () => {
      const app = createApp({
        logger: false,
        configFile: false,
        config: { ...TEST_CONFIG, database: { url } },
      });
      await app.ready();
      return app;
    };
    const first = await open();
    expect(await migrateToLatest(first)).toEqual(["20261207000000_create_conduit"]);
    const user = { username: "ada", email: "ada@example.com", password: "a long password" };
    expect((await first.inject({ method: "POST", url: "/api/users", json: { user } })).statusCode).toBe(201);
    await first.close();

    const second = await open();
    cleanup.push(() => second.close());
    expect(await migrateToLatest(second)).toEqual([]);
    const login = await second.inject({ method: "POST", url: "/api/users/login", json: { user } });
    expect(login.statusCode).toBe(200);
  });

  it("defaults to sqlite:./data/conduit.db from flagon.config.json, and FLAGON_DATABASE__URL overrides it", async () => {
    const url = async () => {
      const app = createApp({ logger: false, config: { secretKey: TEST_CONFIG.secretKey } });
      await app.build(); // builds the app without opening the database
      const options = app.pluginOptions<{ url: string }>("@flagon/database");
      await app.close();
      return options?.url;
    };
    expect(await url()).toBe("sqlite:./data/conduit.db");
    vi.stubEnv("FLAGON_DATABASE__URL", DATABASES[1]!.url);
    expect(await url()).toBe(DATABASES[1]!.url);
  });

  it("starts on a fresh database of every reachable server", async () => {
    for (const { url, up } of DATABASES.filter((db) => db.up)) {
      expect(up).toBe(true);
      const conduit = await startConduit(url);
      cleanup.push(() => conduit.close());
      expect((await conduit.call<{ tags: string[] }>("GetTags")).body).toEqual({ tags: [] });
    }
  });
});
