import "reflect-metadata";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import {
  Context,
  Controller,
  Ctx,
  Flagon,
  FlagonError,
  type FlagonOptions,
  FlagonResponse,
  Get,
  Param,
  Render,
  TemplateError,
  TemplateResponse,
  definePlugin,
  markSafe,
  redirect,
  render,
} from "@flagon/core";

// Templates through the app (FLASK-REFERENCE §1.10, issue 4 item 1): render() and ctx.render(),
// @Render on handlers, layouts, autoescaping by extension, the urlFor/request/config globals,
// plugin globals, filters and folders, errors in development and production, reloading.

const made: string[] = [];
afterAll(async () => {
  for (const dir of made) await rm(dir, { recursive: true, force: true });
});

/** A fresh app root with these files under templates/ (or under the given paths, with `/`). */
async function appRoot(
  templates: Record<string, string>,
  other: Record<string, string> = {},
): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "flagon-web-templates-"));
  made.push(dir);
  const files = [
    ...Object.entries(templates).map(([name, text]) => [path.join("templates", name), text] as const),
    ...Object.entries(other),
  ];
  for (const [name, text] of files) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  return dir;
}

function makeApp(root: string, options: FlagonOptions = {}): Flagon {
  return new Flagon({
    root,
    configFile: false,
    logger: false,
    ...options,
    config: { env: "test", ...options.config },
  });
}

const LAYOUT = `<!doctype html>
<title>{% block title %}Site{% endblock %}</title>
<nav><a href="{{ urlFor('home') }}">home</a></nav>
<main>{% block content %}{% endblock %}</main>
`;

describe("render() and ctx.render()", () => {
  test("a page extends a layout; the response is text/html; charset=utf-8", async () => {
    const root = await appRoot({
      "layout.html": LAYOUT,
      "page.html": `{% extends "layout.html" %}{% block title %}{{ title }} · {{ super() }}{% endblock %}{% block content %}<h1>{{ title }}</h1>{% endblock %}`,
    });
    const app = makeApp(root);
    app.get("/", function home() {
      return render("page.html", { title: "Hello" });
    });
    const res = await app.inject("/");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(res.body).toBe(`<!doctype html>
<title>Hello · Site</title>
<nav><a href="/">home</a></nav>
<main><h1>Hello</h1></main>
`);
  });

  test("render() takes a status and headers; ctx.response headers and cookies are kept", async () => {
    const root = await appRoot({ "form.html": "errors: {{ errors | join(', ') }}" });
    const app = makeApp(root);
    app.post("/form", (ctx) => {
      ctx.response.setCookie("seen", "1");
      return render(
        "form.html",
        { errors: ["name", "email"] },
        { status: 422, headers: { "x-form": "invalid" } },
      );
    });
    const res = await app.inject({ method: "POST", url: "/form" });
    expect(res.statusCode).toBe(422);
    expect(res.headers["x-form"]).toBe("invalid");
    expect(res.headers["set-cookie"]).toEqual(["seen=1; Path=/"]);
    expect(res.body).toBe("errors: name, email");
  });

  test("without a status of its own, a template response takes ctx.response.status", async () => {
    const root = await appRoot({ "made.html": "made {{ id }}" });
    const app = makeApp(root);
    app.post("/items", (ctx) => {
      ctx.response.status = 201;
      return render("made.html", { id: 7 });
    });
    const res = await app.inject({ method: "POST", url: "/items" });
    expect(res.statusCode).toBe(201);
    expect(res.body).toBe("made 7");
  });

  test("ctx.render() renders at once and resolves with the response", async () => {
    const root = await appRoot({ "now.html": "{{ n }}" });
    const app = makeApp(root);
    let seen: FlagonResponse | undefined;
    app.get("/now", async (ctx) => {
      seen = await ctx.render("now.html", { n: 42 }, { status: 203 });
      return seen;
    });
    const res = await app.inject("/now");
    expect(seen?.body).toBe("42");
    expect(res.statusCode).toBe(203);
    expect(res.body).toBe("42");
  });

  test("the content type follows the extension: .txt is text/plain and not escaped, .xml is escaped", async () => {
    const root = await appRoot({
      "note.txt": "Hi {{ name }}",
      "feed.xml": "<t>{{ name }}</t>",
      "p.njk": "{{ name }}",
    });
    const app = makeApp(root);
    app.get("/txt", () => render("note.txt", { name: "<Ann & Bob>" }));
    app.get("/xml", () => render("feed.xml", { name: "<Ann & Bob>" }));
    app.get("/njk", () => render("p.njk", { name: "<Ann & Bob>" }));
    const txt = await app.inject("/txt");
    expect(txt.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(txt.body).toBe("Hi <Ann & Bob>");
    const xml = await app.inject("/xml");
    expect(xml.headers["content-type"]).toBe("application/xml; charset=utf-8");
    expect(xml.body).toBe("<t>&lt;Ann &amp; Bob&gt;</t>");
    const njk = await app.inject("/njk");
    expect(njk.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(njk.body).toBe("&lt;Ann &amp; Bob&gt;");
  });

  test("HEAD of a rendered page has the GET headers and no body", async () => {
    const root = await appRoot({ "p.html": "page" });
    const app = makeApp(root);
    app.get("/p", () => render("p.html"));
    const res = await app.inject({ method: "HEAD", url: "/p" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(res.body).toBe("");
  });

  test("onSend sees the rendered TemplateResponse", async () => {
    const root = await appRoot({ "p.html": "page {{ v }}" });
    const app = makeApp(root);
    const seen: unknown[] = [];
    app.addHook("onSend", (_ctx, response) => {
      seen.push(response instanceof TemplateResponse ? [response.template, response.body] : response);
    });
    app.get("/p", () => render("p.html", { v: 1 }));
    await app.inject("/p");
    expect(seen).toEqual([["p.html", "page 1"]]);
  });
});

describe("include, import and extends inside loops (as in Jinja)", () => {
  const files = {
    "layout.html": "<main>{% block content %}{% endblock %}</main>",
    "list.html": `{% extends "layout.html" %}{% from "macros.html" import badge %}{% block content %}<ol>{% for e in entries %}{% include "entry.html" %}{% endfor %}</ol>{% endblock %}`,
    "entry.html": `<li>{{ e.name }} {{ badge(loop.index) }}{% include "meta.html" %}</li>`,
    "meta.html": `<a href="{{ urlFor('entry', id=e.id) }}">#{{ e.id }}</a>`,
    "macros.html": `{% macro badge(n) %}<b>{{ n }}</b>{% endmacro %}`,
    "broken.html": `<ol>{% for e in entries %}{% include "no-such-entry.html" %}{% endfor %}</ol>`,
  };

  test("a page that includes a partial per entry, inside a block of a layout, renders every entry", async () => {
    const app = makeApp(await appRoot(files));
    app.get("/entries/<int:id>", function entry() {
      return "entry";
    });
    app.get("/", () =>
      render("list.html", {
        entries: [
          { id: 1, name: "<Ann>" },
          { id: 2, name: "Bob" },
        ],
      }),
    );
    const res = await app.inject("/");
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(
      '<main><ol><li>&lt;Ann&gt; <b>1</b><a href="/entries/1">#1</a></li><li>Bob <b>2</b><a href="/entries/2">#2</a></li></ol></main>',
    );
  });

  test("a missing include inside a loop is a 500 naming it in development, never an empty 200", async () => {
    const root = await appRoot(files);
    const dev = makeApp(root, { config: { env: "development" } });
    const prod = makeApp(root, { config: { env: "production" } });
    for (const app of [dev, prod]) app.get("/", () => render("broken.html", { entries: [1] }));
    const res = await dev.inject({ url: "/", headers: { accept: "application/json" } });
    expect(res.statusCode).toBe(500);
    expect(res.json<{ detail: string }>().detail).toContain("template not found: no-such-entry.html");
    const hidden = await prod.inject("/");
    expect(hidden.statusCode).toBe(500);
    expect(hidden.body).not.toContain("no-such-entry");
  });
});

describe("autoescaping and user input", () => {
  test("values are escaped in .html; |safe and markSafe() opt out", async () => {
    const root = await appRoot({ "e.html": "{{ v }}|{{ v | safe }}|{{ m }}" });
    const app = makeApp(root);
    app.get("/e", () => render("e.html", { v: `<script>alert("x")</script>`, m: markSafe("<b>ok</b>") }));
    const res = await app.inject("/e");
    expect(res.body).toBe(
      `&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;|<script>alert("x")</script>|<b>ok</b>`,
    );
  });

  test("user input that looks like template code is shown literally, never compiled", async () => {
    const root = await appRoot({ "q.html": "{{ request.query.get('q') }}|{{ q }}", "q.txt": "{{ q }}" });
    const app = makeApp(root);
    app.get("/q", (ctx) => render("q.html", { q: ctx.request.query.get("q") }));
    app.get("/q.txt", (ctx) => render("q.txt", { q: ctx.request.query.get("q") }));
    const payload = "{{ 7*7 }}{{ config }}{% for x in [1, 2] %}{{ x }}{% endfor %}";
    const res = await app.inject({ url: "/q", query: { q: payload } });
    expect(res.body).toBe(`${payload}|${payload}`);
    const include = "{{ 7*7 }}{% include 'q.txt' %}";
    const txt = await app.inject({ url: "/q.txt", query: { q: include } });
    expect(txt.body).toBe(include);
  });
});

describe("template globals", () => {
  test("urlFor builds paths, keyword arguments, and external URLs with the request's host", async () => {
    const root = await appRoot({
      "links.html": [
        "{{ urlFor('Items.show', { id: 3 }) }}",
        "{{ urlFor('Items.show', id=4, sort='new') }}",
        "{{ urlFor('Items.show', { id: 5 }, { external: true }) }}",
        "{{ urlFor('Items.show', id=6, _external=true, _anchor='top') }}",
      ].join("\n"),
    });
    @Controller("/items")
    class Items {
      @Get("/<int:id>")
      show(@Param("id") id: number) {
        return { id };
      }
    }
    const app = makeApp(root, { controllers: [Items] });
    app.get("/links", () => render("links.html"));
    const res = await app.inject({ url: "/links", headers: { host: "shop.test:8080" } });
    expect(res.body.split("\n")).toEqual([
      "/items/3",
      "/items/4?sort=new",
      "http://shop.test:8080/items/5",
      "http://shop.test:8080/items/6#top",
    ]);
  });

  test("request is the request; config is the app config without secrets", async () => {
    const root = await appRoot({
      "info.html":
        "{{ request.method }} {{ request.path }} {{ request.query.get('x') }}|{{ config.serverName }}|{{ config.secretKey }}|{{ config.db.url }}|{{ config.db.password }}",
    });
    const app = makeApp(root, {
      config: {
        serverName: "app.test",
        secretKey: "k".repeat(40),
        db: { url: "postgres://admin:hunter2@db/app", password: "hunter2" },
      },
    });
    app.get("/info", () => render("info.html"));
    const res = await app.inject("/info?x=1");
    expect(res.body).toBe("GET /info 1|app.test||postgres://[redacted]@db/app|");
    expect(res.body).not.toContain("hunter2");
  });

  test("values given to render() win over the globals", async () => {
    const root = await appRoot({ "over.html": "{{ config }}" });
    const app = makeApp(root);
    app.get("/over", () => render("over.html", { config: "mine" }));
    expect((await app.inject("/over")).body).toBe("mine");
  });

  test("without a loaded session, session is empty and flashes() is an empty list", async () => {
    const root = await appRoot({
      "s.html": "{{ session.isNew }}|{{ session.get('user') }}|{{ flashes() | length }}",
    });
    const app = makeApp(root);
    app.get("/s", () => render("s.html"));
    expect((await app.inject("/s")).body).toBe("true||0");
  });
});

describe("session and flashes()", () => {
  const SECRET = "s".repeat(40);
  const templates = {
    "layout.html":
      "{% for category, message in flashes({ withCategories: true }) %}[{{ category }}: {{ message }}]{% endfor %}{% block content %}{% endblock %}",
    "home.html": `{% extends "layout.html" %}{% block content %}hi {{ session.get("name") or "stranger" }}{% endblock %}`,
  };

  function sessionApp(root: string): Flagon {
    const app = makeApp(root, { config: { secretKey: SECRET } });
    app.get("/", function home() {
      return render("home.html");
    });
    app.post("/sign", async (ctx) => {
      (await ctx.session()).set("name", "<Ann>");
      await ctx.flash("Signed!", "success");
      return redirect("/", 303);
    });
    app.post("/now", async (ctx) => {
      await ctx.flash("Shown at once");
      return render("home.html");
    });
    return app;
  }

  test("a message flashed before a redirect shows on the next page, once; session values show", async () => {
    const app = sessionApp(await appRoot(templates));
    const client = app.testClient();
    expect((await client.get("/")).body).toBe("hi stranger");
    expect((await client.post("/sign")).statusCode).toBe(303);
    const next = await client.get("/");
    expect(next.body).toBe("[success: Signed!]hi &lt;Ann&gt;");
    expect(next.headers["vary"]).toContain("Cookie");
    expect((await client.get("/")).body).toBe("hi &lt;Ann&gt;");
  });

  test("a message flashed in the same request shows on the page it renders", async () => {
    const app = sessionApp(await appRoot(templates));
    const res = await app.testClient().post("/now");
    expect(res.body).toBe("[message: Shown at once]hi stranger");
  });

  test("a page rendered without a session cookie does no session work", async () => {
    const app = sessionApp(await appRoot(templates));
    const res = await app.inject("/");
    expect(res.body).toBe("hi stranger");
    expect(res.headers["set-cookie"]).toBeUndefined();
    expect(res.headers["vary"]).toBeUndefined();
  });

  test("an app without a secret key renders pages for a request with a stray session cookie", async () => {
    const root = await appRoot(templates);
    const app = makeApp(root, { config: { env: "production" } });
    app.get("/", () => render("home.html"));
    const res = await app.inject({ url: "/", cookies: { session: "from-another-app" } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe("hi stranger");
  });

  test("a tampered session cookie gives an empty session", async () => {
    const app = sessionApp(await appRoot(templates));
    const res = await app.inject({ url: "/", cookies: { session: "forged.value" } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe("hi stranger");
  });
});

describe("plugins", () => {
  test("a plugin adds a global, a filter (sync and async) and a template folder the app can override", async () => {
    const pluginRoot = await appRoot(
      {},
      {
        "plugin-templates/widgets/badge.html": "<span class=badge>{{ text | shout }}</span>",
        "plugin-templates/widgets/override.html": "from the plugin",
      },
    );
    const widgets = definePlugin<{ siteName: string }>({
      name: "flagon-plugin-widgets",
      register(app, options) {
        app.templates
          .addGlobal("siteName", options.siteName)
          .addGlobal("year", () => 2025)
          .addFilter("shout", (value) => `${String(value).toUpperCase()}!`)
          .addFilter("money", (cents: number, currency: string) => `${(cents / 100).toFixed(2)} ${currency}`)
          .addFilter("lookup", async (id) => `user#${String(id)}`, { async: true })
          .addFolder(path.join(pluginRoot, "plugin-templates"));
      },
    });
    const root = await appRoot({
      "page.html": `{{ siteName }} {{ year() }} {% include "widgets/badge.html" %} {{ 7 | lookup }} {{ 1250 | money("EUR") }} {% include "widgets/override.html" %}`,
      "widgets/override.html": "from the app",
    });
    const app = makeApp(root, { plugins: [[widgets, { siteName: "<Shop>" }]] });
    app.get("/", () => render("page.html", { text: "new" }));
    const res = await app.inject("/");
    expect(res.body).toBe("&lt;Shop&gt; 2025 <span class=badge>NEW!</span> user#7 12.50 EUR from the app");
    expect(app.templates.folders).toEqual([
      path.join(root, "templates"),
      path.join(pluginRoot, "plugin-templates"),
    ]);
  });
});

describe("@Render", () => {
  test("renders the handler's object; a FlagonResponse passes through; ctx.response.status applies", async () => {
    const root = await appRoot({
      "layout.html": LAYOUT,
      "todo.html": `{% extends "layout.html" %}{% block content %}<p>{{ todo.title }}</p>{% endblock %}`,
      "empty.html": "nothing here",
    });
    @Controller("/todos")
    class Todos {
      @Get("/<int:id>")
      @Render("todo.html")
      show(@Param("id") id: number, @Ctx() ctx: Context) {
        if (id === 0) return redirect("/todos/1");
        if (id === 9) ctx.response.status = 203;
        return { todo: { title: `<todo ${id}>` } };
      }

      @Get("/async")
      @Render("todo.html")
      async later() {
        await new Promise((resolve) => setTimeout(resolve, 1));
        return { todo: { title: "later" } };
      }

      @Get("/empty")
      @Render("empty.html")
      empty(): void {}

      @Get("/text")
      @Render("empty.html")
      plain() {
        return "a string is not a context";
      }
    }
    const app = makeApp(root, { controllers: [Todos] });
    app.get("/", function home() {
      return "home";
    });
    const one = await app.inject("/todos/1");
    expect(one.statusCode).toBe(200);
    expect(one.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(one.body).toContain("<main><p>&lt;todo 1&gt;</p></main>");
    const moved = await app.inject("/todos/0");
    expect(moved.statusCode).toBe(302);
    expect(moved.headers["location"]).toBe("/todos/1");
    expect((await app.inject("/todos/9")).statusCode).toBe(203);
    expect((await app.inject("/todos/async")).body).toContain("<p>later</p>");
    expect((await app.inject("/todos/empty")).body).toBe("nothing here");
    expect((await app.inject("/todos/text")).body).toBe("a string is not a context");
  });

  test("works on function routes through options.decorators, and Render.get reads the name", async () => {
    const root = await appRoot({ "fn.html": "fn {{ n }}" });
    const app = makeApp(root);
    let name: string | undefined;
    app.addHook("onRoute", (route) => {
      name ??= Render.get(route);
    });
    app.get("/fn", () => ({ n: 1 }), { decorators: [Render("fn.html")] });
    expect((await app.inject("/fn")).body).toBe("fn 1");
    expect(name).toBe("fn.html");
  });

  test("renders outside every interceptor: the app's and a plugin's see the handler's plain value", async () => {
    const root = await appRoot({ "n.html": "n={{ n }}" });
    const seen: unknown[] = [];
    const plugin = definePlugin({
      name: "watcher",
      register(app) {
        app.addInterceptor(async (_ctx, next) => {
          const value = await next();
          seen.push(value);
          return value;
        });
      },
    });
    const app = makeApp(root, { plugins: [plugin] });
    app.addInterceptor(async (_ctx, next) => {
      const value = (await next()) as { n: number };
      seen.push(value);
      return { n: value.n + 1 };
    });
    app.get("/", () => ({ n: 1 }), { decorators: [Render("n.html")] });
    expect((await app.inject("/")).body).toBe("n=2");
    expect(seen).toEqual([{ n: 1 }, { n: 2 }]);
  });

  test("a template name that could leave the folder is refused where it is written", () => {
    expect(() => Render("../secrets.txt")).toThrow(TemplateError);
    expect(() => Render("/etc/passwd")).toThrow(TemplateError);
  });
});

describe("errors", () => {
  const broken = {
    "layout.html": "<main>{% block content %}{% endblock %}</main>",
    "broken.html": `{% extends "layout.html" %}\n{% block content %}\n  <p>{{ user.name() }}</p>\n{% endblock %}`,
    "syntax.html": "line one\n{% for x in %}\n",
  };

  test("in development the message names the template and the line (problem details)", async () => {
    const root = await appRoot(broken);
    const app = makeApp(root, { config: { env: "development" } });
    app.get("/broken", () => render("broken.html", { user: {} }));
    app.get("/syntax", () => render("syntax.html"));
    app.get("/missing", () => render("nowhere.html"));
    const accept = { accept: "application/json" };

    const broke = await app.inject({ url: "/broken", headers: accept });
    expect(broke.statusCode).toBe(500);
    const detail = broke.json<{ detail: string }>().detail;
    expect(detail).toMatch(/^rendering "broken\.html" failed: .*\(broken\.html\) \[Line 3, Column \d+\]/);
    expect(detail).toContain('Unable to call `user["name"]`');

    const syntax = await app.inject({ url: "/syntax", headers: accept });
    expect(syntax.statusCode).toBe(500);
    expect(syntax.json<{ detail: string }>().detail).toMatch(/\(syntax\.html\) \[Line 2, Column \d+\]/);

    const missing = await app.inject({ url: "/missing", headers: accept });
    expect(missing.statusCode).toBe(500);
    expect(missing.json<{ detail: string }>().detail).toContain("template not found: nowhere.html");
  });

  test("in development an HTML error page names the template too", async () => {
    const root = await appRoot(broken);
    const app = makeApp(root, { config: { env: "development" } });
    app.get("/syntax", () => render("syntax.html"));
    const res = await app.inject({ url: "/syntax", headers: { accept: "text/html" } });
    expect(res.statusCode).toBe(500);
    expect(res.body).toContain("syntax.html");
    expect(res.body).toMatch(/Line 2/);
  });

  test("in production a template error is a plain 500 that names nothing", async () => {
    const root = await appRoot(broken);
    const app = makeApp(root, { config: { env: "production" } });
    app.get("/broken", () => render("broken.html", { user: {} }));
    app.get("/missing", () => render("nowhere.html"));
    for (const url of ["/broken", "/missing"]) {
      for (const accept of ["application/json", "text/html"]) {
        const res = await app.inject({ url, headers: { accept } });
        expect(res.statusCode).toBe(500);
        expect(res.body).not.toMatch(/broken\.html|nowhere\.html|Line|template/i);
      }
    }
  });

  test("the error is a TemplateError an error handler can match", async () => {
    const root = await appRoot({ "bad.html": "{{ nope() }}" });
    const app = makeApp(root);
    app.setErrorHandler(
      TemplateError,
      (error) => `handled ${(error as TemplateError).template} line ${(error as TemplateError).line}`,
    );
    app.get("/bad", () => render("bad.html"));
    const res = await app.inject("/bad");
    expect(res.statusCode).toBe(500);
    expect(res.body).toBe("handled bad.html line 1");
  });
});

describe("config and reloading", () => {
  test("templates.folder moves the app's folder", async () => {
    const root = await appRoot({}, { "views/p.html": "from views" });
    const app = makeApp(root, { config: { templates: { folder: "views" } } });
    app.get("/", () => render("p.html"));
    expect((await app.inject("/")).body).toBe("from views");
  });

  test.each([
    [{ templates: "views" }, "config.templates must be"],
    [{ templates: { folder: 3 } }, "config.templates.folder must be"],
    [{ templates: { folder: "" } }, "config.templates.folder must be"],
    [{ templates: { cache: "yes" } }, "config.templates.cache must be a boolean"],
    [{ templates: { autoescape: false } }, "config.templates.autoescape must be one of folder, cache"],
  ])("bad templates config %j is refused naming the key", (config, message) => {
    let error: unknown;
    try {
      new Flagon({ configFile: false, logger: false, config: config as never });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FlagonError);
    expect((error as FlagonError).code).toBe("FLAGON_ERR_INVALID_CONFIG");
    expect((error as Error).message).toContain(message);
  });

  test("in development an edited template is served on the next request; in production the compiled one stays", async () => {
    const root = await appRoot({ "p.html": "{% include 'part.html' %}", "part.html": "v1" });
    const dev = makeApp(root, { config: { env: "development" } });
    const prod = makeApp(root, { config: { env: "production" } });
    for (const app of [dev, prod]) app.get("/", () => render("p.html"));
    expect((await dev.inject("/")).body).toBe("v1");
    expect((await prod.inject("/")).body).toBe("v1");
    await writeFile(path.join(root, "templates", "part.html"), "version two");
    expect((await dev.inject("/")).body).toBe("version two");
    expect((await prod.inject("/")).body).toBe("v1");
  });

  test("in development a partial edited or created after start is used on the next request", async () => {
    const root = await appRoot({
      "p.html": "{% for x in xs %}{% include 'part.html' %}{% endfor %}",
      "part.html": "<{{ x }}>",
    });
    const app = makeApp(root, { config: { env: "development" } });
    app.get("/", () => render("p.html", { xs: [1, 2] }));
    app.get("/new", () => render("later/new.html"));
    await app.ready();
    expect((await app.inject("/")).body).toBe("<1><2>");
    await writeFile(path.join(root, "templates", "part.html"), "({{ x }})");
    expect((await app.inject("/")).body).toBe("(1)(2)");
    expect((await app.inject("/new")).statusCode).toBe(500);
    await mkdir(path.join(root, "templates", "later"));
    await writeFile(path.join(root, "templates", "later", "new.html"), "created");
    expect((await app.inject("/new")).body).toBe("created");
  });

  test("ready() reads the template folders; one holding more than it may is a start-up error naming it", async () => {
    const root = await appRoot({ "p.html": "ok" });
    const deep = path.join(root, "templates", ...Array.from({ length: 34 }, (_, i) => `d${i}`));
    await mkdir(deep, { recursive: true });
    const app = makeApp(root);
    const error = (await app.ready().catch((e: unknown) => e)) as FlagonError;
    expect(error).toBeInstanceOf(FlagonError);
    expect(error.code).toBe("FLAGON_ERR_INVALID_CONFIG");
    expect(error.message).toMatch(/templates: .*d32 is nested more than 32 folders deep/);
  });

  test("app.templates.render() renders outside a request (mail bodies)", async () => {
    const root = await appRoot({ "mail.txt": "Hello {{ name }}, see {{ urlFor('home', _external=true) }}" });
    const app = makeApp(root, { config: { serverName: "app.test" } });
    app.get("/", function home() {
      return "home";
    });
    await app.ready();
    expect(await app.templates.render("mail.txt", { name: "<Ann>" })).toBe(
      "Hello <Ann>, see http://app.test/",
    );
  });
});
