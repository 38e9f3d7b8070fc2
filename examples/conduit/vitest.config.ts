import { defineProject } from "vitest/config";
import { sourceAliases } from "../../vitest.shared.js";

export default defineProject({
  resolve: { alias: sourceAliases },
  // Each test registers users, and argon2id hashing is slow on purpose: allow it the time.
  test: { name: "example-conduit", include: ["test/**/*.test.ts"], testTimeout: 30_000, hookTimeout: 30_000 },
});
