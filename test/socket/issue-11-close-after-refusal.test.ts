import "reflect-metadata";
// issue 11, item 6: `node dist/server.js` of a scaffolded app took ~1.9 s to exit on SIGTERM with
// no request in flight. A connection whose request the parser had refused (a 400, 408, 413 or
// 431 answered from clientError) lingers after its answer until the client closes its side, for
// up to LINGER_MS (2 s). close() destroyed connections lingering after a response but not
// these, so node's server.close() waited for that timer. Now close() ends them at once.
//
// The linger timer is made under fake timers and never fires: close() resolves only if it does
// not wait for it (the close deadline is far off, and is never reached: nothing is logged).
import { Writable } from "node:stream";
import { afterEach, expect, it, vi } from "vitest";
import { harness, within } from "./helpers.js";

const h = harness();
afterEach(async () => {
  vi.useRealTimers();
  await h.cleanup();
});

it("close() ends a connection lingering after a refused request, without waiting for its timer", async () => {
  let logged = "";
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logged += String(chunk);
      done();
    },
  });
  const app = h.app({ logger: { level: "warn", stream }, config: { server: { closeTimeout: 60_000 } } });
  app.get("/", () => "ok");
  const port = await h.listen(app);
  // A client that keeps its side open after the server's answer, as one still sending would.
  const client = await h.raw(port, { allowHalfOpen: true });

  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
  await client.write("NOT HTTP AT ALL\r\n\r\n");
  const refused = await client.readResponse();
  vi.useRealTimers();
  expect(refused.status).toBe(400);
  expect(client.eof).toBe(false); // the server half-closed; the connection lingers

  await within(app.close(), 3_000, "close() (it waited for the lingering connection)");
  expect(await client.waitEnd(2_000)).toBe(true);
  expect(logged).not.toContain("close deadline passed");
});
