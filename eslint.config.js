// @ts-check
// One ESLint config for every workspace. Type-aware rules run on all TypeScript that a
// workspace tsconfig includes; the project service finds the nearest tsconfig for each file, so
// a new workspace (plugins/*, examples/*) is covered as soon as its tsconfig includes its files.
import js from "@eslint/js";
import { defineConfig, globalIgnores } from "eslint/config";
import prettier from "eslint-config-prettier";
import tseslint from "typescript-eslint";

const tsFiles = ["**/*.ts", "**/*.mts", "**/*.cts"];

// Files that no workspace tsconfig includes, so they get syntax-level rules only: the tool
// configs at the root and in each workspace. Listing them under projectService.allowDefaultProject
// instead breaks as soon as a workspace tsconfig starts including one of them (typescript-eslint
// refuses a file that is in both), and that option caps how many files it accepts.
const toolConfigFiles = [
  "eslint.config.js",
  "vitest.shared.ts",
  "**/vitest.config.ts",
  "**/vite.config.ts",
  "**/*.config.{js,mjs,cjs}",
];

const testFiles = [
  "**/*.test.ts",
  "**/*.spec.ts",
  "test/**/*.ts",
  "core/test/**/*.ts",
  "examples/*/test/**/*.ts",
  // Official plugins: unit tests beside the code (plugins/<name>/src/**/*.test.ts, matched by
  // the first glob), integration tests optionally in plugins/<name>/test/.
  "plugins/*/test/**/*.ts",
];

export default defineConfig(
  globalIgnores([
    "**/dist/",
    "**/node_modules/",
    "**/coverage/",
    ".ci/cache/",
    "test/bench/results/",
    "docs/api/",
    "**/*.d.ts",
  ]),

  {
    linterOptions: { reportUnusedDisableDirectives: "error" },
  },

  js.configs.recommended,

  {
    files: tsFiles,
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // Decorator metadata is load-bearing: tsyringe resolves a constructor parameter from the
      // class that emitDecoratorMetadata records, and TypeScript records it only when the class
      // is a value import. `import type { Repo }` compiles to `Object` and DI fails at run time.
      // consistent-type-imports (and its autofix) would turn exactly those imports into type
      // imports, because they are "only used as types" in the source. Keep it off.
      "@typescript-eslint/consistent-type-imports": "off",

      "@typescript-eslint/no-unused-vars": [
        "error",
        {
          args: "after-used",
          argsIgnorePattern: "^_",
          varsIgnorePattern: "^_",
          caughtErrorsIgnorePattern: "^_",
          destructuredArrayIgnorePattern: "^_",
          ignoreRestSiblings: true,
        },
      ],
      // Promises handed to Node callbacks (server.on("request", async …)) lose their rejections.
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/switch-exhaustiveness-check": [
        "error",
        { considerDefaultExhaustiveForUnions: true },
      ],
      eqeqeq: ["error", "always", { null: "ignore" }],
      // An HTTP framework matches control characters on purpose: header, cookie and path
      // validation reject CR, LF, NUL and friends with exactly such character classes.
      "no-control-regex": "off",
    },
  },

  {
    files: testFiles,
    rules: {
      // Tests poke at untyped JSON bodies, mocks and deliberately wrong inputs.
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      "@typescript-eslint/no-explicit-any": "off",
      // expect(obj.method).toHaveBeenCalled() and handlers declared async to test the async path.
      "@typescript-eslint/unbound-method": "off",
      "@typescript-eslint/require-await": "off",
      // no-floating-promises and no-misused-promises stay on: an un-awaited inject() is a test
      // that asserts nothing.
    },
  },

  // Official plugins get only what a community author gets: the public entry points.
  {
    files: ["plugins/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@flagon/core/src", "@flagon/core/src/*", "@flagon/core/dist", "@flagon/core/dist/*"],
              message:
                "Plugins use the public API only: @flagon/core, @flagon/core/plugin, @flagon/core/testing.",
            },
            {
              regex: "^(\\.\\./)+core(/|$)",
              message:
                "Plugins use the public API only: @flagon/core, @flagon/core/plugin, @flagon/core/testing.",
            },
          ],
        },
      ],
    },
  },

  // The CLI is a client of core like any app tool: its public entry points, never its files.
  {
    files: ["cli/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@flagon/core/src", "@flagon/core/src/*", "@flagon/core/dist", "@flagon/core/dist/*"],
              message: "The CLI uses core's public API only: @flagon/core, @flagon/core/plugin.",
            },
            {
              regex: "^(\\.\\./)+core(/|$)",
              message: "The CLI uses core's public API only: @flagon/core, @flagon/core/plugin.",
            },
          ],
        },
      ],
    },
  },

  {
    files: toolConfigFiles,
    extends: [tseslint.configs.disableTypeChecked],
  },

  {
    files: ["**/*.js", "**/*.mjs", "**/*.cjs"],
    languageOptions: {
      sourceType: "module",
      globals: { console: "readonly", process: "readonly", URL: "readonly" },
    },
  },

  // Last: turn off every rule that only argues with Prettier's formatting.
  prettier,
);
