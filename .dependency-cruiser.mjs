// dependency-cruiser: the import graph of the core (`npm run cycles`, part of `npm run lint`).
// Type-only imports count (tsPreCompilationDeps): a circle that only the type checker walks
// still ties its files together, so a change to any of them is a change to all of them.
// test/build/import-cycles.test.ts shows the rule failing on a type-only circle.
/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment:
        "Modules must not import each other in a circle, not even through type imports. Put the " +
        "shared types in a small module that both sides import (see core/src/app/app-type.ts).",
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(node_modules|dist|coverage)/" },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".js", ".mjs", ".cjs", ".d.ts"],
    },
  },
};
