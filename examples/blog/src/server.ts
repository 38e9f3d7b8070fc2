import { randomBytes } from "node:crypto";
import { createApp } from "./app.js";
import { DEMO_USER } from "./seed.js";

const port = Number(process.env["PORT"] ?? 3000);
const host = process.env["HOST"] ?? "127.0.0.1";
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be an integer from 0 to 65535, got "${process.env["PORT"]}"`);
  process.exit(1);
}

// `npm start` must work on a fresh clone, so without a configured key the server makes one up;
// logins then last only as long as this process.
const env = process.env["FLAGON_ENV"] ?? process.env["NODE_ENV"];
const keyConfigured =
  process.env["SECRET_KEY"] !== undefined ||
  process.env["FLAGON_SECRET_KEY"] !== undefined ||
  env === "development";
const app = createApp(keyConfigured ? {} : { config: { secretKey: randomBytes(32).toString("base64url") } });
if (!keyConfigured) {
  app.log.warn("SECRET_KEY is not set: using a random key, so logins end when the server restarts");
}

const { url } = await app.listen({ port, host });
console.log(`Blog listening on ${url} (demo login: ${DEMO_USER.username} / ${DEMO_USER.password})`);

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
