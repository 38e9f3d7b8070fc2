#!/usr/bin/env node
// The `flagon` command line, loaded by bin/flagon.js (the bin of @flagon/cli). All the work is
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
// After a failure (such as an app module that listened at top level) there is nothing to drain.
setTimeout(() => process.exit(), process.exitCode === 0 ? 3_000 : 50).unref();
