import "reflect-metadata";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Controller, Flagon, Get, Injectable, render } from "@flagon/core";
import { runCommand } from "@flagon/cli/testing";
import visits, {
  CurrentVisitor,
  currentVisitor,
  parseVisitCsv,
  PLUGIN_NAME,
  type Visitor,
} from "../src/index.js";

const SECRET = "s".repeat(48);

/** A service the handler calls: it learns the visitor from the interceptor's scope alone. */
@Injectable()
class Greeter {
  greet(): string {
    const visitor = currentVisitor();
    return visitor === undefined ? "hello, stranger" : `hello again, visit ${visitor.visits}`;
  }
}

@Controller("/")
class Home {
  constructor(private readonly greeter: Greeter) {}

  @Get("/")
  home(@CurrentVisitor() visitor: Visitor) {
    return { id: visitor.id, visits: visitor.visits, isNew: visitor.isNew };
  }

  @Get("/greet")
  greet() {
    return { message: this.greeter.greet() };
  }

  @Get("/page")
  page() {
    return render("page.html");
  }
}

let root = "";
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "flagon-visits-"));
  await mkdir(path.join(root, "templates"));
  await writeFile(path.join(root, "templates", "page.html"), "<p>visit {{ visitor.visits }}</p>");
});
afterAll(() => rm(root, { recursive: true, force: true }));

function makeApp(config: Record<string, unknown> = {}): Flagon {
  return new Flagon({
    root,
    controllers: [Home],
    logger: false,
    configFile: false,
    config: { env: "test", secretKey: SECRET, ...config },
  }).register(visits);
}

const cookieOf = (res: { headers: Record<string, unknown> }): string | undefined => {
  const header = res.headers["set-cookie"];
  const first = Array.isArray(header) ? (header[0] as string) : (header as string | undefined);
  return first?.split(";")[0];
};

describe(PLUGIN_NAME, () => {
  it("seams 1 and 6: counts visits per visitor in a signed cookie, read by @CurrentVisitor()", async () => {
    const client = makeApp().testClient();
    const first = await client.get("/");
    expect(first.json()).toMatchObject({ visits: 1, isNew: true });
    expect([first.headers["set-cookie"]].flat()[0]).toMatch(
      /^visitor=[^;]+; Max-Age=31536000; Path=\/; HttpOnly; SameSite=Lax/,
    );
    const second = await client.get("/");
    expect(second.json()).toEqual({ id: first.json<{ id: string }>().id, visits: 2, isNew: false });
  });

  it("seam 6: a tampered or foreign cookie is not trusted: a new visitor, a fresh cookie", async () => {
    const app = makeApp();
    const first = await app.inject("/");
    const cookie = cookieOf(first) ?? "";
    const id = first.json<{ id: string }>().id;
    const tampered = cookie.replace(/.$/, (c) => (c === "A" ? "B" : "A"));
    const res = await app.inject({ url: "/", headers: { cookie: tampered } });
    expect(res.json()).toMatchObject({ isNew: true, visits: 1 });
    expect(res.json<{ id: string }>().id).not.toBe(id);
    // A cookie signed by another app's key does not verify either.
    const other = await makeApp({ secretKey: "o".repeat(48) }).inject({ url: "/", headers: { cookie } });
    expect(other.json()).toMatchObject({ isNew: true });
  });

  it("seam 3: a service the handler calls sees the visitor through the interceptor's scope", async () => {
    const client = makeApp().testClient();
    await client.get("/");
    expect((await client.get("/greet")).json()).toEqual({ message: "hello again, visit 2" });
    expect(currentVisitor()).toBeUndefined();
  });

  it("seams 2 and 4: imports CSV through its body parser; a bad line is a 400 naming it", async () => {
    const app = makeApp();
    const good = await app.inject({
      method: "POST",
      url: "/visits/import",
      headers: { "content-type": "text/csv; charset=utf-8" },
      body: "visitor,visits\nada,3\ngrace,5\n",
    });
    expect(good.statusCode).toBe(200);
    expect(good.json()).toMatchObject({ imported: 2 });
    const stats = await app.inject("/visits/stats");
    expect(stats.json()).toMatchObject({
      top: [
        { visitor: "grace", visits: 5 },
        { visitor: "ada", visits: 3 },
      ],
    });

    const bad = await app.inject({
      method: "POST",
      url: "/visits/import",
      headers: { "content-type": "text/csv", accept: "application/json" },
      body: "ada,3\nbob,lots\n",
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ detail: 'line 2 is not "visitor,visits": "bob,lots"' });
    const json = await app.inject({
      method: "POST",
      url: "/visits/import",
      headers: { "content-type": "application/json" },
      body: "[]",
    });
    expect(json.statusCode).toBe(415);
  });

  it("seam 2: the parser stops at a signal aborted mid-body", async () => {
    const parse = parseVisitCsv("a,1\nb,2");
    expect(parse).toEqual([
      { visitor: "a", visits: 1 },
      { visitor: "b", visits: 2 },
    ]);
    const { csvParser } = await import("../src/csv.js");
    const controller = new AbortController();
    const { Readable } = await import("node:stream");
    const stream = Readable.from(
      (async function* () {
        yield Buffer.from("a,1\n");
        controller.abort(new Error("client gone"));
        yield Buffer.from("b,2\n");
      })(),
    );
    const input = { stream, signal: controller.signal, limit: 1024 } as unknown as Parameters<
      typeof csvParser
    >[0];
    await expect(csvParser(input)).rejects.toThrow("client gone");
  });

  it("seam 5: templates see the visitor", async () => {
    const client = makeApp().testClient();
    await client.get("/");
    expect((await client.get("/page")).body).toBe("<p>visit 2</p>");
  });

  it("seam 7: switched-off imports are a 403 problem, and the stats answer conditional GETs", async () => {
    const app = makeApp({ visits: { imports: false } });
    const refused = await app.inject({
      method: "POST",
      url: "/visits/import",
      headers: { "content-type": "text/csv", accept: "application/json" },
      body: "ada,1",
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ status: 403, detail: expect.stringContaining("switched off") });

    const stats = await app.inject("/visits/stats");
    const etag = stats.headers["etag"] as string;
    expect(etag).toMatch(/^"v\d+"$/);
    const again = await app.inject({ url: "/visits/stats", headers: { "if-none-match": etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe("");
    await app.inject("/"); // a visit: the stats change, and so does their tag
    const changed = await app.inject({ url: "/visits/stats", headers: { "if-none-match": etag } });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({ total: 1 });
  });

  it("seam 8: the validated, defaulted options are the app's config section and pluginOptions", async () => {
    const app = makeApp({ visits: { reportSize: 2 } });
    await app.ready();
    const expected = { cookie: "visitor", prefix: "/visits", imports: true, reportSize: 2 };
    expect(app.pluginOptions(PLUGIN_NAME)).toEqual(expected);
    expect(app.config.visits).toEqual(expected);
    await expect(makeApp({ visits: { reportSize: 0 } }).ready()).rejects.toMatchObject({
      code: "FLAGON_ERR_INVALID_CONFIG",
    });
  });

  it("seam 9: `visits report` lists the top visitors", async () => {
    const app = makeApp();
    await app.ready();
    await app.inject({
      method: "POST",
      url: "/visits/import",
      headers: { "content-type": "text/csv" },
      body: "ada,3\ngrace,5\nlin,1",
    });
    const report = await runCommand(app, ["visits", "report", "--top", "2"]);
    expect(report.code).toBe(0);
    expect(report.stdout).toBe("5\tgrace\n3\tada\n");
    const help = await runCommand(app, ["visits", "report", "--help"]);
    expect(help.stdout).toContain("--top");
  });

  it("seam 10: the health route says 200 while the app is ready, 503 once it closes", async () => {
    const app = makeApp();
    await app.ready();
    const res = await app.inject("/visits/health");
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ state: "ready" });
    await app.close();
    expect(app.state).toBe("closed");
    const closed = await app.inject("/visits/health");
    expect(closed.statusCode).toBe(503);
    expect(closed.json()).toEqual({ state: "closed" });
  });
});
