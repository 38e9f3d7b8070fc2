import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import type { UrlForOptions } from "../http/context.js";
import { parseTemplatesSection } from "./config.js";
import { markSafe, type TemplateHost, Templates } from "./engine.js";
import { TemplateError } from "./errors.js";

const made: string[] = [];
afterAll(async () => {
  for (const dir of made) await rm(dir, { recursive: true, force: true });
});

/** An app root with a templates/ folder holding the given files. */
async function root(files: Record<string, string>, folder = "templates"): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "flagon-templates-"));
  made.push(dir);
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, folder, name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }
  return dir;
}

function host(
  dir: string,
  config: Record<string, unknown> = {},
): TemplateHost & { urls: unknown[]; config: Record<string, unknown> } {
  const urls: unknown[] = [];
  return {
    root: dir,
    config: { env: "production", ...config },
    urls,
    urlFor(endpoint: string, params: Record<string, unknown> | undefined, options: UrlForOptions) {
      urls.push([endpoint, params, options]);
      const query =
        params && Object.keys(params).length ? `?${new URLSearchParams(params as never).toString()}` : "";
      return `${options.external ? "http://app.test" : ""}/${endpoint}${query}`;
    },
  };
}

/** The engine as the app builds it: over `host`, with the host config's parsed `templates` section. */
function templatesFor(h: TemplateHost & { config: Record<string, unknown> }): Templates {
  return new Templates(h, () => parseTemplatesSection(h.config["templates"], String(h.config["env"])));
}

async function templates(
  files: Record<string, string>,
  config?: Record<string, unknown>,
): Promise<Templates> {
  return templatesFor(host(await root(files), config));
}

describe("autoescaping", () => {
  test("on for markup extensions, off for others", async () => {
    const t = await templates({
      "a.html": "{{ v }}",
      "a.htm": "{{ v }}",
      "a.njk": "{{ v }}",
      "a.xml": "{{ v }}",
      "a.svg": "{{ v }}",
      "a.txt": "{{ v }}",
      "a.md": "{{ v }}",
    });
    const v = `<b>"x" & 'y'</b>`;
    for (const name of ["a.html", "a.htm", "a.njk", "a.xml", "a.svg"]) {
      expect(await t.render(name, { v })).toBe("&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;");
    }
    expect(await t.render("a.txt", { v })).toBe(v);
    expect(await t.render("a.md", { v })).toBe(v);
  });

  test("the page decides for what it includes: a .txt partial inside an .html page is escaped", async () => {
    const t = await templates({
      "page.html": "[{% include 'part.txt' %}]",
      "mail.txt": "[{% include 'part.html' %}]",
      "part.txt": "{{ v }}",
      "part.html": "{{ v }}",
    });
    expect(await t.render("page.html", { v: "<i>" })).toBe("[&lt;i&gt;]");
    expect(await t.render("mail.txt", { v: "<i>" })).toBe("[<i>]");
  });

  test("|safe and markSafe() bypass it; |escape still escapes in a .txt", async () => {
    const t = await templates({ "a.html": "{{ raw | safe }} {{ marked }}", "b.txt": "{{ v | escape }}" });
    expect(await t.render("a.html", { raw: "<b>", marked: markSafe("<i>") })).toBe("<b> <i>");
    expect(await t.render("b.txt", { v: "<b>" })).toBe("&lt;b&gt;");
  });
});

describe("user input is never compiled", () => {
  test("a context value that looks like template code renders literally", async () => {
    const t = await templates({ "a.html": "{{ q }}", "b.txt": "{{ q }}" });
    const q = "{{ 7*7 }}{% for x in range(3) %}{{ x }}{% endfor %}";
    expect(await t.render("a.html", { q })).toBe(q);
    expect(await t.render("b.txt", { q })).toBe(q);
  });

  test("Templates has no way to render a string", () => {
    const api = Object.getOwnPropertyNames(Templates.prototype);
    expect(api.filter((name) => /string|compile/i.test(name))).toEqual([]);
  });
});

describe("layouts, includes, folders", () => {
  test("extends with blocks and super()", async () => {
    const t = await templates({
      "layout.html":
        "<title>{% block title %}Site{% endblock %}</title><main>{% block body %}{% endblock %}</main>",
      "page.html":
        "{% extends 'layout.html' %}{% block title %}{{ super() }} · {{ name }}{% endblock %}{% block body %}<p>{{ name }}</p>{% endblock %}",
    });
    expect(await t.render("page.html", { name: "<Ann>" })).toBe(
      "<title>Site · &lt;Ann&gt;</title><main><p>&lt;Ann&gt;</p></main>",
    );
  });

  test("the app's folder comes first, then added folders in order; config.templates.folder moves it", async () => {
    const dir = await root({ "views/page.html": "app", "views/own.html": "own" }, ".");
    const first = await root({ "page.html": "first", "first.html": "F" }, "p1");
    const second = await root({ "first.html": "S", "second.html": "S2" }, "p2");
    const t = templatesFor(host(dir, { templates: { folder: "views" } }));
    t.addFolder(path.join(first, "p1")).addFolder(path.join(second, "p2"));
    expect(t.folders).toEqual([path.join(dir, "views"), path.join(first, "p1"), path.join(second, "p2")]);
    expect(await t.render("page.html")).toBe("app");
    expect(await t.render("first.html")).toBe("F");
    expect(await t.render("second.html")).toBe("S2");
  });

  test("a relative folder given to addFolder is resolved against the app root", async () => {
    const dir = await root({ "x.html": "extra" }, "extra");
    const t = templatesFor(host(dir));
    t.addFolder("extra");
    expect(await t.render("x.html")).toBe("extra");
  });
});

describe("include, import and extends inside loops (as in Jinja)", () => {
  test("an include inside a for loop sees the loop variable and loop.index", async () => {
    const t = await templates({
      "list.html": "<ul>{% for e in entries %}{% include 'entry.html' %}{% endfor %}</ul>",
      "entry.html": "<li>{{ loop.index }}. {{ e.name }}</li>",
    });
    const entries = [{ name: "<Ann>" }, { name: "Bob" }];
    expect(await t.render("list.html", { entries })).toBe("<ul><li>1. &lt;Ann&gt;</li><li>2. Bob</li></ul>");
    // again, now that everything is compiled
    expect(await t.render("list.html", { entries: [{ name: "Cy" }] })).toBe("<ul><li>1. Cy</li></ul>");
  });

  test("macros imported with from-import or import are usable inside a loop, and import inside a loop works", async () => {
    const macro = "{% macro item(x) %}<i>{{ x }}</i>{% endmacro %}";
    const t = await templates({
      "m1.html": macro,
      "m2.html": macro,
      "m3.html": macro,
      "m4.html": macro,
      "from.html": "{% from 'm1.html' import item %}{% for x in xs %}{{ item(x) }}{% endfor %}",
      "as.html": "{% import 'm2.html' as m %}{% for x in xs %}{{ m.item(x) }}{% endfor %}",
      "from-inside.html": "{% for x in xs %}{% from 'm3.html' import item %}{{ item(x) }}{% endfor %}",
      "as-inside.html": "{% for x in xs %}{% import 'm4.html' as m %}{{ m.item(x) }}{% endfor %}",
    });
    for (const page of ["from.html", "as.html", "from-inside.html", "as-inside.html"]) {
      expect(await t.render(page, { xs: [1, "<2>"] }), page).toBe("<i>1</i><i>&lt;2&gt;</i>");
    }
  });

  test("nested includes in a loop inside a block of an extended layout, with a loop in the layout too", async () => {
    const t = await templates({
      "layout.html":
        "<nav>{% for l in links %}{% include 'nav/link.html' %}{% endfor %}</nav><main>{% block content %}{% endblock %}</main>",
      "nav/link.html": "[{{ l }}]",
      "page.html":
        "{% extends 'layout.html' %}{% block content %}{% for g in groups %}<section>{% include 'group.html' %}</section>{% endfor %}{% endblock %}",
      "group.html": "{{ g.title }}:{% for e in g.entries %}{% include 'entry.html' %}{% endfor %}",
      "entry.html": "{% from 'macros.html' import tag %}{{ tag(e) }}",
      "macros.html": "{% macro tag(x) %}<b>{{ x }}</b>{% endmacro %}",
    });
    const out = await t.render("page.html", {
      links: ["a", "b"],
      groups: [
        { title: "G1", entries: [1, 2] },
        { title: "G2", entries: [3] },
      ],
    });
    expect(out).toBe(
      "<nav>[a][b]</nav><main><section>G1:<b>1</b><b>2</b></section><section>G2:<b>3</b></section></main>",
    );
  });

  test("extends inside a loop body's template (an included page that extends a layout)", async () => {
    const t = await templates({
      "cards.html": "{% for c in cards %}{% include 'card.html' %}{% endfor %}",
      "card.html": "{% extends 'frame.html' %}{% block body %}{{ c }}{% endblock %}",
      "frame.html": "({% block body %}{% endblock %})",
    });
    expect(await t.render("cards.html", { cards: ["x", "y"] })).toBe("(x)(y)");
  });

  test("an include of a missing template inside a loop is an error, not an empty page", async () => {
    const t = await templates({
      "list.html": "<ul>\n{% for e in entries %}{% include 'nope.html' %}{% endfor %}</ul>",
      "opt.html": "<ul>{% for e in entries %}{% include 'nope.html' ignore missing %}{% endfor %}</ul>",
    });
    const error = (await t.render("list.html", { entries: [1] }).catch((e: unknown) => e)) as TemplateError;
    expect(error).toBeInstanceOf(TemplateError);
    expect(error.message).toMatch(
      /^rendering "list\.html" failed: \(list\.html\).*template not found: nope\.html/,
    );
    expect(await t.render("opt.html", { entries: [1, 2] })).toBe("<ul></ul>");
  });

  test("with an async filter added, includes in loops still render; the filter works directly in a for", async () => {
    const t = await templates({
      "list.html": "{% for id in ids %}{% include 'user.html' %}{% endfor %}",
      "user.html": "[{{ id }}]",
      "direct.html": "{% for id in ids %}{{ id | user }} {% endfor %}",
    });
    t.addFilter("user", async (id) => `user ${String(id)}`, { async: true });
    expect(await t.render("list.html", { ids: [1, 2] })).toBe("[1][2]");
    expect(await t.render("direct.html", { ids: [1, 2] })).toBe("user 1 user 2 ");
  });

  test("an async filter in an include or macro called from a plain for is an error naming asyncEach, not lost output", async () => {
    const t = await templates({
      "inc.html": "[{% for id in ids %}{% include 'user.html' %}{% endfor %}]",
      "mac.html": "{% from 'm.html' import u %}[{% for id in ids %}{{ u(id) }}{% endfor %}]",
      "each.html": "[{% asyncEach id in ids %}{% include 'user.html' %}{% endeach %}]",
      "user.html": "<{{ id | user }}>",
      "m.html": "{% macro u(id) %}<{{ id | user }}>{% endmacro %}",
    });
    t.addFilter(
      "user",
      async (id) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        return `user ${String(id)}`;
      },
      { async: true },
    );
    for (const page of ["inc.html", "mac.html"]) {
      const error = (await t.render(page, { ids: [1, 2] }).catch((e: unknown) => e)) as TemplateError;
      expect(error, page).toBeInstanceOf(TemplateError);
      expect(error.message).toMatch(/an async filter was still running .*asyncEach/);
    }
    expect(await t.render("each.html", { ids: [1, 2] })).toBe("[<user 1><user 2>]");
  });
});

describe("globals and filters", () => {
  test("addGlobal and addFilter work before and after the first render, in both escaping modes", async () => {
    const t = await templates({
      "a.html": "{{ site }} {{ v | shout }} {{ late | shout }}",
      "a.txt": "{{ v | shout }}",
    });
    t.addGlobal("site", "Flagon");
    t.addFilter("shout", (value) => `${String(value).toUpperCase()}!`);
    expect(await t.render("a.html", { v: "hi" })).toBe("Flagon HI! UNDEFINED!");
    t.addGlobal("late", "later");
    t.addFilter("shout", (value) => `${String(value)}!!`);
    expect(await t.render("a.html", { v: "<hi>", late: "x" })).toBe("Flagon &lt;hi&gt;!! x!!");
    expect(await t.render("a.txt", { v: "<hi>" })).toBe("<hi>!!");
  });

  test("a filter's output is escaped unless it returns markSafe()", async () => {
    const t = await templates({ "a.html": "{{ v | bold }} {{ v | boldSafe }}" });
    t.addFilter("bold", (value) => `<b>${String(value)}</b>`);
    t.addFilter("boldSafe", (value) => markSafe(`<b>${String(value)}</b>`));
    expect(await t.render("a.html", { v: "x" })).toBe("&lt;b&gt;x&lt;/b&gt; <b>x</b>");
  });

  test("an async filter returns a promise; its rejection is a TemplateError naming the template", async () => {
    const t = await templates({ "a.html": "{{ id | user }}", "b.html": "\n{{ id | fails }}" });
    t.addFilter("user", async (id) => `user ${String(id)}`, { async: true });
    t.addFilter("fails", () => Promise.reject(new Error("db down")), { async: true });
    expect(await t.render("a.html", { id: 7 })).toBe("user 7");
    const error = await t.render("b.html", { id: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TemplateError);
    expect((error as Error).message).toMatch(/b\.html.*db down/);
  });

  test("context values win over globals; render-time globals are there outside a request", async () => {
    const t = await templates({
      "a.html": "{{ site }}|{{ request }}|{{ flashes() | length }}|{{ session.isNew }}",
    });
    t.addGlobal("site", "global");
    expect(await t.render("a.html")).toBe("global||0|true");
    expect(await t.render("a.html", { site: "mine" })).toBe("mine||0|true");
  });

  test("urlFor takes positional or keyword arguments; _external, _anchor, _method are options", async () => {
    const h = host(
      await root({
        "a.html":
          "{{ urlFor('show', { id: 3 }) }} {{ urlFor('show', id=4, _external=true) }} {{ urlFor('list', _anchor='top') }}",
      }),
    );
    const t = templatesFor(h);
    expect(await t.render("a.html")).toBe("/show?id=3 http://app.test/show?id=4 /list");
    expect(h.urls).toEqual([
      ["show", { id: 3 }, {}],
      ["show", { id: 4 }, { external: true }],
      ["list", {}, { anchor: "top" }],
    ]);
  });

  test("config is there without secrets or URL credentials", async () => {
    const t = await templates(
      { "a.txt": "{{ config | dump }}" },
      {
        serverName: "app.test",
        secretKey: "s3cret",
        secretKeyFallbacks: ["old"],
        session: { store: { redis: "redis://user:pw@cache:6379/0" }, cookieName: "sid" },
        db: { password: "pw", url: "postgres://u:p@db/app", poolSize: 5 },
        apiToken: "t",
        hook: () => 1,
      },
    );
    const shown = JSON.parse(await t.render("a.txt")) as Record<string, unknown>;
    expect(shown).toEqual({
      env: "production",
      serverName: "app.test",
      session: { store: { redis: "redis://[redacted]@cache:6379/0" }, cookieName: "sid" },
      db: { url: "postgres://[redacted]@db/app", poolSize: 5 },
    });
  });
});

describe("errors", () => {
  test("a syntax error names the template and line", async () => {
    const t = await templates({ "bad.html": "<p>\n{% if %}\n</p>" });
    const error = (await t.render("bad.html").catch((e: unknown) => e)) as TemplateError;
    expect(error).toBeInstanceOf(TemplateError);
    expect(error.template).toBe("bad.html");
    expect(error.message).toMatch(/^rendering "bad\.html" failed: \(bad\.html\) \[Line 2, Column \d+\]/);
    expect(error.line).toBe(2);
  });

  test("a runtime error inside an included template names both and the inner line", async () => {
    const t = await templates({
      "page.html": "{% include 'part.html' %}",
      "part.html": "ok\nok\n{{ missing() }}",
    });
    const error = (await t.render("page.html").catch((e: unknown) => e)) as TemplateError;
    expect(error.message).toContain("(page.html)");
    expect(error.message).toContain("(part.html) [Line 3, Column");
    expect(error.message).toContain("Unable to call `missing`");
  });

  test("a syntax error in a layout loaded from disk is reported, not lost (eager compile in the loader callback)", async () => {
    const t = await templates({
      "page.html": "{% extends 'layout.html' %}",
      "layout.html": "\n\n{% endblock %}",
    });
    const error = (await t.render("page.html").catch((e: unknown) => e)) as TemplateError;
    expect(error).toBeInstanceOf(TemplateError);
    expect(error.message).toContain("layout.html");
    // and again, now that page.html is cached
    await expect(t.render("page.html")).rejects.toThrow(/layout\.html/);
  });

  test("a runtime error after an include loaded from disk is reported (thrown inside the loader's callback)", async () => {
    // nunjucks runs the rest of the page inside the include's callback, so it may blame the
    // include; what matters is that the render fails instead of hanging or crashing.
    const t = await templates({ "page.html": "{% include 'part.html' %}\n{{ nope() }}", "part.html": "p" });
    await expect(t.render("page.html")).rejects.toThrow(
      /^rendering "page\.html" failed: .*Unable to call `nope`/,
    );
  });

  test("lines and columns count from 1, also for errors while rendering and on the first line", async () => {
    const t = await templates({ "first.html": "{{ nope() }}", "third.html": "a\nb\n  {{ x.f() }}" });
    const first = (await t.render("first.html").catch((e: unknown) => e)) as TemplateError;
    expect(first.message).toMatch(/^rendering "first\.html" failed: \(first\.html\) \[Line 1, Column \d+\] /);
    expect(first.line).toBe(1);
    const third = (await t.render("third.html", { x: {} }).catch((e: unknown) => e)) as TemplateError;
    expect(third.line).toBe(3);
  });

  test("a missing template, a missing include and a refused name are TemplateErrors naming them", async () => {
    const t = await templates({
      "page.html": "\n{% include 'gone.html' %}",
      "opt.html": "[{% include 'gone.html' ignore missing %}]",
    });
    await expect(t.render("nothing.html")).rejects.toThrow(
      /rendering "nothing\.html" failed: .*template not found: nothing\.html/,
    );
    await expect(t.render("page.html")).rejects.toThrow(/\(page\.html\).*template not found: gone\.html/);
    expect(await t.render("opt.html")).toBe("[]");
    await expect(t.render("../x.html")).rejects.toBeInstanceOf(TemplateError);
  });
});

describe("cache and reload", () => {
  const edit = async (dir: string, name: string, content: string) => {
    await writeFile(path.join(dir, "templates", name), content);
  };

  test("with the cache off (development), an edited page, layout or include is re-read on its next render", async () => {
    const dir = await root({
      "page.html": "{% extends 'layout.html' %}{% block b %}page1 {% include 'part.html' %}{% endblock %}",
      "layout.html": "L1[{% block b %}{% endblock %}]",
      "part.html": "part1",
    });
    const t = templatesFor(host(dir, { env: "development" }));
    expect(await t.render("page.html")).toBe("L1[page1 part1]");
    await edit(dir, "part.html", "part2!");
    expect(await t.render("page.html")).toBe("L1[page1 part2!]");
    await edit(dir, "layout.html", "Layout2[{% block b %}{% endblock %}]");
    expect(await t.render("page.html")).toBe("Layout2[page1 part2!]");
    await edit(dir, "page.html", "{% extends 'layout.html' %}{% block b %}page two{% endblock %}");
    expect(await t.render("page.html")).toBe("Layout2[page two]");
  });

  test("with the cache on (production default), compiled templates are kept", async () => {
    const dir = await root({ "page.html": "v1" });
    const t = templatesFor(host(dir, { env: "production" }));
    expect(await t.render("page.html")).toBe("v1");
    await edit(dir, "page.html", "version 2");
    expect(await t.render("page.html")).toBe("v1");
  });

  test("templates.cache overrides the env default both ways", async () => {
    const dir = await root({ "page.html": "v1" });
    const prodNoCache = templatesFor(host(dir, { env: "production", templates: { cache: false } }));
    const devCache = templatesFor(host(dir, { env: "development", templates: { cache: true } }));
    expect(await prodNoCache.render("page.html")).toBe("v1");
    expect(await devCache.render("page.html")).toBe("v1");
    await edit(dir, "page.html", "version 2");
    expect(await prodNoCache.render("page.html")).toBe("version 2");
    expect(await devCache.render("page.html")).toBe("v1");
  });

  test("a template that failed to compile renders once fixed (development)", async () => {
    const dir = await root({ "page.html": "{% if %}" });
    const t = templatesFor(host(dir, { env: "development" }));
    await expect(t.render("page.html")).rejects.toBeInstanceOf(TemplateError);
    await edit(dir, "page.html", "fixed");
    expect(await t.render("page.html")).toBe("fixed");
  });

  test("development: an edited partial included in a loop is picked up on the next render", async () => {
    const dir = await root({
      "list.html": "{% for e in es %}{% include 'entry.html' %}{% endfor %}",
      "entry.html": "<{{ e }}>",
    });
    const t = templatesFor(host(dir, { env: "development" }));
    expect(await t.render("list.html", { es: [1, 2] })).toBe("<1><2>");
    await edit(dir, "entry.html", "({{ e }})");
    expect(await t.render("list.html", { es: [1, 2] })).toBe("(1)(2)");
  });

  test("development: a template created after the first render is found, in a new folder too", async () => {
    const dir = await root({ "list.html": "{% for e in es %}{% include 'parts/entry.html' %}{% endfor %}" });
    const t = templatesFor(host(dir, { env: "development" }));
    await t.load();
    await expect(t.render("list.html", { es: [1] })).rejects.toThrow(
      /template not found: parts\/entry\.html/,
    );
    await expect(t.render("new.html")).rejects.toThrow(/template not found: new\.html/);
    await mkdir(path.join(dir, "templates", "parts"));
    await edit(dir, "parts/entry.html", "<{{ e }}>");
    await edit(dir, "new.html", "new page");
    expect(await t.render("list.html", { es: [1, 2] })).toBe("<1><2>");
    expect(await t.render("new.html")).toBe("new page");
  });

  test("development: a removed template is gone on the next render; a plugin's template of that name shows again", async () => {
    const dir = await root({ "page.html": "[{% include 'part.html' %}]", "part.html": "app" });
    const plugin = await root({ "part.html": "plugin" }, "p");
    const t = templatesFor(host(dir, { env: "development" }));
    t.addFolder(path.join(plugin, "p"));
    expect(await t.render("page.html")).toBe("[app]");
    await rm(path.join(dir, "templates", "part.html"));
    expect(await t.render("page.html")).toBe("[plugin]");
    await edit(dir, "part.html", "app again");
    expect(await t.render("page.html")).toBe("[app again]");
  });

  test("production: edited and new files are not seen (templates are read once), and renders read no files", async () => {
    const dir = await root({
      "list.html": "{% for e in es %}{% include 'entry.html' %}{% endfor %}",
      "entry.html": "<{{ e }}>",
    });
    const t = templatesFor(host(dir, { env: "production" }));
    await t.load();
    await edit(dir, "entry.html", "changed");
    await edit(dir, "new.html", "new");
    expect(await t.render("list.html", { es: [1] })).toBe("<1>");
    await expect(t.render("new.html")).rejects.toThrow(/template not found: new\.html/);
    // Everything is in memory: the folder can even go away.
    await rm(path.join(dir, "templates"), { recursive: true });
    expect(await t.render("list.html", { es: [2, 3] })).toBe("<2><3>");
  });

  test("a folder added after the templates were read is read before the next render (production too)", async () => {
    const dir = await root({ "page.html": "[{% include 'late.html' ignore missing %}]" });
    const late = await root({ "late.html": "late" }, "late");
    const t = templatesFor(host(dir, { env: "production" }));
    expect(await t.render("page.html")).toBe("[]");
    t.addFolder(path.join(late, "late"));
    expect(await t.render("late.html")).toBe("late");
    expect(await t.render("page.html")).toBe("[late]");
  });

  test("concurrent renders of an uncached template all succeed", async () => {
    const t = await templates({ "page.html": "{% include 'part.html' %}{{ n }}", "part.html": "p" });
    const out = await Promise.all(Array.from({ length: 20 }, (_, n) => t.render("page.html", { n })));
    expect(out).toEqual(Array.from({ length: 20 }, (_, n) => `p${n}`));
  });
});
