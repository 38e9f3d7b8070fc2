import { createApp } from "./app.js";

const port = Number(process.env["PORT"] ?? 3000);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be an integer from 0 to 65535, got "${process.env["PORT"]}"`);
  process.exit(1);
}

const app = createApp();
const { url } = await app.listen({ port, host: "127.0.0.1" });
console.log(`Hello app listening on ${url}`);

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
