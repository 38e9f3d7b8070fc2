import { createApp } from "./app.js";

const app = createApp();
const { url } = await app.listen({ port: Number(process.env["PORT"] ?? 3000) });
console.log(`listening on ${url}`);
process.once("SIGTERM", () => void app.close());
process.once("SIGINT", () => void app.close());
