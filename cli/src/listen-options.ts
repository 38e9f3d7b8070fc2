// --port and --host, shared by `flagon dev` and `flagon start`.
import { UsageError } from "./io.js";

export const listenOptionSpecs = {
  port: { type: "string", short: "p" },
  host: { type: "string" },
} as const;

export const listenOptionsHelp: ReadonlyArray<readonly [string, string]> = [
  ["-p, --port <n>", "Port to listen on, 0 for any free one (default: $PORT, else 3000)"],
  ["--host <addr>", "Interface to bind (default: $HOST, else 127.0.0.1; 0.0.0.0 for every one)"],
];

export interface ListenTarget {
  readonly port: number;
  readonly host: string;
}

/** The port and host from the options, else from $PORT and $HOST, else 3000 on 127.0.0.1. */
export function listenTarget(
  values: { port?: string | undefined; host?: string | undefined },
  env: NodeJS.ProcessEnv = process.env,
): ListenTarget {
  const [rawPort, source] =
    values.port !== undefined ? [values.port, "--port"] : [env["PORT"] || "3000", "PORT"];
  const port = Number(rawPort);
  if (!/^\d+$/.test(rawPort.trim()) || !Number.isInteger(port) || port > 65535) {
    throw new UsageError(`${source} must be a whole number from 0 to 65535, got "${rawPort}"`);
  }
  const host = values.host ?? (env["HOST"] || "127.0.0.1");
  if (host === "" || /\s/.test(host)) throw new UsageError(`--host must be an address, got "${host}"`);
  return { port, host };
}
