import ts from "typescript";
import { describe, expect, it } from "vitest";
import { type AppTemplate, appFiles, packageNameFor } from "./app.js";

function files(template: AppTemplate): Map<string, string> {
  const vars = { name: "my-app", template, coreRange: ">=0.1.0 <1", secretKey: "k".repeat(43) };
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
      "src/app.ts",
      "src/server.ts",
      "src/greeter.service.ts",
      "src/hello.controller.ts",
      "test/app.test.ts",
      "README.md",
    ]);
    expect(api.get("src/hello.controller.ts")).toContain('import { Greeter } from "./greeter.service.js";');
    expect(api.get("src/app.ts")).toContain("export function createApp(");
    expect(api.get("test/app.test.ts")).toContain('from "@flagon/core/testing"');
    expect(JSON.parse(api.get("package.json") ?? "")).toMatchObject({
      name: "my-app",
      type: "module",
      scripts: { dev: "flagon dev", start: "flagon start", test: "vitest run" },
      dependencies: { "@flagon/core": ">=0.1.0 <1" },
    });
    expect(JSON.parse(api.get("tsconfig.json") ?? "")).toMatchObject({
      compilerOptions: { experimentalDecorators: true, emitDecoratorMetadata: true },
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
