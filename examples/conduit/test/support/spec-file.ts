// Where the RealWorld spec is: the file CONDUIT_SPEC names, else `shared/conduit/openapi.yml` in
// the nearest folder above this one that has it (the repository sits beside `shared/`).
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const SPEC_MISSING =
  "the RealWorld spec was not found: no shared/conduit/openapi.yml above examples/conduit; set CONDUIT_SPEC to its path";

/** The spec's path, or undefined when there is none. */
export function findSpec(): string | undefined {
  const named = process.env["CONDUIT_SPEC"];
  if (named !== undefined) return named;
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "shared", "conduit", "openapi.yml");
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}
