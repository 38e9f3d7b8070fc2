import "reflect-metadata";
// Seam 5 of issue 10: template context from plugins, through the public API only.
// app.templates.addContextProcessor (Flask's context_processor: sync or async, only for renders,
// the view's own values win, later processors win over earlier ones) and
// app.templates.addExtension (custom nunjucks tags in every template).
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import {
  type Context,
  definePlugin,
  Flagon,
  FlagonError,
  markSafe,
  UnauthorizedError,
  redirect,
  render,
} from "@flagon/core";
import type { TemplateExtension } from "@flagon/core/plugin";

const made: string[] = [];
afterAll(async () => {
  for (const dir of made) await rm(dir, { recursive: true, force: true });
});

async function appRoot(templates: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "flagon-seam-templates-"));
  made.push(dir);
  for (const [name, text] of Object.entries(templates)) {
    await mkdir(path.dirname(path.join(dir, "templates", name)), { recursive: true });
    await writeFile(path.join(dir, "templates", name), text);
  }
  return dir;
}

function makeApp(root: string, config: Record<string, unknown> = {}): Flagon {
  return new Flagon({ root, configFile: false, logger: false, config: { env: "test", ...config } });
}

/** `{% upper %}…{% endupper %}`: the body, upper-cased (a plugin builds it from the parse arguments alone). */
const upper: TemplateExtension = {
  tags: ["upper"],
  parse(parser: any, nodes: any) {
    const token = parser.nextToken();
    const args = parser.parseSignature(null, true);
    parser.advanceAfterBlockEnd(token.value);
    const body = parser.parseUntilBlocks("endupper");
    parser.advanceAfterBlockEnd();
    return new nodes.CallExtension(this, "run", args, [body]);
  },
  run(_context: unknown, body: () => string) {
    // The body is already rendered (escaped); a tag returning markup returns it marked safe.
    return markSafe(body().toUpperCase());
  },
};

describe("context processors", () => {
  test("sync and async processors add values to every render", async () => {
    const app = makeApp(await appRoot({ "p.html": "{{ site }}|{{ current_user }}" }));
    app.register(
      definePlugin({
        name: "auth-like",
        register(app) {
          app.templates.addContextProcessor(() => ({ site: "Flagon" }));
          app.templates.addContextProcessor(async (ctx) => {
            await new Promise((resolve) => setTimeout(resolve, 1));
            return { current_user: ctx.request.headers["x-user"] ?? "anonymous" };
          });
        },
      }),
    );
    app.get("/", () => render("p.html"));
    expect((await app.inject("/")).body).toBe("Flagon|anonymous");
    expect((await app.inject({ url: "/", headers: { "x-user": "ann" } })).body).toBe("Flagon|ann");
  });

  test("the view's own values win; among processors the later one wins; a processor may return nothing", async () => {
    const app = makeApp(await appRoot({ "p.html": "{{ a }}|{{ b }}|{{ c }}" }));
    app.templates
      .addContextProcessor(() => ({ a: "first", b: "first", c: "first" }))
      .addContextProcessor(() => ({ b: "second", c: "second" }))
      .addContextProcessor(() => undefined);
    app.get("/", () => render("p.html", { c: "view" }));
    expect((await app.inject("/")).body).toBe("first|second|view");
  });

  test("only renders run processors: a JSON route and a redirect never call them", async () => {
    const app = makeApp(await appRoot({ "p.html": "{{ n }}" }));
    let calls = 0;
    app.templates.addContextProcessor(() => ({ n: ++calls }));
    app.get("/json", () => ({ ok: true }));
    app.get("/away", () => redirect("/json"));
    app.get("/page", () => render("p.html"));
    expect((await app.inject("/json")).json()).toEqual({ ok: true });
    expect((await app.inject("/away")).statusCode).toBe(302);
    expect(calls).toBe(0);
    expect((await app.inject("/page")).body).toBe("1");
    expect(calls).toBe(1);
  });

  test("ctx.render() and a render without a request context", async () => {
    const app = makeApp(await appRoot({ "p.html": "[{{ who }}]" }));
    app.templates.addContextProcessor((ctx) => ({ who: ctx.request.path }));
    app.get("/now", (ctx) => ctx.render("p.html"));
    expect((await app.inject("/now")).body).toBe("[/now]");
    await app.ready();
    // Outside a request (an e-mail body) there is no ctx: processors do not run.
    expect(await app.templates.render("p.html", { who: "mail" })).toBe("[mail]");
    expect(await app.templates.render("p.html")).toBe("[]");
  });

  test("the processor reads the request's session", async () => {
    const app = makeApp(await appRoot({ "p.html": "{{ current_user or 'nobody' }}" }), {
      secretKey: "s".repeat(40),
    });
    app.templates.addContextProcessor(async (ctx: Context) => ({
      current_user: (await ctx.session()).get("user"),
    }));
    app.post("/login", async (ctx) => {
      (await ctx.session()).set("user", "ann");
      return redirect("/", 303);
    });
    app.get("/", () => render("p.html"));
    const client = app.testClient();
    expect((await client.get("/")).body).toBe("nobody");
    expect((await client.post("/login")).statusCode).toBe(303);
    expect((await client.get("/")).body).toBe("ann");
  });

  test("a processor that throws fails the render through the normal error path", async () => {
    const app = makeApp(await appRoot({ "p.html": "x" }));
    app.templates.addContextProcessor(() => {
      throw new Error("database down");
    });
    app.get("/", () => render("p.html"));
    app.get("/json", () => ({ ok: true }));
    const res = await app.inject({ url: "/", headers: { accept: "application/json" } });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain("database down");
    expect((await app.inject("/json")).statusCode).toBe(200);
  });

  test("an HttpError thrown by a processor is its response", async () => {
    const app = makeApp(await appRoot({ "p.html": "x" }));
    app.templates.addContextProcessor(async () => {
      throw new UnauthorizedError("log in first");
    });
    app.get("/", () => render("p.html"));
    expect((await app.inject({ url: "/", headers: { accept: "application/json" } })).statusCode).toBe(401);
  });

  test("a processor returning a non-object fails with FLAGON_ERR_TEMPLATES (500)", async () => {
    const app = makeApp(await appRoot({ "p.html": "x" }));
    app.templates.addContextProcessor((() => "oops") as never);
    app.get("/", () => render("p.html"));
    expect((await app.inject("/")).statusCode).toBe(500);
  });
});

describe("extensions", () => {
  test("a custom tag works in every template, also inside includes and layouts", async () => {
    const app = makeApp(
      await appRoot({
        "layout.html": "<h1>{% upper %}{% block title %}{% endblock %}{% endupper %}</h1>",
        "page.html": `{% extends "layout.html" %}{% block title %}hi {{ name }}{% endblock %}`,
        "inc.txt": `{% include "part.txt" %}`,
        "part.txt": "{% upper %}part {{ name }}{% endupper %}",
      }),
    );
    app.templates.addExtension("upper", upper);
    app.get("/page", () => render("page.html", { name: "<ann>" }));
    app.get("/inc", () => render("inc.txt", { name: "bob" }));
    expect((await app.inject("/page")).body).toBe("<h1>HI &LT;ANN&GT;</h1>");
    expect((await app.inject("/inc")).body).toBe("PART BOB");
  });

  test("bad extensions and taken names are refused with FLAGON_ERR_TEMPLATES", () => {
    const app = makeApp("/nonexistent");
    app.templates.addExtension("upper", upper);
    const code = { code: "FLAGON_ERR_TEMPLATES" };
    expect(() => app.templates.addExtension("upper", upper)).toThrow(expect.objectContaining(code));
    expect(() => app.templates.addExtension("", upper)).toThrow(expect.objectContaining(code));
    expect(() => app.templates.addExtension("x", { tags: [] } as never)).toThrow(
      expect.objectContaining(code),
    );
    expect(() => app.templates.addExtension("y", { tags: ["a b"], parse() {} })).toThrow(
      expect.objectContaining(code),
    );
    expect(() => app.templates.addContextProcessor("no" as never)).toThrow(expect.objectContaining(code));
  });
});

test("registration after ready() is refused with FLAGON_ERR_TEMPLATES", async () => {
  const app = makeApp(await appRoot({ "p.html": "x" }));
  await app.ready();
  const refused = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      expect(error).toBeInstanceOf(FlagonError);
      expect((error as FlagonError).code).toBe("FLAGON_ERR_TEMPLATES");
      expect((error as Error).message).toMatch(/already built/);
      return;
    }
    throw new Error("not refused");
  };
  refused(() => app.templates.addContextProcessor(() => ({})));
  refused(() => app.templates.addExtension("upper", upper));
});
