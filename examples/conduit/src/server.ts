import { randomBytes } from "node:crypto";
import type { CoreConfig } from "@flagon/core";
import { createApp } from "./app.js";
import { migrateToLatest } from "./migrate.js";

const port = Number(process.env["PORT"] ?? 3000);
const host = process.env["HOST"] ?? "127.0.0.1";
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be an integer from 0 to 65535, got "${process.env["PORT"]}"`);
  process.exit(1);
}

// `npm start` must work on a fresh clone: without configured keys the server makes them up,
// and tokens then last only as long as this process.
const config: CoreConfig = {};
const made: string[] = [];
const secretKey = process.env["SECRET_KEY"];
if (secretKey !== undefined) config.secretKey = secretKey;
else if (process.env["FLAGON_SECRET_KEY"] === undefined) {
  config.secretKey = randomBytes(32).toString("base64url");
  made.push("SECRET_KEY");
}
const jwtSecret = process.env["JWT_SECRET"];
if (jwtSecret !== undefined || process.env["FLAGON_AUTH__JWT__KEYS"] === undefined) {
  if (jwtSecret === undefined) made.push("JWT_SECRET");
  config["auth"] = {
    jwt: { keys: [{ alg: "HS256", secret: jwtSecret ?? randomBytes(32).toString("base64url") }] },
  };
}

const app = createApp({ config });
if (made.length > 0) {
  app.log.warn(
    `${made.join(" and ")} not set: using random keys, so tokens stop working when the server restarts`,
  );
}

try {
  await app.ready();
  const applied = await migrateToLatest(app);
  app.log.info(
    applied.length === 0 ? "database schema is up to date" : `applied migrations: ${applied.join(", ")}`,
  );
} catch (error) {
  console.error(`Conduit cannot start: ${error instanceof Error ? error.message : String(error)}`);
  await app.close();
  process.exit(1);
}

const { url } = await app.listen({ port, host });
console.log(`Conduit API listening on ${url} (try: curl ${new URL("/api/tags", url).href})`);

// Finish in-flight requests, then exit; a second signal exits at once.
let closing = false;
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (closing) process.exit(1);
  closing = true;
  console.log(`${signal} received, closing`);
  try {
    await app.close();
  } catch (error) {
    console.error(error);
    process.exitCode = 1;
  }
}
process.on("SIGINT", (signal) => void shutdown(signal));
process.on("SIGTERM", (signal) => void shutdown(signal));
