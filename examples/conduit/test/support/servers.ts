// The databases the suites run on: SQLite in memory always, this machine's PostgreSQL when it
// answers (a machine without it skips those suites, saying why).
import net from "node:net";

export const POSTGRES_URL =
  process.env["FLAGON_TEST_POSTGRES_URL"] ?? "postgres://postgres@127.0.0.1:5432/test";

function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port || 5432), timeout: 1000 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
    socket.once("timeout", () => done(false));
  });
}

const hasPostgres = await reachable(POSTGRES_URL);
if (!hasPostgres) {
  console.warn(`skipping the Conduit suites on PostgreSQL: nothing answers at ${new URL(POSTGRES_URL).host}`);
}

/** For `describe.each`: each database's name, base URL, and whether it is reachable. */
export const DATABASES: ReadonlyArray<{ name: string; url: string; up: boolean }> = [
  { name: "sqlite", url: "sqlite::memory:", up: true },
  { name: "postgres", url: POSTGRES_URL, up: hasPostgres },
];
