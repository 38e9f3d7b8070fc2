import { readFile } from "node:fs/promises";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { type AppTemplate, appFiles, KYSELY_RANGE, migrationStampOf, packageNameFor } from "./app.js";

function files(template: AppTemplate): Map<string, string> {
  const vars = {
    name: "my-app",
    template,
    coreRange: ">=0.1.0 <1",
    secretKey: "k".repeat(43),
    migrationStamp: "20260102030405",
  };
  return new Map(appFiles(vars).map((f) => [f.path, f.contents]));
}

describe("app templates", () => {
  it.each(["api", "web"] as const)("%s gives syntactically valid TypeScript and JSON", (template) => {
    for (const [path, contents] of files(template)) {
      if (path.endsWith(".json")) expect(() => JSON.parse(contents) as unknown, path).not.toThrow();
      if (!path.endsWith(".ts")) continue;
      const out = ts.transpileModule(contents, {
        fileName: path,
        reportDiagnostics: true,
        compilerOptions: { experimentalDecorators: true },
      });
      expect(
        out.diagnostics?.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")) ?? [],
        path,
      ).toEqual([]);
    }
  });

  it("api: a controller with an injected service, tests, no templates", () => {
    const api = files("api");
    expect([...api.keys()]).toEqual([
      "package.json",
      "tsconfig.json",
      "tsconfig.build.json",
      "vitest.config.ts",
      ".gitignore",
      ".env",
      "src/app.ts",
      "src/server.ts",
      "src/greeter.service.ts",
      "src/db.ts",
      "src/notes.controller.ts",
      "migrations/20260102030405_create_notes.ts",
      "seeds/01_notes.ts",
      "src/hello.controller.ts",
      "test/app.test.ts",
      "test/notes.test.ts",
      "README.md",
    ]);
    expect(api.get(".env")).not.toContain("FLAGON_SECRET_KEY");
    expect(api.get("src/hello.controller.ts")).toContain('import { Greeter } from "./greeter.service.js";');
    expect(api.get("src/app.ts")).toContain("export function createApp(");
    expect(api.get("test/app.test.ts")).toContain('from "@flagon/core/testing"');
    expect(JSON.parse(api.get("package.json") ?? "")).toMatchObject({
      name: "my-app",
      type: "module",
      scripts: { dev: "flagon dev", start: "flagon start", test: "vitest run" },
      dependencies: { "@flagon/core": ">=0.1.0 <1", "@flagon/cli": ">=0.1.0 <1" },
    });
    expect(JSON.parse(api.get("tsconfig.json") ?? "")).toMatchObject({
      compilerOptions: { experimentalDecorators: true, emitDecoratorMetadata: true },
      include: ["src", "test", "migrations", "seeds"],
    });
  });

  it("web: templates, static files, a secret key in a git-ignored .env", () => {
    const web = files("web");
    for (const file of ["templates/layout.html", "templates/index.html", "static/style.css", ".env"]) {
      expect(web.has(file), file).toBe(true);
    }
    expect(web.get(".env")).toContain(`FLAGON_SECRET_KEY=${"k".repeat(43)}`);
    expect(web.get(".gitignore")).toContain(".env");
    expect(web.get("templates/layout.html")).toContain("urlFor('static', { filename: 'style.css' })");
    expect(web.get("src/pages.controller.ts")).toContain('@Render("index.html")');
  });
});

describe("the database in both templates", () => {
  it.each(["api", "web"] as const)(
    "%s: @flagon/database registered, a first migration, a seed, a /notes route",
    (template) => {
      const app = files(template);
      const pkg = JSON.parse(app.get("package.json") ?? "") as {
        dependencies: Record<string, string>;
        scripts: Record<string, string>;
      };
      expect(pkg.dependencies).toEqual({
        "@flagon/core": ">=0.1.0 <1",
        "@flagon/cli": ">=0.1.0 <1",
        "@flagon/database": ">=0.1.0 <1",
        kysely: KYSELY_RANGE,
      });
      expect(pkg.scripts).toMatchObject({ "db:migrate": "flagon db migrate", "db:seed": "flagon db seed" });
      expect(app.get("src/app.ts")).toContain('import database from "@flagon/database";');
      expect(app.get("src/app.ts")).toContain("app.register(database);");
      expect(app.get("src/app.ts")).toContain("NotesController");
      expect(app.get("src/notes.controller.ts")).toContain('@Get("/notes")');
      expect(app.get("src/notes.controller.ts")).toContain('import { Database } from "@flagon/database";');
      const migration = app.get("migrations/20260102030405_create_notes.ts") ?? "";
      expect(migration).toContain('createTable("notes")');
      expect(migration).toContain('dropTable("notes")');
      expect(app.get("seeds/01_notes.ts")).toContain("export async function seed(");
      expect(app.get(".gitignore")).toContain("data/");
      // A development machine: flagon db migrate runs there without --yes; tests keep NODE_ENV=test.
      expect(app.get(".env")).toContain("NODE_ENV=development");
    },
  );

  it("web: a notes page", () => {
    expect(files("web").get("templates/notes.html")).toContain("{% for note in notes %}");
  });

  it("kysely is the range @flagon/database depends on", async () => {
    const plugin = JSON.parse(
      await readFile(new URL("../../../plugins/database/package.json", import.meta.url), "utf8"),
    ) as { dependencies: Record<string, string> };
    expect(KYSELY_RANGE).toBe(plugin.dependencies["kysely"]);
  });

  it("migrationStampOf: YYYYMMDDHHMMSS in UTC", () => {
    expect(migrationStampOf(new Date("2026-01-02T03:04:05.678Z"))).toBe("20260102030405");
  });
});

describe("packageNameFor", () => {
  it.each([
    ["my-app", "my-app"],
    ["My App!", "my-app"],
    ["_private", "private"],
    ["...", "flagon-app"],
    ["node_modules", "flagon-app"],
    ["café", "caf"],
  ])("%j → %j", (folder, name) => {
    expect(packageNameFor(folder)).toBe(name);
  });
});
