// The files of a new community plugin package, written by `flagon plugin new`.
import type { PluginName } from "../plugin-name.js";
import { json, type TemplateFile, tsconfig, tsconfigBuild, vitestConfig } from "./common.js";

export interface PluginTemplateVars extends PluginName {
  /** The @flagon/core range the plugin supports, e.g. `>=0.1.0 <1`. */
  readonly coreRange: string;
}

/** Every file of the package, in the order they are written. */
export function pluginFiles(vars: PluginTemplateVars): TemplateFile[] {
  return [
    { path: "package.json", contents: packageJson(vars) },
    { path: "tsconfig.json", contents: tsconfig },
    { path: "tsconfig.build.json", contents: tsconfigBuild({ declaration: true }) },
    { path: "vitest.config.ts", contents: vitestConfig },
    { path: "src/index.ts", contents: indexTs(vars) },
    { path: "test/plugin.test.ts", contents: pluginTest(vars) },
    { path: "README.md", contents: readme(vars) },
    { path: ".gitignore", contents: "node_modules/\ndist/\n" },
  ];
}

/** The @flagon/core range a new plugin accepts: `^x.y.z`, or every later 0.x while the core is 0.x. */
export function coreRangeFor(version: string): string {
  const major = Number.parseInt(version, 10);
  return major === 0 ? `>=${version} <1` : `^${version}`;
}

function packageJson(v: PluginTemplateVars): string {
  return json({
    name: v.packageName,
    version: "0.1.0",
    description: `A Flagon plugin that adds an x-${v.shortName} header to every response`,
    keywords: ["flagon-plugin"],
    type: "module",
    exports: {
      ".": { types: "./dist/index.d.ts", default: "./dist/index.js" },
      "./package.json": "./package.json",
    },
    files: ["dist"],
    scripts: {
      build: "tsc -p tsconfig.build.json",
      test: "vitest run",
      prepublishOnly: "npm run build && npm test",
    },
    peerDependencies: { "@flagon/core": v.coreRange },
    devDependencies: {
      "@flagon/core": v.coreRange,
      "@types/node": "^20.19.0",
      "reflect-metadata": "^0.2.2",
      typescript: "~5.9.3",
      vitest: "^4.1.0",
    },
    engines: { node: ">=20.19" },
  });
}

/** A JavaScript identifier for the plugin (`rateLimit`; `plugin2fa` for a name that starts with a digit). */
function identifier(v: PluginTemplateVars): string {
  return /^[a-z]/.test(v.configKey) ? v.configKey : `plugin${v.configKey}`;
}

/** The config key as an object literal key: quoted unless it is an identifier. */
function propertyKey(v: PluginTemplateVars): string {
  return /^[a-z][A-Za-z0-9]*$/.test(v.configKey) ? v.configKey : JSON.stringify(v.configKey);
}

function indexTs(v: PluginTemplateVars): string {
  const id = identifier(v);
  const type = `${id.charAt(0).toUpperCase()}${id.slice(1)}Options`;
  return `import { createRequire } from "node:module";
import { definePlugin, type Flagon } from "@flagon/core";

const { version } = createRequire(import.meta.url)("../package.json") as { version: string };

/** The options of ${v.packageName}, after defaults are applied. */
export interface ${type} {
  /** The response header to set. Default: "x-${v.shortName}". */
  header: string;
  /** The header's value. Default: "on". */
  value: string;
}

const defaults: ${type} = { header: "x-${v.shortName}", value: "on" };

type Issue = { message: string; path?: PropertyKey[] };

// A header name is an HTTP token (RFC 9110).
const TOKEN = /^[!#$%&'*+.^_\`|~0-9A-Za-z-]+$/;

/**
 * Checks the options and fills in defaults. It implements the Standard Schema interface
 * (https://standardschema.dev) by hand so the plugin needs no dependencies; a zod or valibot
 * schema works the same way.
 */
export const optionsSchema = {
  "~standard": {
    version: 1 as const,
    vendor: "${v.packageName}",
    validate(input: unknown): { value: ${type}; issues?: undefined } | { issues: Issue[] } {
      if (input === undefined || input === null) return { value: { ...defaults } };
      if (typeof input !== "object" || Array.isArray(input)) return { issues: [{ message: "expected an object" }] };
      const { header = defaults.header, value = defaults.value, ...others } = input as Record<string, unknown>;
      const issues: Issue[] = Object.keys(others).map((key) => ({ message: "unknown option", path: [key] }));
      if (typeof header !== "string" || !TOKEN.test(header)) {
        issues.push({ message: 'expected a header name, such as "x-${v.shortName}"', path: ["header"] });
      }
      if (typeof value !== "string" || /[\\r\\n\\0]/.test(value)) {
        issues.push({ message: "expected a string on one line", path: ["value"] });
      }
      if (issues.length === 0 && typeof header === "string" && typeof value === "string") {
        return { value: { header, value } };
      }
      return { issues };
    },
  },
};

/** Adds an \`x-${v.shortName}\` header (or the one configured) to every response. */
export default definePlugin({
  name: "${v.packageName}",
  version,
  core: "${v.coreRange}",
  configKey: "${v.configKey}",
  configSchema: optionsSchema,
  register(app: Flagon, options) {
    app.addHook("onSend", (_ctx, response) => {
      response.headers.set(options.header, options.value);
    });
    // Next: add providers (app.provide), routes, route decorators (createRouteDecorator) or commands (app.addCommand) here.
  },
});
`;
}

function pluginTest(v: PluginTemplateVars): string {
  const key = propertyKey(v);
  return `import "reflect-metadata";
import { Flagon } from "@flagon/core";
import { inject } from "@flagon/core/testing";
import { describe, expect, it } from "vitest";
import plugin from "../src/index.js";

function createApp(config: Record<string, unknown> = {}): Flagon {
  // configFile: false keeps the tests from reading a config file in this folder.
  const app = new Flagon({ logger: false, configFile: false, config });
  app.get("/", () => "ok");
  return app;
}

describe("${v.packageName}", () => {
  it("sets its header on every response, 404s included", async () => {
    const app = createApp().register(plugin);

    const res = await inject(app, "/");
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe("ok");
    expect(res.headers["x-${v.shortName}"]).toBe("on");

    const missing = await inject(app, "/nowhere");
    expect(missing.statusCode).toBe(404);
    expect(missing.headers["x-${v.shortName}"]).toBe("on");
  });

  it("takes options from register, over its config section", async () => {
    const app = createApp({ ${key}: { value: "from config" } }).register(plugin, { header: "x-custom" });

    const res = await app.inject("/");
    expect(res.headers["x-custom"]).toBe("from config");
    expect(res.headers["x-${v.shortName}"]).toBeUndefined();
  });

  it("stops start-up on a bad option, naming the key", async () => {
    const app = createApp({ ${key}: { value: 42 } }).register(plugin);

    await expect(app.ready()).rejects.toMatchObject({
      code: "FLAGON_ERR_INVALID_CONFIG",
      message: expect.stringContaining("config.${v.configKey}.value"),
    });
  });
});
`;
}

function readme(v: PluginTemplateVars): string {
  const fence = "```";
  const ident = identifier(v);
  return `# ${v.packageName}

A plugin for Flagon that adds an \`x-${v.shortName}\` header to
every response. It is a starting point: replace the header with what your plugin really does.

## Install

${fence}sh
npm install ${v.packageName}
${fence}

\`@flagon/core\` (${v.coreRange}) is a peer dependency: the app installs it, the plugin uses the app's copy.

## Use

In code:

${fence}ts
import "reflect-metadata";
import { Flagon } from "@flagon/core";
import ${ident} from "${v.packageName}";

const app = new Flagon();
app.register(${ident}, { value: "yes" });
app.get("/", () => "Hello");
await app.listen({ port: 3000 });
${fence}

Or by name, from the app's config file (\`flagon.config.json\` here; any format Flagon reads works),
with its options in the \`${v.configKey}\` section:

${fence}json
{
  "plugins": ["${v.packageName}"],
  "${v.configKey}": { "value": "yes" }
}
${fence}

Options given to \`app.register\` win over the config section; environment variables such as
\`FLAGON_${screamingCase(v.configKey)}__VALUE=yes\` override the file.

## Options

${markdownTable([
  ["option", "type", "default", "what it does"],
  ["`header`", "string", `\`"x-${v.shortName}"\``, "the name of the response header"],
  ["`value`", "string", '`"on"`', "the value of the response header"],
])}

A bad value stops the app at start-up with \`FLAGON_ERR_INVALID_CONFIG\` and a message naming
\`config.${v.configKey}.<option>\`.

## Testing

${fence}sh
npm install
npm test          # vitest, in-process requests through @flagon/core/testing
npm run build     # tsc -p tsconfig.build.json → dist/
${fence}

The tests build a \`Flagon\` app, register the plugin and send requests with \`inject\`: no server,
no port. Tests of decorated controllers need decorator metadata: vitest 4 emits it for every file
that \`tsconfig.json\` includes with \`experimentalDecorators\` and \`emitDecoratorMetadata\` (as
this one does, tests included), so no extra transform is needed; never run them under tsx or
plain esbuild, which drop it.

## Publishing

Flagon finds community plugins by convention:

- the package is named \`flagon-plugin-<name>\` or \`@scope/flagon-plugin-<name>\`;
- \`keywords\` in \`package.json\` includes \`"flagon-plugin"\`;
- \`@flagon/core\` is a **peer** dependency (and a dev dependency for the tests), never a plain
  dependency, so the app and its plugins share one copy; \`core\` in \`definePlugin\` repeats
  the supported range so a mismatch fails at start-up with a clear message.

Pick a license, then \`npm publish\` (\`prepublishOnly\` builds and tests first). Only \`dist/\` is
published.
`;
}

/** A Markdown table with aligned columns; the first row is the header. */
function markdownTable(rows: ReadonlyArray<readonly string[]>): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? "").length))) ?? [];
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  const [head = [], ...body] = rows;
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}

/** `rateLimit` → `RATE_LIMIT`, as in `FLAGON_RATE_LIMIT__VALUE`. */
function screamingCase(camel: string): string {
  return camel.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
}
