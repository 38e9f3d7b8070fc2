import path from "node:path";
import { parseArgs } from "node:util";
import { type CliIO, columns, print, UsageError } from "./io.js";
import { normalizePluginName, PluginNameError } from "./plugin-name.js";
import {
  coreCheckout,
  coreSourceHelp,
  coreSourceNote,
  coreSourceOptions,
  pointAtCheckout,
} from "./core-source.js";
import { checkTarget, displayPath, shellQuote, writeScaffold } from "./scaffold.js";
import { coreRangeFor, pluginFiles } from "./templates/plugin.js";
import { newOfficialPlugin } from "./official-plugin.js";

/** Every option `flagon plugin new` accepts; the help lists each one. */
export const pluginNewOptions = {
  dir: { type: "string", short: "d" },
  force: { type: "boolean", short: "f" },
  ...coreSourceOptions,
  official: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

export const pluginNewHelp = `Usage: flagon plugin new <name> [--dir <path>] [--force] [--from-checkout | --from-registry]
       flagon plugin new <name> --official

Scaffolds a community plugin package that builds and passes its own tests.

<name> is x, flagon-plugin-x, @scope/x or @scope/flagon-plugin-x; the package is
named flagon-plugin-x (or @scope/flagon-plugin-x), as Flagon's plugin convention asks.
Its dev install of @flagon/core comes from this checkout's core/ when the command runs from a
clone of the Flagon repository, else from the npm registry; the peer range is the same either way.

Options:
${columns([
  ["-d, --dir <path>", "Folder to create (default: ./flagon-plugin-x)"],
  ["-f, --force", "Write into a folder that is not empty (files of the same name are replaced)"],
  ...coreSourceHelp,
  ["--official", "In the Flagon repository: create plugins/<name> as @flagon/<name>, the"],
  ["", "official plugin skeleton, and reference it from the root tsconfig.json"],
  ["-h, --help", "Show this help"],
])}`;

/** `flagon plugin new`: writes the package from the templates, reporting each file. */
export async function pluginNew(args: readonly string[], io: CliIO, coreVersion: string): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: pluginNewOptions,
    allowPositionals: true,
  });
  if (values.help) {
    print(io.stdout, pluginNewHelp);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0
        ? "plugin new needs a name: flagon plugin new <name>"
        : "plugin new takes one name",
    );
  }
  if (values.official) {
    if (values.dir !== undefined) throw new UsageError("--official writes plugins/<name>: it takes no --dir");
    return newOfficialPlugin(positionals[0] ?? "", io, coreVersion, values.force === true);
  }
  let name;
  try {
    name = normalizePluginName(positionals[0] ?? "");
  } catch (error) {
    if (error instanceof PluginNameError) throw new UsageError(`invalid plugin name: ${error.message}`);
    throw error;
  }

  const dir = path.resolve(io.cwd, values.dir ?? name.unscopedName);
  const shown = displayPath(io.cwd, dir);
  await checkTarget(dir, shown, values.force === true);

  print(io.stdout, `creating ${name.packageName} in ${shown}`);
  const files = pluginFiles({ ...name, coreRange: coreRangeFor(coreVersion) });
  const core = coreCheckout(values); // the peer range stays: only the dev install uses the checkout
  await writeScaffold(
    dir,
    core === undefined ? files : pointAtCheckout(files, core, ["devDependencies"]),
    io,
  );
  print(io.stdout, coreSourceNote(core));
  const cd = shown === "." ? "" : `cd ${shellQuote(shown)} && `;
  print(io.stdout, `done — next: ${cd}npm install && npm test`);
  return 0;
}
