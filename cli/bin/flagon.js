#!/usr/bin/env node
// The `flagon` command as npm links it. This file is committed (the CLI itself is compiled to
// dist/), so the link exists from `npm ci` on, before any build: in a fresh clone of the repo
// `npx flagon` then finds it instead of asking the registry. It only loads the built CLI.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const main = new URL("../dist/main.js", import.meta.url);
if (existsSync(main)) {
  await import(main.href);
} else {
  process.stderr.write(
    `flagon: @flagon/cli is not built: ${fileURLToPath(main)} is missing.\n` +
      "In a clone of the Flagon repository, run `npm run build` at its root first.\n",
  );
  process.exitCode = 1;
}
