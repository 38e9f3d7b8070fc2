import { defineProject } from "vitest/config";
import { sourceAliases } from "../vitest.shared.js";

export default defineProject({
  resolve: { alias: sourceAliases },
  test: { name: "integration", include: ["**/*.test.ts"], exclude: ["node_modules/**"] },
});
