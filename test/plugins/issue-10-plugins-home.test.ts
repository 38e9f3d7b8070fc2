// The plugins' home (issue 10, bug 9): every plugins/<name> workspace is wired into the root
// commands, and plugins may import only the public API. `tsc -b` needs explicit references, so
// a plugin folder whose tsconfig the root tsconfig.json does not reference fails here.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const pluginsDir = path.join(root, "plugins");

function pluginFolders(): string[] {
  if (!existsSync(pluginsDir)) return [];
  return readdirSync(pluginsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(pluginsDir, entry.name, "package.json")))
    .map((entry) => entry.name);
}

describe("plugins/ workspaces", () => {
  it("are all referenced by the root tsconfig.json, so tsc -b builds them", () => {
    const rootTsconfig = JSON.parse(readFileSync(path.join(root, "tsconfig.json"), "utf8")) as {
      references: { path: string }[];
    };
    const referenced = new Set(rootTsconfig.references.map((r) => path.posix.normalize(r.path)));
    const missing = pluginFolders().filter((name) => !referenced.has(`plugins/${name}`));
    expect(missing, 'add { "path": "./plugins/<name>" } to the root tsconfig.json').toEqual([]);
  });

  it("each have a vitest config, picked up by the root plugins/* project glob", () => {
    const missing = pluginFolders().filter(
      (name) => !existsSync(path.join(pluginsDir, name, "vitest.config.ts")),
    );
    expect(missing).toEqual([]);
  });
});

describe("eslint for plugins", () => {
  const eslint = new ESLint({ cwd: root });

  it("forbids core internals in plugin code", async () => {
    const config = (await eslint.calculateConfigForFile("plugins/probe/src/index.ts")) as {
      rules: Record<string, unknown>;
    };
    expect(config.rules["no-restricted-imports"]).toBeDefined();
    const [result] = await eslint.lintText(
      'import { x } from "@flagon/core/src/app/flagon.js";\nimport { y } from "../../core/src/index.js";\nexport const z = [x, y];\n',
      { filePath: path.join(root, "plugins/probe/src/probe.js") },
    );
    const hits = result?.messages.filter((m) => m.ruleId === "no-restricted-imports") ?? [];
    expect(hits).toHaveLength(2);
  });

  it("treats tests beside the code (src/*.test.ts) and in test/ as tests", async () => {
    for (const file of ["plugins/probe/src/index.test.ts", "plugins/probe/test/flow.test.ts"]) {
      const config = (await eslint.calculateConfigForFile(file)) as { rules: Record<string, unknown> };
      expect(config.rules["@typescript-eslint/unbound-method"], file).toEqual([0]);
    }
  });
});
