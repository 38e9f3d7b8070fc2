// `flagon routes`: the app's route table, like `flask routes`.
import { parseArgs } from "node:util";
import { assertAppExists, type LoadedApp, loadApp, locateApp } from "./app-commands.js";
import { CliError, type CliIO, columns, print, table } from "./io.js";
import { describeStartError } from "./serve.js";

export const routesHelp = `Usage: flagon routes [--json]

Loads the app in command mode (createApp, then build: plugins registered, routes compiled, no
onReady hooks, so no pools are opened) and lists its routes, sorted by path: the methods, the
path, the endpoint (for urlFor) and the route decorators on each route (the names plugins gave
createRouteDecorator, such as auth.loginRequired). A function route whose function has no name
(an arrow written inline) and no endpoint option shows <anonymous>: its urlFor key is its path
(in --json, "endpoint" is that key and "anonymous" is true).

Options:
${columns([
  ["--json", "Print the routes as JSON"],
  ["-h, --help", "Show this help"],
])}`;

export interface RouteRow {
  readonly methods: readonly string[];
  readonly path: string;
  readonly endpoint: string;
  readonly decorators: readonly string[];
  /** A function route without a name or an endpoint option: its endpoint is its path. */
  readonly anonymous?: true;
}

/** What the table shows for an anonymous function route, as `flask routes` shows `<lambda>`. */
export const ANONYMOUS_ENDPOINT = "<anonymous>";

/** Every option `flagon routes` accepts; the help lists each one. */
export const routesOptions = { json: { type: "boolean" }, help: { type: "boolean", short: "h" } } as const;

export async function routes(args: readonly string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: routesOptions,
  });
  if (values.help) {
    print(io.stdout, routesHelp);
    return 0;
  }
  const location = await locateApp(io.cwd);
  assertAppExists(location);
  let app: LoadedApp;
  try {
    app = await loadApp(location, { ready: false });
  } catch (error) {
    throw new CliError(describeStartError(location, error), { cause: error });
  }
  let rows: RouteRow[];
  try {
    if (typeof app.routes !== "function") {
      throw new CliError(`createApp() in ${location.shown} returned an app that cannot list its routes`);
    }
    rows = sortRoutes(app.routes());
  } finally {
    await app.close();
  }
  print(io.stdout, values.json ? JSON.stringify(rows, null, 2) : formatRoutes(rows));
  return 0;
}

const METHOD_ORDER = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

function methodRank(method: string): number {
  const rank = METHOD_ORDER.indexOf(method);
  return rank === -1 ? METHOD_ORDER.length : rank;
}

/** Sorted by path, then by first method; methods in the usual order (GET, POST, PUT…). */
export function sortRoutes(
  listing: ReadonlyArray<{
    methods: readonly string[];
    path: string;
    endpoint: string;
    decorators?: readonly string[];
    anonymous?: true;
  }>,
): RouteRow[] {
  return listing
    .map((route) => ({
      methods: [...route.methods].sort((a, b) => methodRank(a) - methodRank(b) || a.localeCompare(b)),
      path: route.path,
      endpoint: route.endpoint,
      decorators: [...(route.decorators ?? [])],
      ...(route.anonymous ? { anonymous: true as const } : {}),
    }))
    .sort(
      (a, b) =>
        (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) ||
        methodRank(a.methods[0] ?? "") - methodRank(b.methods[0] ?? "") ||
        a.endpoint.localeCompare(b.endpoint),
    );
}

/** The table `flagon routes` prints. */
export function formatRoutes(rows: readonly RouteRow[]): string {
  if (rows.length === 0) return "The app has no routes.";
  return table([
    ["METHODS", "PATH", "ENDPOINT", "DECORATORS"],
    ...rows.map((row) => [
      row.methods.join(", "),
      row.path,
      row.anonymous ? ANONYMOUS_ENDPOINT : row.endpoint,
      row.decorators.length === 0 ? "-" : row.decorators.join(", "),
    ]),
  ]);
}
