import "reflect-metadata";
// Issue 10, bug 8: DESIGN.md said the body is parsed and validated before preHandler, while the
// code parses it lazily, when the handler's @Body (or ctx.body()) asks. Lazy is the contract now
// (docs/plugins.md, CONTRIBUTING.md, hooks/names.ts say so): an auth guard in preHandler refuses
// an upload before a byte of it is read or parsed. This pins it, in-process and over a socket.
import type { StandardSchemaV1 } from "@standard-schema/spec";
import { afterEach, describe, expect, test } from "vitest";
import { Body, type Context, Controller, Flagon, Post, UnauthorizedError } from "@flagon/core";
import { z } from "zod";
import { csvPlugin, recorder } from "../plugins/seams/body-parser-plugins.js";
import { harness, HOST } from "../socket/helpers.js";

const h = harness();
afterEach(() => h.cleanup());

const events: string[] = [];
const Item = z.object({ name: z.string() });
const Spied: StandardSchemaV1<unknown, { name: string }> = {
  "~standard": {
    version: 1,
    vendor: "flagon-test",
    validate(value) {
      events.push("validate");
      return Item["~standard"].validate(value);
    },
  },
};
const SpiedRows: StandardSchemaV1<unknown, string[][]> = {
  "~standard": {
    version: 1,
    vendor: "flagon-test",
    validate(value) {
      events.push("validate");
      return { value: value as string[][] };
    },
  },
};

@Controller()
class Uploads {
  @Post("/json")
  json(@Body(Spied) item: { name: string }) {
    events.push("handler");
    return item;
  }

  @Post("/csv")
  csv(@Body(SpiedRows, { accept: ["csv"] }) rows: string[][]) {
    events.push("handler");
    return { rows: rows.length };
  }
}

function guarded(options: { allow: boolean }) {
  const parsed = recorder();
  const app = h.app({ controllers: [Uploads], plugins: [csvPlugin(parsed, { limit: 100_000_000 })] });
  app.addHook("preHandler", (ctx: Context) => {
    events.push(`preHandler (body read: ${ctx.request.bodyComplete})`);
    if (!options.allow) throw new UnauthorizedError("log in first");
  });
  return { app, parsed };
}

describe("issue 10: the body is parsed and validated after preHandler, only when asked", () => {
  test("a preHandler that refuses: no parser ran, no schema validated, the handler never ran", async () => {
    const { app, parsed } = guarded({ allow: false });
    events.length = 0;
    expect((await app.inject({ method: "POST", url: "/json", json: { name: "x" } })).statusCode).toBe(401);
    const csv = await app.inject({
      method: "POST",
      url: "/csv",
      body: "a,b",
      headers: { "content-type": "text/csv" },
    });
    expect(csv.statusCode).toBe(401);
    expect(parsed.calls).toEqual([]);
    expect(events).toEqual(["preHandler (body read: false)", "preHandler (body read: false)"]);
  });

  test("a preHandler that lets it through: preHandler, then parse and validate, then the handler", async () => {
    const { app, parsed } = guarded({ allow: true });
    events.length = 0;
    expect((await app.inject({ method: "POST", url: "/json", json: { name: "x" } })).json()).toEqual({
      name: "x",
    });
    expect(events).toEqual(["preHandler (body read: false)", "validate", "handler"]);
    events.length = 0;
    await app.inject({ method: "POST", url: "/csv", body: "a,b", headers: { "content-type": "text/csv" } });
    expect(events).toEqual(["preHandler (body read: false)", "validate", "handler"]);
    expect(parsed.calls).toHaveLength(1);
  });

  test("over a socket: the 401 goes out while a 50 MB upload has not sent a byte of its body", async () => {
    const { app, parsed } = guarded({ allow: false });
    const port = await h.listen(app);
    const client = await h.raw(port);
    await client.write(
      `POST /csv HTTP/1.1\r\nHost: ${HOST}\r\nContent-Type: text/csv\r\nContent-Length: ${50 * 1024 * 1024}\r\n\r\n`,
    );
    const res = await client.readResponse({ timeout: 3000 });
    expect(res.status).toBe(401);
    expect(parsed.calls).toEqual([]);
  });
});

describe("issue 10: without hooks nothing changes", () => {
  test("a route without preHandler still parses and validates its body", async () => {
    const app = new Flagon({
      controllers: [Uploads],
      logger: false,
      configFile: false,
      plugins: [csvPlugin(recorder())],
    });
    events.length = 0;
    expect((await app.inject({ method: "POST", url: "/json", json: { name: 1 } })).statusCode).toBe(422);
    expect(events).toEqual(["validate"]);
  });
});
