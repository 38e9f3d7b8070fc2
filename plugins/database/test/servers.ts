// The database servers the suites run against: SQLite always; this machine's PostgreSQL and
// MariaDB when they answer (CI starts them; a laptop without them skips, saying why).
import net from "node:net";

export const POSTGRES_URL =
  process.env["FLAGON_TEST_POSTGRES_URL"] ?? "postgres://postgres@127.0.0.1:5432/test";
export const MYSQL_URL = process.env["FLAGON_TEST_MYSQL_URL"] ?? "mysql://root@127.0.0.1:3306/test";

function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port), timeout: 1000 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
    socket.once("timeout", () => done(false));
  });
}

export const hasPostgres = await reachable(POSTGRES_URL);
export const hasMysql = await reachable(MYSQL_URL);

if (!hasPostgres)
  console.warn(`skipping PostgreSQL suites: nothing answers at ${new URL(POSTGRES_URL).host}`);
if (!hasMysql) console.warn(`skipping MySQL/MariaDB suites: nothing answers at ${new URL(MYSQL_URL).host}`);

/** Every server of the run, for `describe.each`: name, base URL, and whether it is reachable. */
export const SERVERS: ReadonlyArray<{ name: string; url: string; up: boolean }> = [
  { name: "sqlite", url: "sqlite::memory:", up: true },
  { name: "postgres", url: POSTGRES_URL, up: hasPostgres },
  { name: "mysql", url: MYSQL_URL, up: hasMysql },
];
