// CreateArticle, GetArticle, UpdateArticle, DeleteArticle, CreateArticleFavorite,
// DeleteArticleFavorite and GetTags: answers, the author-only rules, and the error cases.
import { expect, it } from "vitest";
import { databaseOf, sql, type Database } from "@flagon/database";
import type { DB } from "../src/db.js";
import { publish, signUp } from "./support/conduit.js";
import { onEachDatabase } from "./support/suite.js";

interface Article {
  slug: string;
  title: string;
  description: string;
  body: string;
  tagList: string[];
  createdAt: string;
  updatedAt: string;
  favorited: boolean;
  favoritesCount: number;
  author: { username: string; following: boolean };
}
type ArticleAnswer = { article: Article };
type Errors = { errors: { body: string[] } };

onEachDatabase("articles", (conduit) => {
  it("creates an article (201) with a slug from its title, tags in the order given", async () => {
    const ada = await signUp(conduit(), "ada");
    const res = await conduit().call<ArticleAnswer>("CreateArticle", {
      token: ada.token,
      json: {
        article: {
          title: "How to Train Your Dragon!",
          description: "Ever wonder how?",
          body: "You have to believe",
          tagList: ["dragons", " training ", "dragons", ""],
        },
      },
    });
    expect(res.status).toBe(201);
    expect(res.body.article).toMatchObject({
      slug: "how-to-train-your-dragon",
      title: "How to Train Your Dragon!",
      description: "Ever wonder how?",
      body: "You have to believe",
      tagList: ["dragons", "training"],
      favorited: false,
      favoritesCount: 0,
      author: { username: "ada", following: false },
    });
    expect(res.body.article.createdAt).toBe(res.body.article.updatedAt);

    const shown = await conduit().call<ArticleAnswer>("GetArticle", {
      params: { slug: "how-to-train-your-dragon" },
    });
    expect(shown.status).toBe(200);
    expect(shown.body.article).toEqual(res.body.article);
  });

  it("gives a second article with the same title a slug of its own", async () => {
    const ada = await signUp(conduit(), "ada");
    const first = await publish(conduit(), ada, "Same title");
    const second = await publish(conduit(), ada, "Same title");
    expect(first).toBe("same-title");
    expect(second).toMatch(/^same-title-[0-9a-f]{8}$/);
  });

  it("answers 422 naming the field for an invalid article, and 401 without a token", async () => {
    const ada = await signUp(conduit(), "ada");
    const cases: [unknown, string][] = [
      [{}, "article can't be blank"],
      [{ article: { description: "d", body: "b" } }, "title can't be blank"],
      [{ article: { title: "t", description: "", body: "b" } }, "description can't be blank"],
      [
        { article: { title: "t", description: "d", body: "b", tagList: "x" } },
        "tagList must be a list of strings",
      ],
      [{ article: { title: "t", description: "d", body: "b", tagList: [1] } }, "tagList.0 must be a string"],
    ];
    for (const [json, message] of cases) {
      const res = await conduit().call<Errors>("CreateArticle", { token: ada.token, json });
      expect(res.status, JSON.stringify(json)).toBe(422);
      expect(res.body.errors.body).toContain(message);
    }
    const anonymous = await conduit().call("CreateArticle", {
      json: { article: { title: "t", description: "d", body: "b" } },
    });
    expect(anonymous.status).toBe(401);
    expect((await conduit().call<{ tags: string[] }>("GetTags")).body.tags).toEqual([]);
  });

  it("lets the author update; a new title gives a new slug and the old one is gone", async () => {
    const ada = await signUp(conduit(), "ada");
    const slug = await publish(conduit(), ada, "First draft", ["draft"]);
    const before = (await conduit().call<ArticleAnswer>("GetArticle", { params: { slug } })).body.article;
    await new Promise((resolve) => setTimeout(resolve, 5));

    const updated = await conduit().call<ArticleAnswer>("UpdateArticle", {
      params: { slug },
      token: ada.token,
      json: { article: { title: "Final version", body: "Rewritten" } },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.article).toMatchObject({
      slug: "final-version",
      title: "Final version",
      body: "Rewritten",
      description: before.description,
      tagList: ["draft"],
      createdAt: before.createdAt,
    });
    expect(updated.body.article.updatedAt > before.updatedAt).toBe(true);
    expect((await conduit().call("GetArticle", { params: { slug } })).status).toBe(404);
    expect((await conduit().call("GetArticle", { params: { slug: "final-version" } })).status).toBe(200);

    const invalid = await conduit().call("UpdateArticle", {
      params: { slug: "final-version" },
      token: ada.token,
      json: { article: { title: "" } },
    });
    expect(invalid.status).toBe(422);
  });

  it("answers 403 when another user updates or deletes, and leaves the article as it was", async () => {
    const ada = await signUp(conduit(), "ada");
    const bob = await signUp(conduit(), "bob");
    const slug = await publish(conduit(), ada, "Ada's notes");
    const update = await conduit().call<Errors>("UpdateArticle", {
      params: { slug },
      token: bob.token,
      json: { article: { title: "Bob's now" } },
    });
    expect(update.status).toBe(403);
    expect(update.body.errors.body).toEqual(["only the author may edit this article"]);
    expect((await conduit().call("DeleteArticle", { params: { slug }, token: bob.token })).status).toBe(403);
    const still = await conduit().call<ArticleAnswer>("GetArticle", { params: { slug } });
    expect(still.body.article.title).toBe("Ada's notes");
  });

  it("deletes the author's article (204) with its tags, favourites and comments", async () => {
    const ada = await signUp(conduit(), "ada");
    const slug = await publish(conduit(), ada, "Short-lived", ["gone"]);
    await conduit().call("CreateArticleFavorite", { params: { slug }, token: ada.token });
    await conduit().call("CreateArticleComment", {
      params: { slug },
      token: ada.token,
      json: { comment: { body: "hi" } },
    });

    const deleted = await conduit().call("DeleteArticle", { params: { slug }, token: ada.token });
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBe("");
    expect((await conduit().call("GetArticle", { params: { slug } })).status).toBe(404);
    expect((await conduit().call<{ tags: string[] }>("GetTags")).body.tags).toEqual([]);
    const db = databaseOf(conduit().app) as Database<DB>;
    for (const table of ["favorites", "comments", "article_tags"] as const) {
      expect(await db.selectFrom(table).selectAll().execute(), table).toEqual([]);
    }
  });

  it("answers 404 for an unknown slug on every article operation, and 401 before that without a token", async () => {
    const ada = await signUp(conduit(), "ada");
    const params = { slug: "no-such-article" };
    const calls: [string, object][] = [
      ["GetArticle", {}],
      ["UpdateArticle", { json: { article: { title: "x" } } }],
      ["DeleteArticle", {}],
      ["CreateArticleFavorite", {}],
      ["DeleteArticleFavorite", {}],
      ["GetArticleComments", {}],
      ["CreateArticleComment", { json: { comment: { body: "x" } } }],
    ];
    for (const [op, extra] of calls) {
      const res = await conduit().call<Errors>(op, { params, token: ada.token, ...extra });
      expect(res.status, op).toBe(404);
      expect(res.body.errors.body).toEqual(['article "no-such-article" does not exist']);
    }
    for (const op of ["UpdateArticle", "DeleteArticle", "CreateArticleFavorite", "DeleteArticleFavorite"]) {
      expect((await conduit().call(op, { params, json: { article: {} } })).status, op).toBe(401);
    }
  });

  it("favourites and unfavourites: the count and the flag follow, and twice is the same as once", async () => {
    const ada = await signUp(conduit(), "ada");
    const bob = await signUp(conduit(), "bob");
    const carol = await signUp(conduit(), "carol");
    const slug = await publish(conduit(), ada, "Popular");
    const params = { slug };

    const once = await conduit().call<ArticleAnswer>("CreateArticleFavorite", { params, token: bob.token });
    expect(once.status).toBe(200);
    expect(once.body.article).toMatchObject({ favorited: true, favoritesCount: 1 });
    const twice = await conduit().call<ArticleAnswer>("CreateArticleFavorite", { params, token: bob.token });
    expect(twice.body.article.favoritesCount).toBe(1);
    const byCarol = await conduit().call<ArticleAnswer>("CreateArticleFavorite", {
      params,
      token: carol.token,
    });
    expect(byCarol.body.article.favoritesCount).toBe(2);

    const forAda = await conduit().call<ArticleAnswer>("GetArticle", { params, token: ada.token });
    expect(forAda.body.article).toMatchObject({ favorited: false, favoritesCount: 2 });
    const anonymous = await conduit().call<ArticleAnswer>("GetArticle", { params });
    expect(anonymous.body.article.favorited).toBe(false);

    const undone = await conduit().call<ArticleAnswer>("DeleteArticleFavorite", { params, token: bob.token });
    expect(undone.status).toBe(200);
    expect(undone.body.article).toMatchObject({ favorited: false, favoritesCount: 1 });
  });

  it("reads GetArticle with a token that does not verify as anonymous (the spec declares no 401 there)", async () => {
    const ada = await signUp(conduit(), "ada");
    const slug = await publish(conduit(), ada, "Open");
    await conduit().call("CreateArticleFavorite", { params: { slug }, token: ada.token });
    const res = await conduit().call<ArticleAnswer>("GetArticle", { params: { slug }, token: "x.y.z" });
    expect(res.status).toBe(200);
    expect(res.body.article).toMatchObject({ favorited: false, favoritesCount: 1 });
  });

  it("shows following: true on an article by an author the viewer follows", async () => {
    const ada = await signUp(conduit(), "ada");
    const bob = await signUp(conduit(), "bob");
    const slug = await publish(conduit(), ada, "Followed");
    await conduit().call("FollowUserByUsername", { params: { username: "ada" }, token: bob.token });
    const res = await conduit().call<ArticleAnswer>("GetArticle", { params: { slug }, token: bob.token });
    expect(res.body.article.author.following).toBe(true);
  });

  it("rolls the article back when its tags fail to save (one transaction for both)", async () => {
    const ada = await signUp(conduit(), "ada");
    const db = databaseOf(conduit().app) as Database<DB>;
    // A trigger makes the tag "boom" fail to insert, after the article row was written.
    if (db.dialectName === "postgres") {
      await sql`create function refuse_boom() returns trigger language plpgsql as $$
        begin if new.tag = 'boom' then raise exception 'boom'; end if; return new; end $$`.execute(db);
      await sql`create trigger refuse_boom before insert on article_tags
        for each row execute function refuse_boom()`.execute(db);
    } else {
      await sql`create trigger refuse_boom before insert on article_tags
        when new.tag = 'boom' begin select raise(abort, 'boom'); end`.execute(db);
    }
    const res = await conduit().app.inject({
      method: "POST",
      url: "/api/articles",
      headers: { authorization: `Token ${ada.token}` },
      json: { article: { title: "Doomed", description: "d", body: "b", tagList: ["fine", "boom"] } },
    });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ errors: { body: ["the server failed to answer, try again"] } });
    expect(await db.selectFrom("articles").selectAll().execute()).toEqual([]);
    expect(await db.selectFrom("article_tags").selectAll().execute()).toEqual([]);
    expect((await publish(conduit(), ada, "Doomed", ["fine"])) === "doomed").toBe(true);
  });

  it("lists the tags in use, the most used first", async () => {
    const ada = await signUp(conduit(), "ada");
    await publish(conduit(), ada, "One", ["rare", "common"]);
    await publish(conduit(), ada, "Two", ["common", "middle"]);
    await publish(conduit(), ada, "Three", ["common", "middle"]);
    const res = await conduit().call<{ tags: string[] }>("GetTags");
    expect(res.status).toBe(200);
    expect(res.body.tags).toEqual(["common", "middle", "rare"]);
  });
});
