// GetArticles (filters by tag, author and favorited; limit and offset) and GetArticlesFeed:
// which articles, in which order, and the total they count.
import { expect, it } from "vitest";
import { publish, signUp, type Account, type Conduit } from "./support/conduit.js";
import { onEachDatabase } from "./support/suite.js";

interface ListAnswer {
  articles: {
    slug: string;
    title: string;
    tagList: string[];
    favorited: boolean;
    author: { username: string; following: boolean };
  }[];
  articlesCount: number;
}

const titles = (answer: { body: ListAnswer }) => answer.body.articles.map((a) => a.title);

/** ada writes A1..A3 (A2 tagged "go"), bob writes B1 (tagged "go"), in that order; carol favours A1 and B1. */
async function seed(conduit: Conduit): Promise<Record<"ada" | "bob" | "carol", Account>> {
  const ada = await signUp(conduit, "ada");
  const bob = await signUp(conduit, "bob");
  const carol = await signUp(conduit, "carol");
  const a1 = await publish(conduit, ada, "A1", ["ts"]);
  await publish(conduit, ada, "A2", ["go", "ts"]);
  await publish(conduit, ada, "A3");
  const b1 = await publish(conduit, bob, "B1", ["go"]);
  for (const slug of [a1, b1])
    await conduit.call("CreateArticleFavorite", { params: { slug }, token: carol.token });
  return { ada, bob, carol };
}

onEachDatabase("article lists and the feed", (conduit) => {
  it("lists every article, most recent first, without bodies, with the total", async () => {
    await seed(conduit());
    const res = await conduit().call<ListAnswer>("GetArticles");
    expect(res.status).toBe(200);
    expect(titles(res)).toEqual(["B1", "A3", "A2", "A1"]);
    expect(res.body.articlesCount).toBe(4);
    for (const article of res.body.articles) expect(article).not.toHaveProperty("body");
  });

  it("filters by tag, author and favorited, alone and together", async () => {
    await seed(conduit());
    const list = async (query: Record<string, string>) => {
      const res = await conduit().call<ListAnswer>("GetArticles", { query });
      return { titles: titles(res), count: res.body.articlesCount };
    };
    expect(await list({ tag: "go" })).toEqual({ titles: ["B1", "A2"], count: 2 });
    expect(await list({ author: "ada" })).toEqual({ titles: ["A3", "A2", "A1"], count: 3 });
    expect(await list({ favorited: "carol" })).toEqual({ titles: ["B1", "A1"], count: 2 });
    expect(await list({ tag: "go", author: "ada" })).toEqual({ titles: ["A2"], count: 1 });
    expect(await list({ favorited: "carol", author: "bob" })).toEqual({ titles: ["B1"], count: 1 });
    expect(await list({ tag: "none" })).toEqual({ titles: [], count: 0 });
    expect(await list({ author: "nobody" })).toEqual({ titles: [], count: 0 });
  });

  it("pages with limit and offset; the count stays the total", async () => {
    await seed(conduit());
    const page = async (limit: string, offset: string) => {
      const res = await conduit().call<ListAnswer>("GetArticles", { query: { limit, offset } });
      return { titles: titles(res), count: res.body.articlesCount };
    };
    expect(await page("2", "0")).toEqual({ titles: ["B1", "A3"], count: 4 });
    expect(await page("2", "2")).toEqual({ titles: ["A2", "A1"], count: 4 });
    expect(await page("3", "3")).toEqual({ titles: ["A1"], count: 4 });
    expect(await page("5", "10")).toEqual({ titles: [], count: 4 });
    const tagged = await conduit().call<ListAnswer>("GetArticles", {
      query: { tag: "ts", limit: "1", offset: "1" },
    });
    expect(titles(tagged)).toEqual(["A1"]);
    expect(tagged.body.articlesCount).toBe(2);
  });

  it("defaults to 20 articles and lowers a limit past 100 to 100", async () => {
    const ada = await signUp(conduit(), "ada");
    for (let i = 0; i < 22; i++) await publish(conduit(), ada, `Post ${i}`);
    const first = await conduit().call<ListAnswer>("GetArticles");
    expect(first.body.articles).toHaveLength(20);
    expect(first.body.articles[0]!.title).toBe("Post 21");
    expect(first.body.articlesCount).toBe(22);
    const big = await conduit().call<ListAnswer>("GetArticles", { query: { limit: "100000" } });
    expect(big.body.articles).toHaveLength(22);
  });

  it("answers 422 naming limit or offset when it is not a whole number in range", async () => {
    const ada = await signUp(conduit(), "ada");
    for (const [query, name] of [
      [{ limit: "0" }, "limit"],
      [{ limit: "-1" }, "limit"],
      [{ limit: "ten" }, "limit"],
      [{ limit: "1.5" }, "limit"],
      [{ offset: "-1" }, "offset"],
      [{ offset: "x" }, "offset"],
    ] as const) {
      for (const op of ["GetArticles", "GetArticlesFeed"]) {
        const res = await conduit().call<{ errors: { body: string[] } }>(op, { query, token: ada.token });
        expect(res.status, `${op} ${JSON.stringify(query)}`).toBe(422);
        expect(res.body.errors.body[0]).toMatch(new RegExp(`^${name} must be a whole number`));
      }
    }
  });

  it("shows what the viewer favours and follows in the list", async () => {
    const { carol } = await seed(conduit());
    await conduit().call("FollowUserByUsername", { params: { username: "bob" }, token: carol.token });
    const res = await conduit().call<ListAnswer>("GetArticles", { token: carol.token });
    const flags = res.body.articles.map((a) => [a.title, a.favorited, a.author.following]);
    expect(flags).toEqual([
      ["B1", true, true],
      ["A3", false, false],
      ["A2", false, false],
      ["A1", true, false],
    ]);
  });

  it("feeds the articles of followed authors only, most recent first, paged", async () => {
    const { ada, bob, carol } = await seed(conduit());
    const dave = await signUp(conduit(), "dave");
    expect((await conduit().call<ListAnswer>("GetArticlesFeed", { token: dave.token })).body).toEqual({
      articles: [],
      articlesCount: 0,
    });

    await conduit().call("FollowUserByUsername", { params: { username: "ada" }, token: dave.token });
    const onlyAda = await conduit().call<ListAnswer>("GetArticlesFeed", { token: dave.token });
    expect(titles(onlyAda)).toEqual(["A3", "A2", "A1"]);
    expect(onlyAda.body.articles.every((a) => a.author.following)).toBe(true);

    await conduit().call("FollowUserByUsername", { params: { username: "bob" }, token: dave.token });
    await publish(conduit(), ada, "A4");
    await publish(conduit(), carol, "C1");
    const both = await conduit().call<ListAnswer>("GetArticlesFeed", { token: dave.token });
    expect(titles(both)).toEqual(["A4", "B1", "A3", "A2", "A1"]);
    expect(both.body.articlesCount).toBe(5);

    const paged = await conduit().call<ListAnswer>("GetArticlesFeed", {
      token: dave.token,
      query: { limit: "2", offset: "1" },
    });
    expect(titles(paged)).toEqual(["B1", "A3"]);
    expect(paged.body.articlesCount).toBe(5);

    await conduit().call("UnfollowUserByUsername", { params: { username: "ada" }, token: dave.token });
    expect(titles(await conduit().call<ListAnswer>("GetArticlesFeed", { token: dave.token }))).toEqual([
      "B1",
    ]);
    // bob follows nobody: his own articles are not his feed.
    expect(
      (await conduit().call<ListAnswer>("GetArticlesFeed", { token: bob.token })).body.articlesCount,
    ).toBe(0);
  });

  it("answers 401 to the feed without a token or with a bad one", async () => {
    expect((await conduit().call("GetArticlesFeed")).status).toBe(401);
    expect((await conduit().call("GetArticlesFeed", { token: "x.y.z" })).status).toBe(401);
    expect((await conduit().call("GetArticles", { token: "x.y.z" })).status).toBe(401);
  });
});
