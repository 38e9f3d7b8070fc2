import "reflect-metadata";
import type { IncomingHttpHeaders } from "node:http";
import { Readable } from "node:stream";
import { describe, expect, test } from "vitest";
import { Flagon } from "../app/flagon.js";
import { Context } from "../http/context.js";
import { FlagonRequest } from "../http/request.js";
import { devPageAllowed, isLoopbackAddress, renderDevPage } from "./dev-page.js";
import { NotFoundError } from "./http-errors.js";

// Kept away from the lines that throw: the page shows the source around each frame.
const SECRETS = { query: "q-secret", header: "Bearer h-secret", cookie: "sid=c-secret", key: "k-secret" };

function context(url = "/", headers: IncomingHttpHeaders = {}, remoteAddress = "127.0.0.1"): Context {
  const app = new Flagon({ logger: false, configFile: false, config: { env: "development" } });
  const raw = {
    method: "GET",
    url,
    headers: { host: "localhost:3000", ...headers },
    body: Readable.from([]),
    remoteAddress,
    encrypted: false,
  };
  return new Context(app, new FlagonRequest(raw, 1024), "test-1");
}

const plainError = (): Error => new Error("x");

describe("isLoopbackAddress", () => {
  test.each(["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1", "::FFFF:127.1.2.3"])(
    "%s is loopback",
    (ip) => {
      expect(isLoopbackAddress(ip)).toBe(true);
    },
  );

  test.each([
    undefined,
    "",
    "10.0.0.1",
    "192.168.1.2",
    "::ffff:10.0.0.1",
    "::2",
    "1127.0.0.1",
    "127.0.0.1.evil",
    "fe80::1",
  ])("%s is not", (ip) => {
    expect(isLoopbackAddress(ip)).toBe(false);
  });
});

describe("devPageAllowed", () => {
  const error = new Error("x");

  test("an unexpected error from a browser on this machine", () => {
    expect(devPageAllowed(context("/", { accept: "text/html" }), error)).toBe(true);
    expect(devPageAllowed(context("/", { host: "127.0.0.1:8080" }), error)).toBe(true);
    expect(devPageAllowed(context("/", { host: "app.localhost" }), error)).toBe(true);
    expect(devPageAllowed(context("/", { host: "[::1]:3000" }, "::1"), error)).toBe(true);
  });

  test("never for an HttpError, a JSON client, a remote peer, a forwarded request or a foreign Host", () => {
    expect(devPageAllowed(context(), new NotFoundError())).toBe(false);
    expect(devPageAllowed(context("/", { accept: "application/json" }), error)).toBe(false);
    expect(devPageAllowed(context("/", {}, "192.0.2.1"), error)).toBe(false);
    expect(devPageAllowed(context("/", { "x-forwarded-for": "203.0.113.9" }), error)).toBe(false);
    expect(devPageAllowed(context("/", { forwarded: "for=203.0.113.9" }), error)).toBe(false);
    expect(devPageAllowed(context("/", { "x-real-ip": "203.0.113.9" }), error)).toBe(false);
    expect(devPageAllowed(context("/", { host: "attacker.example" }), error)).toBe(false); // DNS rebinding
    expect(devPageAllowed(context("/", { host: "localhost.attacker.example" }), error)).toBe(false);
  });

  test("never when NODE_ENV is production", () => {
    const saved = process.env["NODE_ENV"];
    process.env["NODE_ENV"] = "production";
    try {
      expect(devPageAllowed(context(), error)).toBe(false);
    } finally {
      if (saved === undefined) delete process.env["NODE_ENV"];
      else process.env["NODE_ENV"] = saved;
    }
  });
});

describe("renderDevPage", () => {
  test("escapes everything it shows", async () => {
    const ctx = context('/p?<q>="x"', { "x-note": "<script>alert(1)</script>" });
    const error = new TypeError('<img src=x onerror="alert(1)">');
    const page = await renderDevPage(error, ctx);
    const body = page.body as string;
    expect(page.status).toBe(500);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("cache-control")).toBe("no-store");
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(body).not.toContain("<script>");
    expect(body).not.toContain("<img");
    expect(body).toContain("&#60;img src=x onerror=&#34;alert(1)&#34;&#62;");
    expect(body).toContain("TypeError");
  });

  test("shows the source around a frame in this file, and the causes", async () => {
    const cause = new RangeError("the cause");
    const error = new Error("outer", { cause }); // MARKER-LINE
    const body = (await renderDevPage(error, context())).body as string;
    expect(body).toContain("dev-page.test.ts");
    expect(body).toMatch(/class="hit"><b>\d+<\/b>.*MARKER-LINE/);
    expect(body).toContain("Caused by");
    expect(body).toContain("the cause");
  });

  test("library frames are listed without source; a non-Error value is shown as it is", async () => {
    const error = new Error("lib");
    error.stack =
      "Error: lib\n    at thing (/app/node_modules/lib/index.js:1:1)\n    at node:internal/process/task_queues:95:5\n    at /no/such/file.ts:3:1";
    const body = (await renderDevPage(error, context())).body as string;
    expect(body).toContain('class="lib"><div class="at">thing (/app/node_modules/lib/index.js:1:1)');
    expect(body).toContain("node:internal/process/task_queues:95:5");
    expect(body).not.toContain("<pre>");
    const thrown = (await renderDevPage({ code: 42 }, context())).body as string;
    expect(thrown).toContain("thrown object");
    expect(thrown).toContain("{&#34;code&#34;:42}");
  });

  test("secret headers and query values are redacted", async () => {
    const url = `/p?access%5Ftoken=${SECRETS.query}&page=2`;
    const headers = { authorization: SECRETS.header, cookie: SECRETS.cookie, "x-api-key": SECRETS.key };
    const body = (await renderDevPage(plainError(), context(url, headers))).body as string;
    for (const secret of Object.values(SECRETS)) expect(body).not.toContain(secret);
    expect(body).toContain("<th>page</th><td>2</td>");
    expect(body).toContain("/p?access%5Ftoken=[redacted]&#38;page=2");
  });
});
