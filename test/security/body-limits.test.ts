import "reflect-metadata";
// RELIABILITY rows 1–3 over real sockets: the body-limit matrix (limit−1, limit, limit+1 ×
// Content-Length, chunked, a Content-Length that lies low or high, multibyte UTF-8), how many
// bytes the server itself reads past the limit, memory under a 50 MB upload, invalid limit
// configs, and compressed bodies (refused with 415, never inflated).
// Also proven elsewhere: test/conformance/body.test.ts (limits through inject, per-route limits,
// every body reader) and core/src/http/body.test.ts (readAll/limitedChunks/checkDeclaredLength).
import zlib from "node:zlib";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Body, Context, Controller, Flagon, FlagonError, Post } from "@flagon/core";
import { z } from "zod";
import { harness, HOST, RawClient, sleep } from "../socket/helpers.js";
import { figure, MiB, mib, ms, pump, sampleRss, watchServerSockets } from "./helpers.js";

const LIMIT = 4096;
const h = harness();
afterEach(() => h.cleanup());
const sockets = watchServerSockets();
afterAll(() => sockets.dispose());

let probes = 0;
const nextProbe = (): string => `probe-${++probes}`;

/** Body bytes each probed request's handler received (x-probe → bytes), recorded on the server. */
const seenBy = new Map<string, number>();

function limitedApp(limit = LIMIT, server: Record<string, number> = {}): Flagon {
  const app = h.app({
    config: { bodyLimit: limit, server: { headersTimeout: 1000, requestTimeout: 1500, ...server } },
  });
  app.post("/bytes", async (ctx: Context) => {
    const bytes = (await ctx.request.bytes()).length;
    const probe = ctx.request.header("x-probe");
    if (probe !== undefined) seenBy.set(probe, bytes);
    return { bytes };
  });
  app.post("/text", async (ctx: Context) => {
    const text = await ctx.request.text();
    return { bytes: Buffer.byteLength(text), chars: [...text].length, replaced: text.includes("\ufffd") };
  });
  app.post("/json", async (ctx: Context) => ({ got: await ctx.request.json() }));
  app.post("/stream", async (ctx: Context) => {
    let bytes = 0;
    for await (const chunk of ctx.request.stream()) bytes += chunk.length;
    return { bytes };
  });
  return app;
}

function head(path: string, headers: Record<string, string | number>): string {
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  return `POST ${path} HTTP/1.1\r\nHost: ${HOST}\r\n${lines.join("\r\n")}\r\n\r\n`;
}

function chunked(body: Buffer, size: number): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0; at < body.length; at += size) {
    const piece = body.subarray(at, at + size);
    parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from("\r\n"));
  }
  parts.push(Buffer.from("0\r\n\r\n"));
  return Buffer.concat(parts);
}

/** `size` bytes of UTF-8 made of 2-, 3- and 4-byte characters (ASCII only to pad to the size). */
function multibyte(size: number): Buffer {
  const pieces = ["é", "€", "😀"];
  let text = "";
  let bytes = 0;
  for (let i = 0; bytes + 4 <= size; i++) {
    const piece = pieces[i % 3] as string;
    text += piece;
    bytes += Buffer.byteLength(piece);
  }
  return Buffer.from(text + "x".repeat(size - bytes));
}

type Variant = "Content-Length" | "chunked" | "CL lies low" | "CL lies high" | "multibyte UTF-8";

interface Outcome {
  /** The first status the client got ("200", "413", "400"…), or "408/closed". */
  cell: string;
  /** Bytes the server read from the socket past head + limit (0 when it read no more than that). */
  pastLimit: number;
  /** Body bytes the handler received, when it got that far. */
  seen: number | undefined;
}

/** Sends one request of `size` body bytes as `variant` and reports what came back. */
async function attempt(port: number, variant: Variant, size: number): Promise<Outcome> {
  const probe = nextProbe();
  const client = await RawClient.connect(port);
  h.defer(() => client.destroy());
  const body = variant === "multibyte UTF-8" ? multibyte(size) : Buffer.alloc(size, 0x61);
  const common = {
    "x-probe": probe,
    "content-type": "text/plain; charset=utf-8",
    accept: "application/json",
  };
  let wire: Buffer;
  let headText: string;
  switch (variant) {
    case "Content-Length":
      headText = head("/bytes", { ...common, "content-length": size });
      wire = Buffer.concat([Buffer.from(headText), body]);
      break;
    case "chunked":
      headText = head("/bytes", { ...common, "transfer-encoding": "chunked" });
      wire = Buffer.concat([Buffer.from(headText), chunked(body, 1000)]);
      break;
    case "CL lies low":
      // One byte fewer declared than sent; the rest (and a CRLF pair) reaches the parser as a
      // second "request": node's parser refuses it (400) and closes the connection, and the
      // handler never sees more than the declared bytes.
      headText = head("/bytes", { ...common, "content-length": size - 1 });
      wire = Buffer.concat([Buffer.from(headText), body, Buffer.from("\r\n\r\n")]);
      break;
    case "CL lies high":
      headText = head("/bytes", { ...common, "content-length": size + 1 });
      wire = Buffer.concat([Buffer.from(headText), body]);
      break;
    case "multibyte UTF-8":
      // Chunks of 7 bytes: nearly every chunk boundary splits a character.
      headText = head("/text", { ...common, "transfer-encoding": "chunked" });
      wire = Buffer.concat([Buffer.from(headText), chunked(body, 7)]);
      break;
  }
  await client.write(wire).catch(() => undefined);
  let cell: string;
  try {
    const first = await client.readResponse({ timeout: 4000 });
    cell = first.status === 408 ? "408/closed" : String(first.status);
    // The bytes past a low Content-Length are a malformed request of their own: its refusal
    // follows the answer to the well-framed one.
    if (variant === "CL lies low" && first.status === 200) {
      cell += `+${(await client.readResponse({ timeout: 4000 })).status}`;
    }
    if (variant === "multibyte UTF-8" && first.status === 200) {
      const got = JSON.parse(first.body.toString()) as { bytes: number; replaced: boolean };
      expect(got.replaced, "a character split across chunks decodes whole").toBe(false);
      expect(got.bytes).toBe(size);
    }
  } catch {
    cell = client.pending.length === 0 ? "408/closed" : "garbled";
  }
  if (cell !== "200") {
    expect(await client.waitEnd(3000), `the connection is closed after ${cell}`).toBe(true);
  }
  await sleep(20); // let a handler that is still running record what it saw
  const read = sockets.get(probe)?.bytesRead ?? 0;
  return {
    cell,
    pastLimit: Math.max(0, read - Buffer.byteLength(headText) - LIMIT),
    seen: seenBy.get(probe),
  };
}

describe("row 1 — body limits: the status matrix over a raw socket", () => {
  const variants: Variant[] = ["Content-Length", "chunked", "CL lies low", "CL lies high", "multibyte UTF-8"];
  const expected: Record<Variant, [string, string, string]> = {
    "Content-Length": ["200", "200", "413"],
    chunked: ["200", "200", "413"],
    // The declared bytes are a complete request, answered; the extra byte is a bad request of its
    // own: 400 after that answer (never in its place), connection closed. The handler saw exactly
    // the declared length.
    "CL lies low": ["200+400", "200+400", "200+400"],
    // limit−1 declares exactly the limit: the server waits for the missing byte until
    // requestTimeout; the others declare more than the limit and are refused before reading.
    "CL lies high": ["408/closed", "413", "413"],
    "multibyte UTF-8": ["200", "200", "413"],
  };

  it.each(variants)("%s: limit−1, limit, limit+1", { timeout: 30_000 }, async (variant) => {
    const app = limitedApp();
    const port = await h.listen(app);
    const row: string[] = [];
    for (const [i, size] of [LIMIT - 1, LIMIT, LIMIT + 1].entries()) {
      const outcome = await attempt(port, variant, size);
      row.push(outcome.cell);
      expect(outcome.cell, `${variant} with ${size} bytes`).toBe(expected[variant][i]);
      if (outcome.seen !== undefined) expect(outcome.seen).toBeLessThanOrEqual(LIMIT);
      if (variant === "CL lies low" && outcome.seen !== undefined) expect(outcome.seen).toBe(size - 1);
      if (outcome.cell === "200" && variant !== "multibyte UTF-8") expect(outcome.seen).toBe(size);
      if (outcome.cell === "413") expect(outcome.seen).toBeUndefined();
      // Bodies here are tiny: past the limit the server reads at most what was sent in one go.
      expect(outcome.pastLimit).toBeLessThanOrEqual(64 * 1024);
    }
    figure("row 1", `matrix ${variant} (limit ${LIMIT})`, row.join(" / "));
  });
});

describe("row 1 — bytes read after the limit and memory, for a 50 MB upload", { timeout: 30_000 }, () => {
  const UPLOAD = 50 * 1024 * 1024;
  // Node reads a socket 64 KiB at a time and pauses it once a request holds 16 KiB unread: past
  // the limit the request path reads what was in flight, at most two reads, never the upload.
  const TWO_READS = 2 * 64 * 1024;
  // After the 413 the lingering close (core/src/adapters/node/linger.ts) reads and discards what
  // the client still sends, so that closing does not reset the 413 away: at most its 256 KiB
  // budget, the read that crosses it and one more, then it stops reading. Counted separately.
  const LINGER_DRAIN = 256 * 1024 + 2 * 64 * 1024;

  async function upload(mode: "Content-Length" | "chunked", limit: number) {
    const app = limitedApp(limit, { requestTimeout: 20_000, headersTimeout: 5000 });
    const port = await h.listen(app);
    const probe = nextProbe();
    const client = await RawClient.connect(port);
    h.defer(() => client.destroy());
    const headers: Record<string, string | number> =
      mode === "chunked"
        ? { "transfer-encoding": "chunked", "x-probe": probe, "content-type": "application/octet-stream" }
        : { "content-length": UPLOAD, "x-probe": probe, "content-type": "application/octet-stream" };
    const headText = head("/bytes", headers);
    await client.write(headText);
    const rss = sampleRss();
    const started = performance.now();
    let rejectMs = Number.NaN;
    const [written, response] = await Promise.all([
      pump(client.socket, UPLOAD, { chunked: mode === "chunked" }),
      client.readResponse({ timeout: 10_000 }).then((res) => {
        rejectMs = performance.now() - started;
        return res;
      }),
    ]);
    await client.waitEnd(5000);
    await sleep(50);
    const growth = rss.stop();
    const read = sockets.get(probe)?.bytesRead ?? Number.NaN;
    const readAtResponse = sockets.readAtResponse(probe) ?? Number.NaN;
    return {
      status: response.status,
      written,
      read: readAtResponse,
      drained: read - readAtResponse,
      headBytes: Buffer.byteLength(headText),
      growth,
      rejectMs,
    };
  }

  it("Content-Length: 50 MB declared → 413 before the body is read", async () => {
    const r = await upload("Content-Length", LIMIT);
    expect(r.status).toBe(413);
    const past = Math.max(0, r.read - r.headBytes - LIMIT);
    figure(
      "row 1",
      "50 MB with Content-Length",
      `413 in ${ms(r.rejectMs)}; server read ${r.read} B (${past} B past head+limit), then drained ${r.drained} B while lingering; client wrote ${mib(r.written)} before the close`,
    );
    expect(past).toBeLessThanOrEqual(TWO_READS);
    expect(r.drained).toBeLessThanOrEqual(LINGER_DRAIN);
  });

  it("chunked: 50 MB streamed → 413 at the limit, at most two socket reads past it", async () => {
    const r = await upload("chunked", LIMIT);
    expect(r.status).toBe(413);
    const past = Math.max(0, r.read - r.headBytes - LIMIT);
    figure(
      "row 1",
      "50 MB chunked",
      `413 in ${ms(r.rejectMs)}; server read ${r.read} B (${past} B past head+limit), then drained ${r.drained} B while lingering; client wrote ${mib(r.written)}`,
    );
    expect(past).toBeLessThanOrEqual(TWO_READS);
    expect(r.drained).toBeLessThanOrEqual(LINGER_DRAIN);
  });

  it("RSS growth stays within 2× the limit (1 MiB default) for a 50 MB chunked upload", async () => {
    const r = await upload("chunked", MiB);
    expect(r.status).toBe(413);
    figure(
      "row 1",
      "RSS growth, 50 MB chunked upload, limit 1 MiB",
      `${mib(r.growth)} (bound ${mib(2 * MiB)})`,
    );
    expect(r.growth).toBeLessThanOrEqual(2 * MiB);
  });
});

describe("row 2 — invalid limit config is a start-up error", () => {
  const bad: Array<[string, unknown]> = [
    ["'abc'", "abc"],
    ["'1mb'", "1mb"],
    ["NaN", Number.NaN],
    ["-1", -1],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["1.5", 1.5],
    ["2 ** 60 (not a safe integer)", 2 ** 60],
    ["true", true],
    ["an object", { max: 10 }],
  ];

  it.each(bad)("config.bodyLimit = %s → FLAGON_ERR_INVALID_CONFIG naming bodyLimit", (_what, value) => {
    let error: unknown;
    try {
      new Flagon({ logger: false, configFile: false, config: { bodyLimit: value as number } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FlagonError);
    expect((error as FlagonError).code).toBe("FLAGON_ERR_INVALID_CONFIG");
    expect((error as Error).message).toContain("bodyLimit");
  });

  it.each(bad)("a route's bodyLimit = %s → ready() rejects", async (_what, value) => {
    const app = new Flagon({ logger: false, configFile: false });
    app.post("/up", () => "ok", { bodyLimit: value as number });
    await expect(app.ready()).rejects.toMatchObject({ code: "FLAGON_ERR_INVALID_CONFIG" });
  });

  it.each(["abc", "-1", "Infinity", "1e400", "1.5", "1mb"])(
    "FLAGON_BODY_LIMIT=%s → ready() rejects",
    async (value) => {
      const before = process.env["FLAGON_BODY_LIMIT"];
      process.env["FLAGON_BODY_LIMIT"] = value;
      try {
        const app = new Flagon({ logger: false, configFile: false });
        await expect(app.ready()).rejects.toMatchObject({ code: "FLAGON_ERR_INVALID_CONFIG" });
      } finally {
        if (before === undefined) delete process.env["FLAGON_BODY_LIMIT"];
        else process.env["FLAGON_BODY_LIMIT"] = before;
      }
    },
  );

  it("figure: configurations that switch the limit off silently = 0", async () => {
    // Every value a config file, the environment or a route could give that is not a whole
    // number of bytes: each must stop start-up, none may mean "no limit".
    const candidates: unknown[] = [
      "abc",
      "",
      " ",
      "0x10",
      "1e3",
      NaN,
      -1,
      -0.5,
      Infinity,
      -Infinity,
      1.5,
      2 ** 53,
      true,
      false,
      [],
      {},
      "Infinity",
    ];
    let silent = 0;
    for (const value of candidates) {
      const app = new Flagon({ logger: false, configFile: false });
      app.post("/up", () => "ok", { bodyLimit: value as number });
      try {
        await app.ready();
        silent += 1;
      } catch {
        // refused, as it should be
      }
    }
    figure("row 2", "configurations that disable the limit silently", `${silent} of ${candidates.length}`);
    expect(silent).toBe(0);
  });
});

@Controller("/c")
class Upload {
  @Post("/typed")
  typed(@Body(z.object({ a: z.string() })) body: { a: string }) {
    return body;
  }
}

describe(
  "row 3 — compressed bodies: Content-Encoding is refused (415) and never inflated",
  { timeout: 30_000 },
  () => {
    let bombs: Record<string, Buffer>;
    beforeAll(() => {
      const zeros = Buffer.alloc(50 * MiB);
      const gzip = zlib.gzipSync(zeros, { level: 9 });
      bombs = {
        "gzip (50 MiB inflated)": gzip,
        "deflate (50 MiB inflated)": zlib.deflateSync(zeros, { level: 9 }),
        "br (50 MiB inflated)": zlib.brotliCompressSync(zeros),
        // Twenty gzip members in a row inflate to 1 GiB.
        "gzip (1 GiB inflated, multi-member)": Buffer.concat(Array.from({ length: 20 }, () => gzip)),
      };
    }, 60_000);

    const encodings: Record<string, string> = {
      "gzip (50 MiB inflated)": "gzip",
      "deflate (50 MiB inflated)": "deflate",
      "br (50 MiB inflated)": "br",
      "gzip (1 GiB inflated, multi-member)": "gzip",
    };

    it.each(Object.keys(encodings))("%s → 415 for every body reader, RSS flat", async (name) => {
      const app = h.app({ controllers: [Upload], config: { bodyLimit: 2 * MiB } });
      app.post("/bytes", async (ctx: Context) => ({ bytes: (await ctx.request.bytes()).length }));
      app.post("/json", async (ctx: Context) => ({ got: await ctx.request.json() }));
      app.post("/stream", async (ctx: Context) => {
        let bytes = 0;
        for await (const chunk of ctx.request.stream()) bytes += chunk.length;
        return { bytes };
      });
      const port = await h.listen(app);
      const bomb = bombs[name] as Buffer;
      const rss = sampleRss();
      const started = performance.now();
      const statuses: number[] = [];
      for (const path of ["/bytes", "/json", "/stream", "/c/typed"]) {
        const client = await h.raw(port);
        await client.write(
          Buffer.concat([
            Buffer.from(
              head(path, {
                "content-type": "application/json",
                "content-encoding": encodings[name] as string,
                "content-length": bomb.length,
                accept: "application/json",
              }),
            ),
            bomb,
          ]),
        );
        const res = await client.readResponse({ timeout: 5000 });
        statuses.push(res.status);
        if (res.status === 415) expect(res.body.toString()).toContain("Content-Encoding");
      }
      const elapsed = performance.now() - started;
      const growth = rss.stop();
      figure(
        "row 3",
        `${name}, ${(bomb.length / 1024).toFixed(0)} KiB on the wire`,
        `${statuses.join("/")}; 4 requests in ${ms(elapsed)}; RSS growth ${mib(growth)}`,
      );
      expect(statuses).toEqual([415, 415, 415, 415]);
      // Inflating would take 50 MiB–1 GiB; the refusal costs about the compressed size.
      expect(growth).toBeLessThan(16 * MiB);
    });

    it("Content-Encoding: identity (any case) is accepted", async () => {
      const app = limitedApp();
      const res = await app.inject({
        method: "POST",
        url: "/bytes",
        headers: { "content-encoding": "IDENTITY", "content-type": "text/plain" },
        body: "abc",
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ bytes: 3 });
    });
  },
);

// The 50 MB "lying" upload: a Content-Length under the limit with far more bytes behind it must
// not let the extra bytes into the body, however many there are.
describe("row 1 — a lying Content-Length never lets more than it declared into the body", () => {
  it("declares 10 bytes, sends 1 MiB: the handler sees at most 10, the rest is refused", async () => {
    const app = limitedApp();
    const port = await h.listen(app);
    const client = await h.raw(port);
    const probe = nextProbe();
    await client
      .write(
        Buffer.concat([
          Buffer.from(
            head("/bytes", { "content-length": 10, "content-type": "text/plain", "x-probe": probe }),
          ),
          Buffer.alloc(MiB, 0x61),
        ]),
      )
      .catch(() => undefined);
    const statuses: number[] = [];
    for (;;) {
      const res = await client.readResponse({ timeout: 3000 }).catch(() => undefined);
      if (!res) break;
      statuses.push(res.status);
    }
    expect(await client.waitEnd(3000)).toBe(true);
    await sleep(20);
    // The bytes behind the declared body are a request line of 1 MiB: refused (400/431).
    expect(statuses.filter((s) => s !== 200).every((s) => s === 400 || s === 431)).toBe(true);
    expect(statuses.some((s) => s === 400 || s === 431)).toBe(true);
    const seen = seenBy.get(probe);
    if (seen !== undefined) expect(seen).toBe(10);
    figure(
      "row 1",
      "CL 10 with 1 MiB behind it",
      `responses ${statuses.join(", ")}; handler saw ${seen ?? "nothing"}`,
    );
  });
});
