// Each built-in command's --help lists every option its parser accepts (issue 11 item 6:
// `flagon plugin new --help` left out --from-registry and --from-checkout).
import { describe, expect, it } from "vitest";
import { devHelp, devOptions } from "./dev.js";
import { newHelp, newOptions } from "./new-app.js";
import { pluginNewHelp, pluginNewOptions } from "./plugin-new.js";
import { routesHelp, routesOptions } from "./routes.js";
import { startHelp, startOptions } from "./start.js";

type Specs = Readonly<Record<string, { readonly type: string; readonly short?: string }>>;

const commands: ReadonlyArray<readonly [string, string, Specs]> = [
  ["dev", devHelp, devOptions],
  ["start", startHelp, startOptions],
  ["routes", routesHelp, routesOptions],
  ["new", newHelp, newOptions],
  ["plugin new", pluginNewHelp, pluginNewOptions],
];

/** The option lines of a help text: what follows its "Options:" heading. */
function optionLines(help: string): string[] {
  const at = help.indexOf("\nOptions:\n");
  expect(at, "the help has an Options section").toBeGreaterThan(-1);
  return help.slice(at + "\nOptions:\n".length).split("\n");
}

describe.each(commands)("flagon %s --help", (_, help, specs) => {
  it.each(Object.entries(specs))("lists --%s (and its short form)", (name, spec) => {
    const line = optionLines(help).find((l) => new RegExp(`^ {2}(-\\w, )?--${name}\\b`).test(l));
    expect(line, `no line for --${name} in:\n${help}`).toBeDefined();
    if (spec.short !== undefined) expect(line).toMatch(new RegExp(`^ {2}-${spec.short}, --${name}\\b`));
  });
});
