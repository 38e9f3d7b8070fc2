#!/usr/bin/env node
// The `flagon` command line, loaded by bin/flagon.js (the bin of @flagon/core). All the work is
// in run.ts, which tests call directly.
import { run } from "./run.js";

process.exitCode = await run(process.argv.slice(2), {
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
});
// The command is done (a server command has closed its app). Whatever still holds the event loop
// (a timer or socket the app never closed) must not keep the process alive: a deployment waiting
// for it to exit after SIGTERM would wait until it kills it. The timer itself holds nothing.
setTimeout(() => process.exit(), 3_000).unref();
