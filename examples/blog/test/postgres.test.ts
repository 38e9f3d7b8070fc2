// The blog on PostgreSQL by config: the same migrations (with `serial` ids) and queries. Runs when
// TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test) answers; skips, saying why,
// when it does not.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Flagon } from "@flagon/core";
import { freshDatabase, type FreshDatabase } from "@flagon/database/testing";
import { Posts } from "../src/posts.js";
import { Users } from "../src/users.js";
import { DEMO_USER } from "../src/seed.js";
import { csrfOf, loggedInClient, testApp } from "./helpers.js";

const URL = process.env["TEST_POSTGRES_URL"] ?? "postgres://postgres@127.0.0.1:5432/test";

let fresh: FreshDatabase | undefined;
try {
  fresh = await freshDatabase(URL);
} catch (error) {
  const reason = error instanceof Error ? error.message : String(error);
  console.log(`PostgreSQL tests skipped: ${URL.replace(/\/\/[^@]*@/, "//")} is unreachable (${reason})`);
}

describe.skipIf(fresh === undefined)("on PostgreSQL", () => {
  let app: Flagon;
  beforeAll(async () => {
    app = await testApp({ seed: true, config: { database: { url: (fresh as FreshDatabase).url } } });
  });
  afterAll(async () => {
    await app?.close();
    await fresh?.drop();
  });

  it("migrates, seeds, and serves pages, tags, comments and the API", async () => {
    expect(
      await app
        .testClient()
        .get("/api/posts")
        .then((r) => r.json<{ total: number }>().total),
    ).toBe(6);
    const howto = await app.testClient().get("/tags/howto", { headers: { accept: "text/html" } });
    expect(howto.body).toContain("Writing in Markdown");
    expect(howto.body).toMatch(/#howto <span class="count">3<\/span>/);

    const client = await loggedInClient(app, DEMO_USER.username, DEMO_USER.password);
    const user = await app.container.resolve(Users).byUsername("demo");
    const id = await app.container
      .resolve(Posts)
      .create(user?.id ?? 0, { title: "On PG", body: "b", tags: ["pg", "howto"] });
    const post = await client.get(`/posts/${id}`, { headers: { accept: "text/html" } });
    const commented = await client.post(`/posts/${id}/comments`, {
      headers: { accept: "text/html" },
      form: { csrf_token: csrfOf(post.body), body: "Works on PostgreSQL" },
    });
    expect(commented.statusCode).toBe(303);
    const json = await app.testClient().get(`/api/posts/${id}`);
    expect(json.json()).toMatchObject({
      title: "On PG",
      tags: ["howto", "pg"],
      comments: [{ body: "Works on PostgreSQL" }],
    });
  });
});
