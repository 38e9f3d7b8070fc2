import "reflect-metadata";
import { mkdtemp, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Controller, Flagon, Get, Injectable, json, render } from "@flagon/core";
import { inject } from "@flagon/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import cache, { Cache, Cached, Memoize, invalidate } from "../src/index.js";

let counter = 0;

@Controller("/c")
class Pages {
  @Cached({ ttl: 60 })
  @Get("/count")
  count() {
    return { n: ++counter };
  }

  @Cached({ ttl: 60 })
  @Get("/lang")
  lang() {
    return json({ n: ++counter }, { headers: { vary: "Accept-Language" } });
  }

  @Cached({ ttl: 60, maxAge: true })
  @Get("/public")
  open() {
    return { n: ++counter };
  }
}

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "flagon-cache-"));
  await mkdir(path.join(root, "templates"));
  await writeFile(
    path.join(root, "templates", "frag.html"),
    '{% cache "side", 60 %}<b>{{ n() }}</b>{% endcache %}|{{ n() }}',
  );
});
afterAll(() => rm(root, { recursive: true, force: true }));

function app(env: "development" | "production" = "production") {
  const a = new Flagon({
    logger: false,
    configFile: false,
    root,
    config: { env, secretKey: "k".repeat(40) },
    controllers: [Pages],
  });
  a.register(cache);
  a.get("/fn", () => ({ n: ++counter }), { decorators: [Cached({ ttl: 60 })] });
  a.get(
    "/me",
    async (ctx) => {
      const session = await ctx.session();
      return { user: session.get("user") ?? null, n: ++counter };
    },
    { decorators: [Cached()] },
  );
  a.get("/login/<name>", async (ctx) => {
    (await ctx.session()).set("user", ctx.request.params["name"]);
    return "ok";
  });
  a.get(
    "/cookie",
    (ctx) => {
      ctx.response.setCookie("seen", "1");
      return { n: ++counter };
    },
    { decorators: [Cached()] },
  );
  a.get("/private", () => json({ n: ++counter }, { headers: { "cache-control": "private" } }), {
    decorators: [Cached()],
  });
  a.get("/missing", () => json({ n: ++counter }, { status: 404 }), { decorators: [Cached()] });
  a.get("/frag", () => render("frag.html", { n: () => ++counter }));
  return a;
}

const n = (res: { json: <T>() => T }) => res.json<{ n: number }>().n;

describe("@Cached()", () => {
  it("answers a second GET from the cache, with the query string sorted into the key", async () => {
    const a = app();
    const first = n(await inject(a, "/c/count?b=2&a=1"));
    expect(n(await inject(a, "/c/count?a=1&b=2"))).toBe(first);
    expect(n(await inject(a, "/c/count?a=1&b=3"))).toBe(first + 1);
    expect(n(await inject(a, "/fn"))).toBe(n(await inject(a, "/fn")));
    const head = await inject(a, { method: "HEAD", url: "/c/count?a=1&b=2" });
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe("");
  });

  it("keeps one copy per value of each header the response varies by", async () => {
    const a = app();
    const fr = n(await inject(a, { url: "/c/lang", headers: { "accept-language": "fr" } }));
    const de = n(await inject(a, { url: "/c/lang", headers: { "accept-language": "de" } }));
    expect(de).not.toBe(fr);
    expect(n(await inject(a, { url: "/c/lang", headers: { "accept-language": "fr" } }))).toBe(fr);
    expect(n(await inject(a, { url: "/c/lang", headers: { "accept-language": "de" } }))).toBe(de);
  });

  it("never serves one user's page to another: a response that read the session is not stored", async () => {
    const a = app();
    const ann = await inject(a, "/login/ann");
    const bob = await inject(a, "/login/bob");
    const cookie = (res: typeof ann) => ({
      cookie: (res.headers["set-cookie"] as string[] | string).toString().split(";")[0]!,
    });
    const annPage = await inject(a, { url: "/me", headers: cookie(ann) });
    const bobPage = await inject(a, { url: "/me", headers: cookie(bob) });
    expect(annPage.json()).toMatchObject({ user: "ann" });
    expect(bobPage.json()).toMatchObject({ user: "bob" });
    expect((await inject(a, "/me")).json()).toMatchObject({ user: null });
  });

  it("does not store a response with Set-Cookie, Cache-Control private, a 404, or one for an Authorization header", async () => {
    const a = app();
    for (const url of ["/cookie", "/private", "/missing"]) {
      expect(n(await inject(a, url)), url).not.toBe(n(await inject(a, url)));
    }
    const auth = { authorization: "Bearer x" };
    expect(n(await inject(a, { url: "/fn?auth", headers: auth }))).not.toBe(
      n(await inject(a, { url: "/fn?auth", headers: auth })),
    );
    // …and a cookie-setting response replayed would hand out someone's cookie: none is kept.
    expect((await inject(a, "/cookie")).headers["set-cookie"]).toBeDefined();
  });

  it("a cookie an app's onSend hook adds takes the stored copy back; hits stay off onSend", async () => {
    const a = app();
    let hooked = 0;
    a.addHook("onSend", (ctx, response) => {
      hooked++;
      if (ctx.request.query.get("cookie") === "1") response.headers.append("set-cookie", "who=ann");
    });
    const n = async (url: string) => (await inject(a, url)).json<{ n: number }>().n;
    const first = await n("/fn?cookie=1");
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await n("/fn?cookie=1")).not.toBe(first);
    const plain = await n("/fn?cookie=0");
    expect(await n("/fn?cookie=0")).toBe(plain);
    expect(hooked).toBe(4); // app-wide onSend hooks still run on hits
  });

  it("gives hits an ETag and answers If-None-Match with 304; says hit or miss in development", async () => {
    const a = app("development");
    const miss = await inject(a, "/c/count?etag");
    expect(miss.headers["x-cache"]).toBe("miss");
    const etag = miss.headers["etag"] as string;
    expect(etag).toMatch(/^W\/"/);
    const hit = await inject(a, "/c/count?etag");
    expect(hit.headers["x-cache"]).toBe("hit");
    expect(hit.headers["etag"]).toBe(etag);
    const revalidated = await inject(a, { url: "/c/count?etag", headers: { "if-none-match": etag } });
    expect(revalidated.statusCode).toBe(304);
    expect((await inject(app(), "/c/count?etag")).headers["x-cache"]).toBeUndefined();
  });

  it("sets Cache-Control from the ttl when asked", async () => {
    const res = await inject(app(), "/c/public");
    expect(res.headers["cache-control"]).toBe("public, max-age=60");
  });
});

@Injectable()
class Authors {
  calls = 0;
  constructor(readonly cache: Cache) {}

  @Memoize({ ttl: 60 })
  async byName(name: string) {
    this.calls++;
    return { name, calls: this.calls };
  }
}

describe("@Memoize()", () => {
  it("caches a method by its arguments, and invalidate() forgets one call", async () => {
    const a = app();
    a.provide(Authors);
    await a.ready();
    const authors = a.container.resolve(Authors);
    expect(await authors.byName("ann")).toEqual({ name: "ann", calls: 1 });
    expect(await authors.byName("ann")).toEqual({ name: "ann", calls: 1 });
    expect(await authors.byName("bob")).toEqual({ name: "bob", calls: 2 });
    await invalidate(authors.cache, authors.byName, "ann");
    expect(await authors.byName("ann")).toEqual({ name: "ann", calls: 3 });
    expect(await authors.byName("bob")).toEqual({ name: "bob", calls: 2 });
    await a.close();
  });
});

describe("{% cache %}", () => {
  it("renders a fragment once per key and ttl; the rest of the page renders every time", async () => {
    const a = app();
    const first = (await inject(a, "/frag")).body;
    const second = (await inject(a, "/frag")).body;
    const [fragA, restA] = first.split("|");
    const [fragB, restB] = second.split("|");
    expect(fragA).toMatch(/^<b>\d+<\/b>$/);
    expect(fragB).toBe(fragA);
    expect(restB).not.toBe(restA);
  });
});
