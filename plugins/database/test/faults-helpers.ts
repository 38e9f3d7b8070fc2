// Shared by the fault suites (faults-*.test.ts): probes of this machine's PostgreSQL and
// MariaDB, unique table names (other suites use the same `test` databases in parallel), a TCP
// proxy that plays a database server going down and coming back, and small waits.
import net from "node:net";
import { createConnection as createMysqlConnection } from "mysql2/promise";
import pg from "pg";

export const PG_URL = process.env["FLAGON_TEST_PG_URL"] ?? "postgres://postgres@127.0.0.1:5432/test";
export const MYSQL_URL = process.env["FLAGON_TEST_MYSQL_URL"] ?? "mysql://root@127.0.0.1:3306/test";

/** Why PostgreSQL cannot be used, or undefined when it answers. */
export async function pgUnreachable(url = PG_URL): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("select 1");
    return undefined;
  } catch (error) {
    return `PostgreSQL at ${url} is unreachable: ${(error as Error).message}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Why MySQL/MariaDB cannot be used, or undefined when it answers. */
export async function mysqlUnreachable(url = MYSQL_URL): Promise<string | undefined> {
  try {
    const connection = await createMysqlConnection({ uri: url, connectTimeout: 2000 });
    connection.on("error", () => undefined);
    await connection.query("select 1");
    await connection.end();
    return undefined;
  } catch (error) {
    return `MySQL/MariaDB at ${url} is unreachable: ${(error as Error).message}`;
  }
}

/** Prints why a suite is skipped (the reason shows in the run's output). */
export function reportSkip(reason: string | undefined): boolean {
  if (reason !== undefined) console.warn(`skipped: ${reason}`);
  return reason !== undefined;
}

/** A table name no other test run uses at the same time. */
export function uniqueTable(prefix: string): string {
  return `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `cond` every 10 ms; true as soon as it holds, false after `ms`. */
export async function waitFor(cond: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await sleep(10);
  }
  return cond();
}

/**
 * A TCP proxy in front of a database server, on a port of its own. `stop()` plays the server
 * going down (the listener closes, so new connections are refused, and every live connection is
 * cut); `start()` plays it coming back on the same port.
 */
export class DatabaseProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<number> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.targetPort, this.targetHost);
      this.sockets.add(client);
      this.sockets.add(upstream);
      const cut = (): void => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on("error", cut).on("close", cut);
      upstream.on("error", cut).on("close", cut);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.server = server;
    this.port = (server.address() as net.AddressInfo).port;
    return this.port;
  }

  /** Refuses new connections and cuts the live ones. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    const closed = new Promise<void>((resolve) =>
      server === undefined ? resolve() : server.close(() => resolve()),
    );
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await closed;
  }

  get live(): number {
    return this.sockets.size / 2;
  }
}
