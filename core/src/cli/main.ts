#!/usr/bin/env node
// The `flagon` executable (bin of @flagon/core). All the work is in run.ts, which tests call directly.
import { run } from "./run.js";

process.exitCode = await run(process.argv.slice(2), {
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
});
