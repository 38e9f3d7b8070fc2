// What every package `flagon new` and `flagon plugin new` write has in common: the TypeScript
// and vitest set-up (decorated classes, constructor injection by type), and the file shape.

export interface TemplateFile {
  /** Relative to the package folder, with `/` separators. */
  readonly path: string;
  readonly contents: string;
}

/** A JSON file as written: two-space indent and a final newline. */
export const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** tsconfig.json: type-checks sources and tests (and the `extra` folders), emits nothing. */
export const tsconfigIncluding = (extra: readonly string[] = []): string =>
  json({
    compilerOptions: {
      target: "ES2022",
      lib: ["ES2023"],
      module: "NodeNext",
      moduleResolution: "NodeNext",
      types: ["node"],
      strict: true,
      noUncheckedIndexedAccess: true,
      // Controllers and services are decorated; constructor injection reads the parameter types
      // that emitDecoratorMetadata records.
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      isolatedModules: true,
      skipLibCheck: true,
      forceConsistentCasingInFileNames: true,
      noEmit: true,
    },
    include: ["src", "test", ...extra],
  });

export const tsconfig = tsconfigIncluding();

/** tsconfig.build.json: `src` to `dist`, plus `extra` compiler options (declarations for a library). */
export function tsconfigBuild(extra: Record<string, unknown> = {}): string {
  return json({
    extends: "./tsconfig.json",
    compilerOptions: { noEmit: false, rootDir: "src", outDir: "dist", ...extra, sourceMap: true },
    include: ["src"],
  });
}

// vitest 4 transpiles with oxc, which emits decorator metadata when tsconfig.json asks for it.
export const vitestConfig = `import { defineConfig } from "vitest/config";

export default defineConfig({ test: { include: ["test/**/*.test.ts"] } });
`;
