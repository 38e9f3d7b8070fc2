// The entry point for `node dist/server.js` after `tsc`: listen, and close on SIGTERM.
import { createApp } from "./app.js";
import { closeOnSignals } from "./shutdown.js";

const port = Number(process.env["PORT"] ?? 3000);
const host = process.env["HOST"] ?? "127.0.0.1";
const app = createApp();
// Before listening: a SIGTERM that comes as soon as the port is open must find the handler.
closeOnSignals(app);
const { url } = await app.listen({ port, host });
console.log(`listening on ${url}`);
