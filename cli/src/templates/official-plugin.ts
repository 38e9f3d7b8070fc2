// The files of an official plugin, `@flagon/<name>` under the repository's plugins/ folder,
// written by `flagon plugin new <name> --official` (the layout plugins/README.md describes).
import { json, type TemplateFile } from "./common.js";

export interface OfficialPluginVars {
  /** The folder and config key: lowercase letters, digits and hyphens (`rate-limit`). */
  readonly name: string;
  /** The core's version: official plugins are released with it. */
  readonly coreVersion: string;
  /** The core range the plugin declares as its peer. */
  readonly coreRange: string;
  /** The zod range the repository uses. */
  readonly zodRange: string;
}

/** A camelCase identifier for a hyphenated name (`rate-limit` → `rateLimit`). */
export function camelCase(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Every file of the package, in the order they are written. */
export function officialPluginFiles(vars: OfficialPluginVars): TemplateFile[] {
  return [
    { path: "package.json", contents: packageJson(vars) },
    { path: "tsconfig.json", contents: solution },
    { path: "tsconfig.lib.json", contents: tsconfigLib },
    { path: "tsconfig.spec.json", contents: tsconfigSpec },
    { path: "vitest.config.ts", contents: vitestConfig(vars) },
    { path: "src/index.ts", contents: indexTs(vars) },
    { path: "src/index.test.ts", contents: indexTest(vars) },
    { path: "README.md", contents: readme(vars) },
  ];
}

function packageJson(v: OfficialPluginVars): string {
  return json({
    name: `@flagon/${v.name}`,
    version: v.coreVersion,
    description: `The official ${v.name} plugin for Flagon`,
    keywords: ["flagon-plugin", "flagon"],
    license: "MIT",
    type: "module",
    engines: { node: ">=20.19" },
    exports: {
      ".": { types: "./dist/index.d.ts", default: "./dist/index.js" },
      "./package.json": "./package.json",
    },
    files: ["dist"],
    scripts: { build: "tsc -b", test: "vitest run" },
    peerDependencies: { "@flagon/core": v.coreRange },
    dependencies: { zod: v.zodRange },
    devDependencies: { "@flagon/core": "*" },
  });
}

const solution = json({
  files: [],
  references: [{ path: "./tsconfig.lib.json" }, { path: "./tsconfig.spec.json" }],
});

/**
 * JSON as prettier writes a tsconfig: arrays of strings on one line (package.json keeps
 * JSON.stringify's shape, which is what prettier gives it).
 */
const tsconfigJson = (value: unknown): string =>
  json(value).replace(
    /\[\n\s*("[^"\n]*"(?:,\n\s*"[^"\n]*")*)\n\s*\]/g,
    (_, items: string) => `[${items.replace(/,\n\s*/g, ", ")}]`,
  );

const tsconfigLib = tsconfigJson({
  extends: "../../tsconfig.base.json",
  compilerOptions: { rootDir: "src", outDir: "dist", tsBuildInfoFile: "dist/.tsbuildinfo" },
  include: ["src/**/*.ts"],
  exclude: ["src/**/*.test.ts"],
  references: [{ path: "../../core/tsconfig.lib.json" }],
});

// The tests are in a tsconfig with the decorator flags, so vitest keeps their metadata.
const tsconfigSpec = tsconfigJson({
  extends: "../../tsconfig.base.json",
  compilerOptions: {
    rootDir: ".",
    outDir: "node_modules/.cache/tsc-spec",
    emitDeclarationOnly: true,
    tsBuildInfoFile: "node_modules/.cache/tsc-spec/.tsbuildinfo",
  },
  include: ["src/**/*.test.ts", "test/**/*.ts"],
  references: [{ path: "./tsconfig.lib.json" }, { path: "../../core/tsconfig.lib.json" }],
});

function vitestConfig(v: OfficialPluginVars): string {
  return `import { defineProject } from "vitest/config";
import { sourceAliases } from "../../vitest.shared.js";

export default defineProject({
  resolve: { alias: sourceAliases },
  test: { name: "plugin-${v.name}", include: ["src/**/*.test.ts", "test/**/*.test.ts"] },
});
`;
}

function indexTs(v: OfficialPluginVars): string {
  const id = camelCase(v.name);
  const type = `${id.charAt(0).toUpperCase()}${id.slice(1)}Options`;
  return `/**
 * @flagon/${v.name}: written only against the public plugin API of \`@flagon/core\`.
 *
 * @example
 * import ${id} from "@flagon/${v.name}";
 * app.register(${id}, { enabled: true });
 */
import { createRequire } from "node:module";
import { definePlugin } from "@flagon/core";
import { z } from "zod";

const { version } = createRequire(import.meta.url)("../package.json") as { version: string };

/** The options, checked and defaulted at start-up (the \`${v.name}\` config section merged under \`register\`'s). */
export const configSchema = z
  .object({
    /** Whether the plugin does anything. Default: true. */
    enabled: z.boolean().default(true),
  })
  .strict();

export type ${type} = z.output<typeof configSchema>;

declare module "@flagon/core" {
  interface CoreConfig {
    "${v.name}"?: z.input<typeof configSchema>;
  }
}

export default definePlugin<${type}>({
  name: "@flagon/${v.name}",
  version,
  core: "${v.coreRange}",
  configKey: "${v.name}",
  configSchema,
  register(app, options) {
    if (!options.enabled) return;
    app.addHook("onSend", (_ctx, response) => {
      response.headers.set("x-flagon-${v.name}", "on");
    });
  },
});
`;
}

function indexTest(v: OfficialPluginVars): string {
  const id = camelCase(v.name);
  return `import "reflect-metadata";
import { Flagon } from "@flagon/core";
import { inject } from "@flagon/core/testing";
import { describe, expect, it } from "vitest";
import ${id} from "./index.js";

function createApp(config: Record<string, unknown> = {}): Flagon {
  const app = new Flagon({ logger: false, configFile: false, config });
  app.get("/", () => "ok");
  return app;
}

describe("@flagon/${v.name}", () => {
  it("answers through the plugin once registered", async () => {
    const res = await inject(createApp().register(${id}), "/");
    expect(res.statusCode).toBe(200);
    expect(res.headers["x-flagon-${v.name}"]).toBe("on");
  });

  it("reads its config section, under the options given to register", async () => {
    const res = await inject(createApp({ "${v.name}": { enabled: false } }).register(${id}), "/");
    expect(res.headers["x-flagon-${v.name}"]).toBeUndefined();
  });

  it("stops start-up on a bad option, naming the key", async () => {
    const app = createApp({ "${v.name}": { enabled: "yes" } }).register(${id});
    await expect(app.ready()).rejects.toMatchObject({
      code: "FLAGON_ERR_INVALID_CONFIG",
      message: expect.stringContaining("${v.name}.enabled"),
    });
  });
});
`;
}

function readme(v: OfficialPluginVars): string {
  const id = camelCase(v.name);
  const fence = "```";
  return `# @flagon/${v.name}

The official ${v.name} plugin for Flagon. This is the skeleton \`flagon plugin new ${v.name} --official\`
wrote: replace this text with what the plugin does, its options and an example.

## Use

${fence}ts
import { Flagon } from "@flagon/core";
import ${id} from "@flagon/${v.name}";

const app = new Flagon();
app.register(${id}, { enabled: true });
${fence}

Or by name in the app's config, with its options in the \`${v.name}\` section:
\`{ "plugins": ["@flagon/${v.name}"], "${v.name}": { "enabled": true } }\`.

## Options

| option    | type    | default | what it does               |
| --------- | ------- | ------- | -------------------------- |
| \`enabled\` | boolean | \`true\`  | whether the plugin is active |

A bad value stops the app at start-up with \`FLAGON_ERR_INVALID_CONFIG\`, naming the option.

## Developing

From the repository root: \`npm run build\`, \`npx vitest run --project plugin-${v.name}\`; tests live
beside the code in \`src/\`. See plugins/README.md for the rules every official plugin follows.
`;
}
