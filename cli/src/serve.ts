// Serving the app: inside the `flagon start` process (one worker), or in a process of its own —
// the child that `flagon dev` restarts, each worker of `flagon start --workers N`. Such a process
// reports to its parent over IPC and closes the app gracefully on SIGTERM.
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { type AppLocation, describeLoadError, type LoadedApp, loadApp } from "./app-commands.js";
import { CliError } from "./io.js";
import type { ListenTarget } from "./listen-options.js";

/** What a parent tells the app process (its one argument, as JSON). */
export interface ChildSpec extends ListenTarget {
  readonly location: AppLocation;
  /** Load what every start needs, then wait for a `flagon:go` message before loading the app. */
  readonly standby?: boolean;
}

/** The message that starts a standby process. */
export const GO = { type: "flagon:go" } as const;

/** What an app process tells its parent. */
export type ChildMessage =
  | {
      readonly type: "flagon:listening";
      readonly pid: number;
      readonly url: string;
      /** config.server.closeTimeout: how long a graceful close may take. */
      readonly closeTimeout: number;
      /** From the start of the process to listening. */
      readonly startedInMs: number;
    }
  | { readonly type: "flagon:failed"; readonly pid: number; readonly message: string }
  /** A standby process has loaded what it could and waits for GO. */
  | { readonly type: "flagon:standing-by"; readonly pid: number };

export function isChildMessage(value: unknown): value is ChildMessage {
  const type = (value as { type?: unknown } | null)?.type;
  return type === "flagon:listening" || type === "flagon:failed" || type === "flagon:standing-by";
}

/** The default of config.server.closeTimeout, for a parent that has not heard from its app yet. */
export const DEFAULT_CLOSE_TIMEOUT = 10_000;

export interface Served {
  readonly app: LoadedApp;
  readonly url: string;
  readonly closeTimeout: number;
}

/** Loads the app (createApp, ready) and listens. */
export async function serveApp(location: AppLocation, target: ListenTarget): Promise<Served> {
  const app = await loadApp(location);
  if (typeof app.listen !== "function") {
    await app.close();
    throw new CliError(`createApp() in ${location.shown} returned an app that cannot listen`);
  }
  try {
    const { url } = await app.listen({ port: target.port, host: target.host });
    const closeTimeout = app.config.server?.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT;
    return { app, url, closeTimeout };
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
}

/** A load error as the user should see it: our own errors by message, anything else with its stack. */
export function describeStartError(location: AppLocation, error: unknown): string {
  const line = describeLoadError(location, error);
  const code = (error as { code?: unknown } | null)?.code;
  const expected =
    error instanceof CliError ||
    (typeof code === "string" && code.startsWith("FLAGON_ERR_")) ||
    isTypeScriptSyntaxError(error);
  const stack = error instanceof Error && !expected ? error.stack : undefined;
  return stack === undefined ? line : `${line}\n${stack}`;
}

/**
 * A standby process of `flagon dev`: typescript (preloaded by the loader) and @flagon/core are
 * loaded ahead of time, no code of the app runs until the parent says go. A restart then costs
 * only the app's own modules. Exits if the parent goes away first.
 */
export async function standBy(location: AppLocation): Promise<void> {
  const go = new Promise<void>((resolve) => {
    const onMessage = (message: unknown): void => {
      if ((message as { type?: unknown } | null)?.type !== GO.type) return;
      process.off("message", onMessage);
      resolve();
    };
    process.on("message", onMessage);
  });
  const orphaned = (): never => process.exit(0);
  process.on("disconnect", orphaned);
  try {
    // The copy of @flagon/core the app will import (the same file, so the same module instance).
    const core = createRequire(location.file).resolve("@flagon/core");
    await import(pathToFileURL(core).href);
  } catch {
    // no core where the app is: the app will say so when it loads
  }
  process.send?.({ type: "flagon:standing-by", pid: process.pid } satisfies ChildMessage);
  await go;
  process.off("disconnect", orphaned);
}

/** The loader's syntax errors already name the file, line and column (see loader/transpile.ts). */
function isTypeScriptSyntaxError(error: unknown): boolean {
  return error instanceof SyntaxError && /^\S+\.m?ts:\d+:\d+: /.test(error.message);
}

/**
 * The body of an app process: serve, report, and close gracefully on SIGTERM or when the parent
 * goes away. SIGINT is left to the parent (a terminal's Ctrl+C reaches the whole process group;
 * the parent answers it with SIGTERM), so each process drains exactly once.
 */
export async function runChild(spec: ChildSpec, started: number): Promise<void> {
  const send = (message: ChildMessage): Promise<void> =>
    new Promise((resolve) => {
      if (!process.send) return resolve();
      process.send(message, undefined, {}, () => resolve());
    });
  process.on("SIGINT", () => undefined);

  let served: Served;
  try {
    served = await serveApp(spec.location, spec);
  } catch (error) {
    process.stderr.write(`[flagon] ${describeStartError(spec.location, error)}\n`);
    await send({ type: "flagon:failed", pid: process.pid, message: describeLoadError(spec.location, error) });
    process.exit(1);
  }

  let closing = false;
  const close = (): void => {
    if (closing) return;
    closing = true;
    served.app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`[flagon] closing the app failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", close);
  process.on("disconnect", close);
  await send({
    type: "flagon:listening",
    pid: process.pid,
    url: served.url,
    closeTimeout: served.closeTimeout,
    startedInMs: Math.round(performance.now() - started),
  });
}
