// "@flagon/cli/testing": a command of the app run in a test as `flagon` runs it, with no process.
import { Writable } from "node:stream";
import type { Flagon } from "@flagon/core";
import { reportError } from "./io.js";
import { runPluginCommand } from "./plugin-commands.js";

/** How a command run by `runCommand` ended: its exit code and what it printed. */
export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

class TextSink extends Writable {
  text = "";
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += String(chunk);
    done();
  }
}

/**
 * Runs one of the app's commands as `flagon <argv…>` does, in command mode: the app is built
 * (`app.build()`), the options are parsed, `--help` prints the generated help, and `onReady`
 * hooks run only for a command with `ready: true`. The command writes to `input.stdout` and
 * `input.stderr`, captured here. Bad usage ends with code 2, a thrown error with code 1 (its
 * message on stderr). A failing build rejects. Close the app afterwards, as the CLI does.
 *
 * @example
 * import { runCommand } from "@flagon/cli/testing";
 *
 * const app = createApp();
 * const { code, stdout } = await runCommand(app, ["db", "migrate", "--to", "3"]);
 * await app.close();
 */
export async function runCommand(app: Flagon, argv: readonly string[]): Promise<CommandResult> {
  await app.build();
  const stdout = new TextSink();
  const stderr = new TextSink();
  let code: number;
  try {
    code = await runPluginCommand(app, argv, { cwd: app.root, stdout, stderr });
  } catch (error) {
    code = reportError(error, stderr);
  }
  return { code, stdout: stdout.text, stderr: stderr.text };
}
