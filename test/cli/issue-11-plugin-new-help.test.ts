// issue 11, item 6: `flagon plugin new --help` did not list --from-registry and --from-checkout,
// which the command accepts (and which `flagon new --help` lists). The help of the built command
// now names every option; cli/src/help-options.test.ts checks each command's help against
// its parser's options.
import { describe, expect, it } from "vitest";
import { cliMain, coreBuilt, exec, expectSuccess, notBuiltReason } from "./helpers.js";

if (!coreBuilt) console.warn(`skipped the plugin new --help test: ${notBuiltReason}`);

describe.skipIf(!coreBuilt)("flagon plugin new --help", () => {
  it("lists every option the command accepts", { timeout: 30_000 }, async () => {
    const help = await exec(process.execPath, [cliMain, "plugin", "new", "--help"], process.cwd(), 20_000);
    expectSuccess(help);
    const options = help.output.slice(help.output.indexOf("\nOptions:\n"));
    for (const option of [
      "-d, --dir",
      "-f, --force",
      "--from-checkout",
      "--from-registry",
      "--official",
      "-h, --help",
    ])
      expect(options).toMatch(new RegExp(`\\n {2}${option} `));
  });
});
