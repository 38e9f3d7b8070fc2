// The files of a new app, written by `flagon new`: a JSON API (`api`), or server-rendered pages
// with templates, static files, a session and flash messages (`web`). Both keep notes in a
// SQLite database through @flagon/database: a first migration, a seed, and a route that lists
// them.
import { json, type TemplateFile, tsconfigBuild, tsconfigIncluding, vitestConfig } from "./common.js";

/**
 * The kysely range the app's migrations import from: the one @flagon/database depends on
 * (a test keeps the two equal).
 */
export const KYSELY_RANGE = "^0.28.20";

export const APP_TEMPLATES = ["api", "web"] as const;
export type AppTemplate = (typeof APP_TEMPLATES)[number];

export interface AppTemplateVars {
  /** The package name (from the folder's name). */
  readonly name: string;
  readonly template: AppTemplate;
  /** The @flagon/core range the app depends on, e.g. `>=0.1.0 <1`. */
  readonly coreRange: string;
  /** A random key for `.env` (development only; never committed). */
  readonly secretKey: string;
  /** The UTC timestamp that starts the first migration's name, `YYYYMMDDHHMMSS`. */
  readonly migrationStamp: string;
}

/** The `YYYYMMDDHHMMSS` (UTC) of a date, as `flagon db new` names migrations. */
export const migrationStampOf = (date: Date): string => date.toISOString().replace(/[-:T]/g, "").slice(0, 14);

/** Every file of the app, in the order they are written. */
export function appFiles(vars: AppTemplateVars): TemplateFile[] {
  const web = vars.template === "web";
  return [
    { path: "package.json", contents: packageJson(vars) },
    // The migrations and seeds are type-checked too (flagon db loads them as TypeScript).
    { path: "tsconfig.json", contents: tsconfigIncluding(["migrations", "seeds"]) },
    { path: "tsconfig.build.json", contents: tsconfigBuild() },
    { path: "vitest.config.ts", contents: vitestConfig },
    { path: ".gitignore", contents: "node_modules/\ndist/\ndata/\n.env\n" },
    { path: ".env", contents: dotenv(vars) },
    { path: "src/app.ts", contents: web ? webAppTs : apiAppTs },
    { path: "src/server.ts", contents: serverTs },
    { path: "src/greeter.service.ts", contents: greeterTs },
    { path: "src/db.ts", contents: dbTs },
    { path: "src/notes.controller.ts", contents: web ? webNotesControllerTs : apiNotesControllerTs },
    { path: `migrations/${vars.migrationStamp}_create_notes.ts`, contents: createNotesTs },
    { path: "seeds/01_notes.ts", contents: seedNotesTs },
    ...(web
      ? [
          { path: "src/pages.controller.ts", contents: pagesControllerTs },
          { path: "templates/layout.html", contents: layoutHtml(vars) },
          { path: "templates/index.html", contents: indexHtml },
          { path: "templates/notes.html", contents: notesHtml },
          { path: "static/style.css", contents: styleCss },
          { path: "test/pages.test.ts", contents: pagesTest },
        ]
      : [
          { path: "src/hello.controller.ts", contents: helloControllerTs },
          { path: "test/app.test.ts", contents: apiTest },
        ]),
    { path: "test/notes.test.ts", contents: web ? webNotesTest : apiNotesTest },
    { path: "README.md", contents: readme(vars) },
  ];
}

/** A valid npm package name made of a folder name: `My App!` → `my-app`. */
export function packageNameFor(folder: string): string {
  const dashed = folder.toLowerCase().replace(/[^a-z0-9._~-]+/g, "-");
  // Leading ".", "_", "-" and trailing "-" go; by index, as /[-]+$/ is quadratic on runs of "-".
  let start = 0;
  while (start < dashed.length && "._-".includes(dashed.charAt(start))) start += 1;
  let end = dashed.length;
  while (end > start && dashed.charAt(end - 1) === "-") end -= 1;
  const name = dashed.slice(start, end).slice(0, 214);
  return name === "" || name === "node_modules" || name === "favicon.ico" ? "flagon-app" : name;
}

function packageJson(v: AppTemplateVars): string {
  return json({
    name: v.name,
    version: "0.1.0",
    private: true,
    type: "module",
    scripts: {
      dev: "flagon dev",
      start: "flagon start",
      build: "tsc -p tsconfig.build.json",
      test: "vitest run",
      typecheck: "tsc -p tsconfig.json",
      routes: "flagon routes",
      "db:migrate": "flagon db migrate",
      "db:rollback": "flagon db rollback",
      "db:status": "flagon db status",
      "db:seed": "flagon db seed",
    },
    // The CLI (the scripts' flagon, also in production) and the official plugins are released
    // with core, under the same version range.
    dependencies: {
      "@flagon/core": v.coreRange,
      "@flagon/cli": v.coreRange,
      "@flagon/database": v.coreRange,
      kysely: KYSELY_RANGE,
    },
    devDependencies: {
      "@types/node": "^20.19.0",
      typescript: "~5.9.3",
      vitest: "^4.1.0",
    },
    engines: { node: ">=20.19" },
  });
}

function dotenv(v: AppTemplateVars): string {
  const key =
    v.template === "web"
      ? `# Signs the session cookie; production sets its own FLAGON_SECRET_KEY.
FLAGON_SECRET_KEY=${v.secretKey}
`
      : "";
  return `# Read by Flagon at start-up (never overriding variables already set). Not committed.
# This machine develops the app: errors show their details, and \`flagon db migrate\` runs without
# --yes. Where NODE_ENV is unset (a server without this file) the env is production.
NODE_ENV=development
${key}`;
}

const greeterTs = `import { Injectable } from "@flagon/core";

/** A service: controllers get it by constructor injection, one instance per app. */
@Injectable()
export class Greeter {
  greet(name: string): string {
    return \`Hello, \${name}!\`;
  }
}
`;

const apiAppTs = `import { fileURLToPath } from "node:url";
import { Flagon, type FlagonOptions } from "@flagon/core";
import database from "@flagon/database";
import { HelloController } from "./hello.controller.js";
import { NotesController } from "./notes.controller.js";

/** The app's folder, where the config file and .env are found (src/ and dist/ are one level down). */
const root = fileURLToPath(new URL("..", import.meta.url));

/**
 * Builds the app without listening: \`flagon dev\`, \`flagon start\`, \`flagon routes\` and the tests
 * call it. Each call has its own container, so two apps share nothing.
 *
 * @example
 * const res = await createApp({ logger: false }).inject("/hello/Ada");
 */
export function createApp(options: Omit<FlagonOptions, "controllers"> = {}): Flagon {
  const app = new Flagon({ root, ...options, controllers: [HelloController, NotesController] });
  // SQL through Kysely: config.database.url (FLAGON_DATABASE__URL), sqlite:./data/app.db by default.
  app.register(database);
  app.get("/health", function health() {
    return { status: "ok" };
  });
  return app;
}
`;

const webAppTs = `import { fileURLToPath } from "node:url";
import { Flagon, type FlagonOptions } from "@flagon/core";
import database from "@flagon/database";
import { NotesController } from "./notes.controller.js";
import { PagesController } from "./pages.controller.js";

/** The app's folder: templates/, static/, the config file and .env are found here. */
const root = fileURLToPath(new URL("..", import.meta.url));

/**
 * Builds the app without listening: \`flagon dev\`, \`flagon start\`, \`flagon routes\` and the tests
 * call it. Sessions are signed with config.secretKey (FLAGON_SECRET_KEY, set in .env for
 * development).
 *
 * @example
 * const client = createApp({ logger: false, config: { secretKey: "test" } }).testClient();
 * await client.post("/greet", { form: { name: "Ada" } });
 */
export function createApp(options: Omit<FlagonOptions, "controllers"> = {}): Flagon {
  const app = new Flagon({ root, ...options, controllers: [PagesController, NotesController] });
  // SQL through Kysely: config.database.url (FLAGON_DATABASE__URL), sqlite:./data/app.db by default.
  app.register(database);
  return app;
}
`;

const dbTs = `import type { Generated } from "kysely";

/** The tables, as the migrations make them: what \`Database<DB>\` type-checks queries against. */
export interface DB {
  notes: NotesTable;
}

export interface NotesTable {
  id: Generated<number>;
  title: string;
  created_at: Generated<string>;
}
`;

const createNotesTs = `import { sql, type Kysely } from "kysely";

// \`flagon db migrate\` runs up(), \`flagon db rollback\` down(); \`flagon db new <name>\` writes the next
// file. Each runs in a transaction of its own where the database allows it (SQLite, PostgreSQL).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("notes")
    // On PostgreSQL, make it ("id", "integer", (c) => c.primaryKey().generatedAlwaysAsIdentity()).
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("title", "varchar(200)", (c) => c.notNull())
    .addColumn("created_at", "timestamp", (c) => c.notNull().defaultTo(sql\`CURRENT_TIMESTAMP\`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("notes").execute();
}
`;

const seedNotesTs = `import type { Kysely } from "kysely";
import type { DB } from "../src/db.js";

// \`flagon db seed\` runs the files of seeds/ in name order, each in a transaction.
export async function seed(db: Kysely<DB>): Promise<void> {
  const { count } = await db
    .selectFrom("notes")
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .executeTakeFirstOrThrow();
  if (Number(count) > 0) return; // seeded already
  await db
    .insertInto("notes")
    .values([{ title: "Write the first migration" }, { title: "Seed the database" }])
    .execute();
}
`;

const apiNotesControllerTs = `import { type Context, Controller, Ctx, Get } from "@flagon/core";
// A value import, not \`import type\`: the constructor's parameter type is the injection token.
import { Database } from "@flagon/database";
import type { DB } from "./db.js";

@Controller()
export class NotesController {
  constructor(private readonly db: Database<DB>) {}

  /** A page of the notes: ?page=2&per_page=10. */
  @Get("/notes")
  list(@Ctx() ctx: Context) {
    const notes = this.db.selectFrom("notes").select(["id", "title"]).orderBy("id");
    return this.db.paginate(notes, ctx);
  }
}
`;

const webNotesControllerTs = `import { Controller, Get, Render } from "@flagon/core";
// A value import, not \`import type\`: the constructor's parameter type is the injection token.
import { Database } from "@flagon/database";
import type { DB } from "./db.js";

@Controller()
export class NotesController {
  constructor(private readonly db: Database<DB>) {}

  /** The notes: templates/notes.html. */
  @Get("/notes")
  @Render("notes.html")
  async list() {
    return { notes: await this.db.selectFrom("notes").select(["id", "title"]).orderBy("id").execute() };
  }
}
`;

/** What the notes tests share: a database file of their own, migrated and seeded by the commands. */
const notesTestSetup = `import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { runCommand } from "@flagon/cli/testing";
import { inject } from "@flagon/core/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../src/app.js";

let dir = "";
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "notes-test-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The app on the test's own SQLite file. */
const app = () =>
  createApp({
    logger: false,
    config: {
      secretKey: "a test key, long enough to sign cookies",
      database: { url: \`sqlite:\${path.join(dir, "test.db")}\` },
    },
  });

/** Runs \`flagon db <args…>\` as the command line does. */
async function db(...args: string[]): Promise<string> {
  const instance = app();
  try {
    const result = await runCommand(instance, ["db", ...args]);
    expect(result.code, result.stderr).toBe(0);
    return result.stdout;
  } finally {
    await instance.close();
  }
}
`;

const apiNotesTest = `${notesTestSetup}
describe("the notes", () => {
  it("migrates, seeds and lists them, a page at a time", async () => {
    expect(await db("migrate")).toMatch(/^applied \\d{14}_create_notes\\n$/);
    expect(await db("seed")).toBe("seeded 01_notes.ts\\n");
    const instance = app();
    try {
      const res = await inject(instance, "/notes?per_page=1");
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        items: [{ id: 1, title: "Write the first migration" }],
        total: 2,
        page: 1,
        next: 2,
      });
    } finally {
      await instance.close();
    }
  });
});
`;

const webNotesTest = `${notesTestSetup}
describe("the notes page", () => {
  it("migrates, seeds and lists them", async () => {
    expect(await db("migrate")).toMatch(/^applied \\d{14}_create_notes\\n$/);
    expect(await db("seed")).toBe("seeded 01_notes.ts\\n");
    const instance = app();
    try {
      const res = await instance.testClient().get("/notes");
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain("<li>Write the first migration</li>");
      expect(res.body).toContain("<li>Seed the database</li>");
    } finally {
      await instance.close();
    }
  });
});
`;

const notesHtml = `{% extends "layout.html" %}

{% block title %}Notes{% endblock %}

{% block content %}
  <h1>Notes</h1>
  {% if notes.length %}
    <ul>
      {% for note in notes %}
        <li>{{ note.title }}</li>
      {% endfor %}
    </ul>
  {% else %}
    <p>None yet: run <code>npm run db:seed</code>.</p>
  {% endif %}
{% endblock %}
`;

const serverTs = `// Runs the built app without the flagon command: npm run build && node dist/server.js.
// (\`flagon start\` does the same from src/app.ts, with --workers and graceful shutdown built in.)
import { createApp } from "./app.js";

const port = Number(process.env["PORT"] ?? 3000);
const host = process.env["HOST"] ?? "127.0.0.1";
const app = createApp();

// Finish in-flight requests, then exit. Installed before listening: until a handler exists, a
// SIGTERM (one sent as soon as the port is open) kills the process without closing the app.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}

const { url } = await app.listen({ port, host });
console.log(\`listening on \${url}\`);
`;

const helloControllerTs = `import { Controller, Get, Param } from "@flagon/core";
// A value import, not \`import type\`: the constructor's parameter type is the injection token.
import { Greeter } from "./greeter.service.js";

@Controller()
export class HelloController {
  constructor(private readonly greeter: Greeter) {}

  @Get("/")
  index() {
    return { message: this.greeter.greet("world") };
  }

  @Get("/hello/<name>")
  hello(@Param("name") name: string) {
    return { message: this.greeter.greet(name) };
  }
}
`;

const apiTest = `import { inject } from "@flagon/core/testing";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app.js";

// Requests go through the whole app (routing, hooks, DI) without a socket.
describe("the app", () => {
  it("greets the world", async () => {
    const res = await inject(createApp({ logger: false }), "/");
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ message: "Hello, world!" });
  });

  it("greets by name, through the injected Greeter", async () => {
    const res = await inject(createApp({ logger: false }), "/hello/Ada");
    expect(res.json()).toEqual({ message: "Hello, Ada!" });
  });

  it("reports its health", async () => {
    const res = await inject(createApp({ logger: false }), "/health");
    expect(res.json()).toEqual({ status: "ok" });
  });

  it("answers an unknown URL with a problem-details 404 for JSON clients", async () => {
    const res = await inject(createApp({ logger: false }), {
      url: "/nowhere",
      headers: { accept: "application/json" },
    });
    expect(res.statusCode).toBe(404);
    expect(res.headers["content-type"]).toContain("application/problem+json");
    expect(res.json()).toMatchObject({ status: 404 });
  });
});
`;

const pagesControllerTs = `import { Body, Context, Controller, Ctx, Get, Post, redirect, Render } from "@flagon/core";
// A value import, not \`import type\`: the constructor's parameter type is the injection token.
import { Greeter } from "./greeter.service.js";

/** What the form posts. A missing field reads as empty. */
interface GreetForm {
  name?: unknown;
}

@Controller()
export class PagesController {
  constructor(private readonly greeter: Greeter) {}

  /** The page: templates/index.html inside templates/layout.html. */
  @Get("/")
  @Render("index.html")
  async index(@Ctx() ctx: Context) {
    const name = (await ctx.session()).get("name");
    return { greeting: this.greeter.greet(typeof name === "string" ? name : "world") };
  }

  /** Remembers the name in the session, flashes a message, and redirects (Post/Redirect/Get). */
  @Post("/greet")
  async greet(@Body(undefined, { accept: ["form"] }) form: GreetForm, @Ctx() ctx: Context) {
    const name = typeof form.name === "string" ? form.name.trim().slice(0, 100) : "";
    if (name === "") {
      await ctx.flash("Please tell us your name.", "error");
    } else {
      (await ctx.session()).set("name", name);
      await ctx.flash(this.greeter.greet(name), "success");
    }
    return redirect(ctx.urlFor("PagesController.index"), 303);
  }
}
`;

function layoutHtml(v: AppTemplateVars): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>{% block title %}${v.name}{% endblock %}</title>
    <link rel="stylesheet" href="{{ urlFor('static', { filename: 'style.css' }) }}" />
  </head>
  <body>
    <header><a href="{{ urlFor('PagesController.index') }}">${v.name}</a></header>
    <main>
      {% for category, message in flashes({ withCategories: true }) %}
        <p class="flash flash-{{ category }}" role="status">{{ message }}</p>
      {% endfor %}
      {% block content %}{% endblock %}
    </main>
  </body>
</html>
`;
}

const indexHtml = `{% extends "layout.html" %}

{% block content %}
  <h1>{{ greeting }}</h1>
  <form method="post" action="{{ urlFor('PagesController.greet') }}">
    <label for="name">Your name</label>
    <input id="name" name="name" maxlength="100" autocomplete="name" />
    <button type="submit">Greet me</button>
  </form>
{% endblock %}
`;

const styleCss = `:root {
  color-scheme: light dark;
  font-family: system-ui, sans-serif;
  line-height: 1.5;
}

body {
  max-width: 40rem;
  margin: 0 auto;
  padding: 1rem;
}

header a {
  font-weight: 600;
  text-decoration: none;
}

.flash {
  padding: 0.5rem 0.75rem;
  border-radius: 0.25rem;
  background: #e7f5e9;
  color: #14532d;
}

.flash-error {
  background: #fdecec;
  color: #7f1d1d;
}

form {
  display: flex;
  gap: 0.5rem;
  align-items: center;
}
`;

const pagesTest = `import { describe, expect, it } from "vitest";
import { createApp } from "../src/app.js";

// A fixed key for the tests; the app reads FLAGON_SECRET_KEY (.env) otherwise.
const app = () => createApp({ logger: false, config: { secretKey: "a test key, long enough to sign cookies" } });

describe("the pages", () => {
  it("renders the page inside the layout, with the stylesheet", async () => {
    const res = await app().testClient().get("/");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(res.body).toContain("<h1>Hello, world!</h1>");
    expect(res.body).toContain('href="/static/style.css"');
  });

  it("serves the stylesheet from static/", async () => {
    const res = await app().testClient().get("/static/style.css");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("text/css");
  });

  it("greets by name: a flash message once, then the name from the session", async () => {
    const client = app().testClient();
    const posted = await client.post("/greet", { form: { name: "Ada" } });
    expect(posted.statusCode).toBe(303);
    expect(posted.headers["location"]).toBe("/");

    const page = await client.get("/");
    expect(page.body).toContain('<p class="flash flash-success" role="status">Hello, Ada!</p>');
    expect(page.body).toContain("<h1>Hello, Ada!</h1>");

    const again = await client.get("/");
    expect(again.body).not.toContain("flash-success");
    expect(again.body).toContain("<h1>Hello, Ada!</h1>");
  });

  it("escapes what users type", async () => {
    const client = app().testClient();
    await client.post("/greet", { form: { name: "<script>" } });
    const page = await client.get("/");
    expect(page.body).toContain("Hello, &lt;script&gt;!");
    expect(page.body).not.toContain("<script>");
  });
});
`;

function readme(v: AppTemplateVars): string {
  const fence = "```";
  const web = v.template === "web";
  const layout = web
    ? `src/app.ts               createApp(): the app, without listening
src/pages.controller.ts  the pages: GET / and POST /greet (session, flash message)
src/notes.controller.ts  GET /notes: the notes, from the database
src/greeter.service.ts   a service, injected into the controller by its type
src/db.ts                the tables' types, for Database<DB>
src/server.ts            runs the built app without the flagon command
migrations/              the schema, one file per change (flagon db migrate)
seeds/                   sample data (flagon db seed)
templates/               nunjucks templates (layout.html, index.html, notes.html)
static/                  files served under /static/
test/                    tests, in-process (no socket)
.env                     NODE_ENV and FLAGON_SECRET_KEY for development (not committed)`
    : `src/app.ts               createApp(): the app, without listening
src/hello.controller.ts  the routes: GET / and GET /hello/<name>
src/notes.controller.ts  GET /notes: a page of the notes, from the database
src/greeter.service.ts   a service, injected into the controller by its type
src/db.ts                the tables' types, for Database<DB>
src/server.ts            runs the built app without the flagon command
migrations/              the schema, one file per change (flagon db migrate)
seeds/                   sample data (flagon db seed)
test/                    tests, in-process (no socket)
.env                     NODE_ENV=development for this machine (not committed)`;
  return `# ${v.name}

A Flagon app${web ? " with server-rendered pages" : ": a JSON API"}.

## Develop

${fence}sh
npm install
npm run db:migrate  # flagon db migrate: creates data/app.db and its tables
npm run db:seed     # flagon db seed: a few notes
npm run dev         # flagon dev: http://127.0.0.1:3000, restarts when a file changes
npm test            # vitest
npm run routes      # flagon routes: the route table
${fence}

## Database

\`@flagon/database\` keeps the data in SQLite (\`data/app.db\`, git-ignored) unless
\`config.database.url\` (or \`FLAGON_DATABASE__URL\`) names another: \`postgres://…\` or
\`mysql://…\`. Controllers inject \`Database<DB>\`, a Kysely instance typed by \`src/db.ts\`.
\`flagon db new add_tags\` writes the next migration; \`flagon db status\` lists them;
\`flagon db rollback\` undoes the last (\`--to <name>\`, \`--to 0\`); \`--dry-run\` prints the SQL.
In production (the env when NODE_ENV is unset) migrate, rollback and seed ask for \`--yes\`.

## Layout

${fence}
${layout}
${fence}

The \`flagon\` command finds the app through \`createApp\` in \`src/app.ts\` (or the module named by
\`"app"\` in the config). Controllers get their services by constructor injection, which reads the
types that \`emitDecoratorMetadata\` records: import an injected class as a value, never with
\`import type\`.

## Run in production

${fence}sh
flagon start --workers 4 --host 0.0.0.0 --port 8080
${fence}

\`flagon start\` transpiles \`src/\` at start-up (so keep \`typescript\` installed), or run the build:
\`npm run build\`, then \`FLAGON_APP=dist/app.js flagon start\` (or \`node dist/server.js\`).
Migrate first: \`flagon db migrate --yes\` (two deploys at once are safe: one waits for the other).
SIGTERM drains the workers gracefully.${web ? " Set `FLAGON_SECRET_KEY` to a long random value there." : ""}
`;
}
