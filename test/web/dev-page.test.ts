import "reflect-metadata";
// The development error page (RELIABILITY row 37): in development an unexpected error shows its
// message, the stack with source lines and the request — only to this machine, and never when
// NODE_ENV is production, the app's env is production, or the client is not on loopback.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Env, Flagon } from "@flagon/core";
import { afterEach, describe, expect, it } from "vitest";
import { harness, HOST } from "../socket/helpers.js";

const THIS_FILE = fileURLToPath(import.meta.url);
const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function failingApp(env: Env): Flagon {
  const app = new Flagon({ logger: false, configFile: false, config: { env } });
  app.get("/explode", () => {
    throw new Error("dev page <boom> & bust");
  });
  app.get("/missing", () => {
    throw new Error("unused");
  });
  return app;
}

/** The source line of this file that throws, as the page must show it. */
const THROW_LINE = readFileSync(THIS_FILE, "utf8")
  .split("\n")
  .find((line) => line.includes('throw new Error("dev page <boom> & bust")')) as string;

const HTML = { accept: "text/html,application/xhtml+xml,*/*;q=0.8" };
// Defined far from any line that throws: the page shows the source around each frame.
const SECRET_HEADERS = { authorization: "Bearer DEV-SECRET", cookie: "sid=DEV-COOKIE" };

function expectGenericPage(body: string): void {
  expect(body).toContain("<h1>Internal Server Error</h1>");
  expect(body).not.toContain("dev-page.test.ts");
  expect(body).not.toContain(escape(THROW_LINE.trim()));
  expect(body).not.toMatch(/\bat .*:\d+:\d+/);
}

describe("the development error page", () => {
  it("is shown to a loopback browser in development: message, stack with source lines, request", async () => {
    const app = failingApp("development");
    const res = await app.inject({
      url: "/explode?colour=blue",
      headers: { ...HTML, ...SECRET_HEADERS },
    });
    expect(res.statusCode).toBe(500);
    expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.body).toContain("Error");
    expect(res.body).toContain("dev page &#60;boom&#62; &#38; bust");
    expect(res.body).not.toContain("<boom>");
    expect(res.body).toContain(THIS_FILE);
    expect(res.body).toContain(escape(THROW_LINE.trimEnd()));
    expect(res.body).toContain("/explode?colour=blue");
    expect(res.body).toContain("<th>colour</th><td>blue</td>");
    expect(res.body).toContain(res.headers["x-request-id"] as string);
    expect(res.body).toContain("<th>authorization</th><td>[redacted]</td>");
    expect(res.body).not.toContain("DEV-");
  });

  it.each(["::1", "::ffff:127.0.0.1", "127.0.0.2"])(
    "is shown to the loopback peer %s",
    async (remoteAddress) => {
      const res = await failingApp("development").inject({ url: "/explode", headers: HTML, remoteAddress });
      expect(res.body).toContain(escape(THROW_LINE.trimEnd()));
    },
  );

  it("is not shown when NODE_ENV=production, even with env development", async () => {
    const saved = process.env["NODE_ENV"];
    process.env["NODE_ENV"] = "production";
    try {
      const res = await failingApp("development").inject({ url: "/explode", headers: HTML });
      expect(res.statusCode).toBe(500);
      expectGenericPage(res.body);
    } finally {
      if (saved === undefined) delete process.env["NODE_ENV"];
      else process.env["NODE_ENV"] = saved;
    }
  });

  it.each(["production", "test"] as const)("is not shown in env %s", async (env) => {
    const res = await failingApp(env).inject({ url: "/explode", headers: HTML });
    expect(res.statusCode).toBe(500);
    expectGenericPage(res.body);
    expect(res.body).not.toContain("boom");
  });

  it("is not shown to a client that is not on loopback", async () => {
    const res = await failingApp("development").inject({
      url: "/explode",
      headers: HTML,
      remoteAddress: "203.0.113.9",
    });
    expect(res.statusCode).toBe(500);
    expectGenericPage(res.body);
  });

  it("is not shown to a loopback peer forwarding for someone else, or under a foreign Host (DNS rebinding)", async () => {
    const app = failingApp("development");
    const forwarded = await app.inject({
      url: "/explode",
      headers: { ...HTML, "x-forwarded-for": "203.0.113.9" },
    });
    expectGenericPage(forwarded.body);
    const rebound = await app.inject({ url: "/explode", headers: { ...HTML, host: "attacker.example" } });
    expectGenericPage(rebound.body);
  });

  it("a JSON client gets problem details; an HttpError gets its normal page", async () => {
    const app = failingApp("development");
    const json = await app.inject({ url: "/explode", headers: { accept: "application/json" } });
    expect(json.headers["content-type"]).toBe("application/problem+json");
    expect(json.json()).toMatchObject({ status: 500, detail: "dev page <boom> & bust" });
    const missing = await app.inject({ url: "/nowhere", headers: HTML });
    expect(missing.statusCode).toBe(404);
    expect(missing.body).not.toContain("dev-page.test.ts");
  });

  describe("over a real socket", () => {
    const h = harness();
    afterEach(() => h.cleanup());

    it("a browser on this machine gets the page", async () => {
      const app = h.app({ config: { env: "development" } });
      app.get("/explode", () => {
        throw new Error("dev page over a socket");
      });
      const port = await h.listen(app);
      const res = await fetch(`http://${HOST}:${port}/explode`, { headers: HTML });
      expect(res.status).toBe(500);
      const body = await res.text();
      expect(body).toContain("dev page over a socket");
      expect(body).toContain(THIS_FILE);
    });
  });
});
