// `flagon new <dir>`: scaffolds an app whose tests pass right after `npm install`.
import { randomBytes } from "node:crypto";
import path from "node:path";
import { parseArgs } from "node:util";
import { type CliIO, columns, print, UsageError } from "./io.js";
import {
  coreCheckout,
  coreSourceHelp,
  coreSourceNote,
  coreSourceOptions,
  pointAtCheckout,
} from "./core-source.js";
import { checkTarget, displayPath, shellQuote, writeScaffold } from "./scaffold.js";
import {
  APP_TEMPLATES,
  type AppTemplate,
  appFiles,
  migrationStampOf,
  packageNameFor,
} from "./templates/app.js";
import { coreRangeFor } from "./templates/plugin.js";

export const newHelp = `Usage: flagon new <dir> [--template api|web] [--force]

Scaffolds a Flagon app in <dir>: package.json, tsconfig.json, src/app.ts exporting createApp(),
a controller with an injected service, tests through @flagon/core/testing, and a README. Both
templates keep notes in SQLite through @flagon/database: migrations/ (a first migration),
seeds/, and a /notes route that lists them.
Then: cd <dir> && npm install && npm test, npm run db:migrate && npm run db:seed, npm run dev.

Templates:
${columns([
  ["api", "A JSON API (the default)"],
  ["web", "Server-rendered pages: templates/, static/, a session and flash messages"],
])}

Options:
${columns([
  ["-t, --template <name>", "api or web"],
  ["-f, --force", "Write into a folder that is not empty (files of the same name are replaced)"],
  ...coreSourceHelp,
  ["-h, --help", "Show this help"],
])}`;

/** Every option `flagon new` accepts; the help lists each one. */
export const newOptions = {
  template: { type: "string", short: "t" },
  force: { type: "boolean", short: "f" },
  ...coreSourceOptions,
  help: { type: "boolean", short: "h" },
} as const;

export async function newApp(args: readonly string[], io: CliIO, coreVersion: string): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: newOptions,
    allowPositionals: true,
  });
  if (values.help) {
    print(io.stdout, newHelp);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0 ? "new needs a folder: flagon new <dir>" : "new takes one folder",
    );
  }
  const template = values.template ?? "api";
  if (!isTemplate(template)) {
    throw new UsageError(`unknown template "${template}"; choose ${APP_TEMPLATES.join(" or ")}`);
  }
  const dir = path.resolve(io.cwd, positionals[0] ?? "");
  const shown = displayPath(io.cwd, dir);
  await checkTarget(dir, shown, values.force === true);

  const name = packageNameFor(path.basename(dir));
  print(io.stdout, `creating ${name} (template ${template}) in ${shown}`);
  const files = appFiles({
    name,
    template,
    coreRange: coreRangeFor(coreVersion),
    secretKey: randomBytes(32).toString("base64url"),
    migrationStamp: migrationStampOf(new Date()),
  });
  const core = coreCheckout(values);
  await writeScaffold(dir, core === undefined ? files : pointAtCheckout(files, core, ["dependencies"]), io);
  print(io.stdout, coreSourceNote(core));
  const cd = shown === "." ? "" : `cd ${shellQuote(shown)} && `;
  print(io.stdout, `done — next: ${cd}npm install && npm test, then npm run dev`);
  return 0;
}

function isTemplate(value: string): value is AppTemplate {
  return (APP_TEMPLATES as readonly string[]).includes(value);
}
