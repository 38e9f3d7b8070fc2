// GetArticleComments, CreateArticleComment, DeleteArticleComment.
import { expect, it } from "vitest";
import { publish, signUp } from "./support/conduit.js";
import { onEachDatabase } from "./support/suite.js";

interface Comment {
  id: number;
  createdAt: string;
  updatedAt: string;
  body: string;
  author: { username: string; following: boolean };
}
type Errors = { errors: { body: string[] } };

onEachDatabase("comments", (conduit) => {
  it("adds comments (200) and lists them oldest first to anyone", async () => {
    const ada = await signUp(conduit(), "ada");
    const bob = await signUp(conduit(), "bob");
    const slug = await publish(conduit(), ada, "Discuss");
    const first = await conduit().call<{ comment: Comment }>("CreateArticleComment", {
      params: { slug },
      token: bob.token,
      json: { comment: { body: "First!" } },
    });
    expect(first.status).toBe(200);
    expect(first.body.comment).toMatchObject({
      body: "First!",
      author: { username: "bob", following: false },
    });
    expect(Number.isInteger(first.body.comment.id)).toBe(true);
    await conduit().call("CreateArticleComment", {
      params: { slug },
      token: ada.token,
      json: { comment: { body: "Thanks" } },
    });

    const listed = await conduit().call<{ comments: Comment[] }>("GetArticleComments", { params: { slug } });
    expect(listed.status).toBe(200);
    expect(listed.body.comments.map((c) => [c.author.username, c.body])).toEqual([
      ["bob", "First!"],
      ["ada", "Thanks"],
    ]);
    expect(listed.body.comments[0]).toEqual(first.body.comment);

    await conduit().call("FollowUserByUsername", { params: { username: "bob" }, token: ada.token });
    const forAda = await conduit().call<{ comments: Comment[] }>("GetArticleComments", {
      params: { slug },
      token: ada.token,
    });
    expect(forAda.body.comments.map((c) => c.author.following)).toEqual([true, false]);
  });

  it("lets only a comment's author delete it (204; 403 for another user)", async () => {
    const ada = await signUp(conduit(), "ada");
    const bob = await signUp(conduit(), "bob");
    const slug = await publish(conduit(), ada, "Discuss");
    const { body } = await conduit().call<{ comment: Comment }>("CreateArticleComment", {
      params: { slug },
      token: bob.token,
      json: { comment: { body: "Mine" } },
    });
    const params = { slug, id: body.comment.id };
    // Not even the article's author may delete another's comment.
    const refused = await conduit().call<Errors>("DeleteArticleComment", { params, token: ada.token });
    expect(refused.status).toBe(403);
    expect(refused.body.errors.body).toEqual(["only its author may delete this comment"]);

    const deleted = await conduit().call("DeleteArticleComment", { params, token: bob.token });
    expect(deleted.status).toBe(204);
    expect(
      (await conduit().call<{ comments: Comment[] }>("GetArticleComments", { params: { slug } })).body
        .comments,
    ).toEqual([]);
    expect((await conduit().call("DeleteArticleComment", { params, token: bob.token })).status).toBe(404);
  });

  it("answers 404 for a comment of another article, an unknown id, or an id that is not a number", async () => {
    const ada = await signUp(conduit(), "ada");
    const one = await publish(conduit(), ada, "One");
    const two = await publish(conduit(), ada, "Two");
    const { body } = await conduit().call<{ comment: Comment }>("CreateArticleComment", {
      params: { slug: one },
      token: ada.token,
      json: { comment: { body: "On one" } },
    });
    const elsewhere = await conduit().call("DeleteArticleComment", {
      params: { slug: two, id: body.comment.id },
      token: ada.token,
    });
    expect(elsewhere.status).toBe(404);
    expect(
      (await conduit().call("DeleteArticleComment", { params: { slug: one, id: 999999 }, token: ada.token }))
        .status,
    ).toBe(404);
    expect(
      (await conduit().call("DeleteArticleComment", { params: { slug: one, id: "abc" }, token: ada.token }))
        .status,
    ).toBe(404);
    expect(
      (await conduit().call<{ comments: Comment[] }>("GetArticleComments", { params: { slug: one } })).body
        .comments,
    ).toHaveLength(1);
  });

  it("answers 422 for an empty comment and 401 without a token", async () => {
    const ada = await signUp(conduit(), "ada");
    const slug = await publish(conduit(), ada, "Discuss");
    for (const [json, message] of [
      [{ comment: { body: "" } }, "body can't be blank"],
      [{ comment: {} }, "body can't be blank"],
      [{}, "comment can't be blank"],
    ] as const) {
      const res = await conduit().call<Errors>("CreateArticleComment", {
        params: { slug },
        token: ada.token,
        json,
      });
      expect(res.status).toBe(422);
      expect(res.body.errors.body).toEqual([message]);
    }
    const params = { slug };
    expect(
      (await conduit().call("CreateArticleComment", { params, json: { comment: { body: "x" } } })).status,
    ).toBe(401);
    expect((await conduit().call("DeleteArticleComment", { params: { slug, id: 1 } })).status).toBe(401);
    expect((await conduit().call("GetArticleComments", { params, token: "x.y.z" })).status).toBe(401);
  });
});
