import { defineProject } from "vitest/config";
import { sourceAliases } from "../../vitest.shared.js";
import { findSpec, SPEC_MISSING } from "./test/support/spec-file.js";

// Without the spec, a clone on its own skips the contract suites with the reason printed; CI,
// which always has it beside the repository, fails instead of skipping.
const spec = findSpec();
if (spec === undefined) {
  if (process.env["CI"] === "true") throw new Error(SPEC_MISSING);
  console.warn(`example-conduit skipped: ${SPEC_MISSING}`);
}

export default defineProject({
  resolve: { alias: sourceAliases },
  // Each test registers users, and argon2id hashing is slow on purpose: allow it the time.
  test: {
    name: "example-conduit",
    include: spec === undefined ? ["test/no-spec.test.ts"] : ["test/**/*.test.ts"],
    exclude: spec === undefined ? [] : ["test/no-spec.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
