// The names each entry point of @flagon/core exports, pinned: adding, moving or dropping one is a
// choice made in this file, next to docs/plugins.md ("Entry points"), which says what each is for.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, test } from "vitest";

interface Pinned {
  /** Names with a value at run time (classes, functions, constants), sorted. */
  readonly values: readonly string[];
  /** Names that exist only for the type checker (interfaces, type aliases), sorted. */
  readonly types: readonly string[];
}

/** "@flagon/core": what an app author writes. */
const ROOT: Pinned = {
  values: [
    "BadRequestError",
    "Body",
    "ConflictError",
    "Context",
    "Controller",
    "Cookie",
    "Ctx",
    "DEFAULT_SECURITY_HEADERS",
    "Delete",
    "ErrorCodes",
    "FileResponse",
    "Flagon",
    "FlagonError",
    "FlagonRequest",
    "FlagonResponse",
    "ForbiddenError",
    "Get",
    "GoneError",
    "Header",
    "HttpError",
    "Injectable",
    "InternalServerError",
    "MethodNotAllowedError",
    "NO_MATCH",
    "NotAcceptableError",
    "NotFoundError",
    "NotImplementedError",
    "Param",
    "Patch",
    "PayloadTooLargeError",
    "Post",
    "Put",
    "Query",
    "QueryArgs",
    "Render",
    "RequestTimeoutError",
    "ResponseControls",
    "ResponseHeaders",
    "Route",
    "ServiceUnavailableError",
    "Session",
    "TemplateError",
    "TemplateResponse",
    "Templates",
    "TooManyRequestsError",
    "UnauthorizedError",
    "UnprocessableEntityError",
    "UnsupportedMediaTypeError",
    "UriTooLongError",
    "UseHooks",
    "abort",
    "checkPreconditions",
    "createParamDecorator",
    "createRouteDecorator",
    "defineConfig",
    "definePlugin",
    "delay",
    "html",
    "inject",
    "injectable",
    "isFresh",
    "json",
    "markSafe",
    "problem",
    "redirect",
    "render",
    "safeJoin",
    "sendFile",
    "sse",
    "stream",
    "text",
  ],
  types: [
    "AppState",
    "BodyOptions",
    "BodyType",
    "Converter",
    "ConverterArgs",
    "ConverterFactory",
    "CookieOptions",
    "CoreConfig",
    "DependencyContainer",
    "Env",
    "ErrorCode",
    "ErrorHandler",
    "ErrorKey",
    "FlagonApp",
    "FlagonConfig",
    "FlagonLoggerOptions",
    "FlagonOptions",
    "FlagonPlugin",
    "FlashOptions",
    "FreshnessValidators",
    "HeadersInit",
    "HttpErrorOptions",
    "InjectableOptions",
    "InjectionToken",
    "JsonSchema",
    "ListenOptions",
    "MediaType",
    "ParamDecorator",
    "Provider",
    "ResolvedConfig",
    "ResponseBody",
    "ResponseInit",
    "ResponseSchema",
    "ResponseSchemas",
    "RouteDecorator",
    "RouteDecoratorOptions",
    "RouteHandler",
    "RouteInfo",
    "RouteListing",
    "RouteOptions",
    "Scope",
    "ScopedHooks",
    "SecurityHeadersConfig",
    "SendFileOptions",
    "ServerAddress",
    "ServerConfig",
    "SessionConfig",
    "SessionStoreConfig",
    "SseEvent",
    "SseOptions",
    "SseSource",
    "StaticConfig",
    "StaticFolderOptions",
    "TemplateFilter",
    "TemplateFilterOptions",
    "TemplatesConfig",
    "TrustProxy",
    "UrlForOptions",
  ],
};

/** "@flagon/core/plugin": what a plugin author needs beyond the root. */
const PLUGIN: Pinned = {
  values: [
    "BUILT_IN_COMMANDS",
    "CONFIG_SEARCH_PLACES",
    "createParamDecorator",
    "createRouteDecorator",
    "defineCommand",
    "definePlugin",
    "importModule",
    "loadConfig",
    "parseMediaType",
  ],
  types: [
    "Answer",
    "AppSigner",
    "BodyParser",
    "BodyParserInput",
    "BodyParserOptions",
    "Command",
    "CommandArgument",
    "CommandInput",
    "CommandOption",
    "CommandOptionType",
    "CommandOptions",
    "CommandValues",
    "CreateParamDecoratorOptions",
    "CreateRouteDecoratorOptions",
    "FlagonApp",
    "FlagonPlugin",
    "HookName",
    "HookOptions",
    "HookSignatures",
    "ImportModuleOptions",
    "Interceptor",
    "LoadConfigOptions",
    "LoadedConfig",
    "ParamDecorator",
    "ParamInfo",
    "ParamResolver",
    "PluginDefinition",
    "PluginEntry",
    "RawRequest",
    "RouteDecorator",
    "TemplateContextProcessor",
    "TemplateExtension",
    "UnsignOptions",
    "UnsignResult",
    "WireHeaders",
    "WireResponse",
  ],
};

/** "@flagon/core/testing": requests without a socket, the cookie-keeping client (commands: @flagon/cli/testing). */
const TESTING: Pinned = {
  values: ["TestClient", "inject", "testClient"],
  types: ["InjectOptions", "InjectResponse", "SetCookieEntry"],
};

/**
 * On both the root and the plugin entry: the three factories and the types they return (FlagonApp
 * is the app type a plugin's `register` gets, named in definePlugin's result). Without
 * those types on the root, a package importing `definePlugin` from it cannot emit declarations
 * (TS2742, seen in the `flagon plugin new` scaffold's build).
 */
const SHARED = [
  "FlagonApp",
  "FlagonPlugin",
  "ParamDecorator",
  "RouteDecorator",
  "createParamDecorator",
  "createRouteDecorator",
  "definePlugin",
];

const entries = [
  {
    specifier: "@flagon/core",
    source: "index.ts",
    dist: "./dist/index.js",
    pinned: ROOT,
    load: () => import("./index.js"),
  },
  {
    specifier: "@flagon/core/plugin",
    source: "plugin.ts",
    dist: "./dist/plugin.js",
    pinned: PLUGIN,
    load: () => import("./plugin.js"),
  },
  {
    specifier: "@flagon/core/testing",
    source: "testing/index.ts",
    dist: "./dist/testing/index.js",
    pinned: TESTING,
    load: () => import("./testing/index.js"),
  },
];

const sourceOf = (file: string): string => fileURLToPath(new URL(file, import.meta.url));

/**
 * Every name an entry's source exports, types included. Entries re-export by name (the public
 * API on one screen), so reading their own statements is enough; an `export *` fails here.
 */
async function exportedNames(source: string): Promise<string[]> {
  const file = ts.createSourceFile(source, await readFile(sourceOf(source), "utf8"), ts.ScriptTarget.Latest);
  const names: string[] = [];
  for (const statement of file.statements) {
    if (ts.isExportDeclaration(statement)) {
      const clause = statement.exportClause;
      if (clause === undefined || !ts.isNamedExports(clause))
        throw new Error(`${source}: export * is not allowed`);
      names.push(...clause.elements.map((element) => element.name.text));
    } else if (
      ts.canHaveModifiers(statement) &&
      ts.getModifiers(statement)?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword)
    ) {
      const declared = (statement as ts.DeclarationStatement).name;
      if (declared === undefined || !ts.isIdentifier(declared)) throw new Error(`${source}: unnamed export`);
      names.push(declared.text);
    }
  }
  return names;
}

const sorted = (names: Iterable<string>): string[] => [...names].sort();

describe.each(entries)("$specifier", ({ source, pinned, load }) => {
  test("exports exactly the pinned values", async () => {
    expect(sorted(Object.keys(await load()))).toEqual(pinned.values);
  });

  test("exports exactly the pinned types", async () => {
    const all = await exportedNames(source);
    expect(sorted(all.filter((name) => !pinned.values.includes(name)))).toEqual(pinned.types);
  });
});

test("the root and the plugin entry share only the three factories and their result types", () => {
  const root = new Set([...ROOT.values, ...ROOT.types]);
  expect([...PLUGIN.values, ...PLUGIN.types].filter((name) => root.has(name)).sort()).toEqual(SHARED);
});

test("package.json maps each entry to the build of the file pinned here", async () => {
  const manifest = JSON.parse(await readFile(sourceOf("../package.json"), "utf8")) as {
    exports: Record<string, { types?: string; default?: string } | string>;
  };
  for (const { specifier, dist } of entries) {
    const key = specifier === "@flagon/core" ? "." : `.${specifier.slice("@flagon/core".length)}`;
    // The types are tsc's output for the pinned file; the code is its bundle (core/scripts/bundle.mjs).
    expect(manifest.exports[key]).toEqual({
      types: dist.replace(/\.js$/, ".d.ts"),
      default: expect.stringMatching(/^\.\/dist\/bundle\/[\w-]+\.js$/),
    });
  }
});
