import "reflect-metadata";
// RELIABILITY row 25, crash-proofing: a random HTTP fuzz over raw sockets against the fixture app
// (controllers with DI and validation, function routes, hooks, sessions, templates, static files,
// sendFile, SSE, streams) running in a child process in production mode. FUZZ_SECONDS long
// (default 30 s in CI; `npm run fuzz -w test` runs it for 600 s), FUZZ_SEED to replay a run.
// Passes when: the child never exits; every answer is a well-formed HTTP response (4xx/5xx for
// what is malformed, and valid framing for everything else); no 5xx leaks a stack or a secret;
// the child logged no unhandled rejection or uncaught exception; and GET / still answers at the end.
import net from "node:net";
import { performance } from "node:perf_hooks";
import { afterEach, describe, expect, it } from "vitest";
import { fuzzRequest, type FuzzRequest, random, type Rng } from "./fuzz-input.js";
import { coreBuilt, envNumber, get, HOST, notBuiltReason, report, servers, sleep } from "./helpers.js";

if (!coreBuilt) console.warn(`skipped the reliability fuzz: ${notBuiltReason}`);

const running = servers();
afterEach(() => running.cleanup());

const SECONDS = envNumber("FUZZ_SECONDS", 30);
// CI replays one fixed seed, so a red run is reproducible and never a coin toss; a run by hand
// (or the 600 s script) explores a fresh seed each time, and prints it.
const SEED = envNumber("FUZZ_SEED", process.env["CI"] ? 20261124 : Math.floor(Math.random() * 2 ** 31));
const WORKERS = envNumber("FUZZ_WORKERS", 24);
/** How long a client waits for an answer: past the fixture's requestTimeout (2 s) and a margin. */
const ANSWER_WAIT_MS = 6000;

interface Tally {
  requests: number;
  connections: number;
  responses: number;
  byStatus: Map<number, number>;
  /** First requests of a connection that the server closed (or reset) without an answer. */
  closedWithoutAnswer: number;
  closedCauses: Map<string, number>;
  closedSamples: string[];
  /** Later requests on a connection the server had already closed after answering. */
  afterClose: number;
  /**
   * Responses cut short because the client sent garbage after its request on the same connection
   * (a pipelined malformed request, a lying or broken body): node's parser fails on the garbage
   * and destroys the socket, also under a response still streaming. The client's own doing.
   */
  cutByClientGarbage: number;
  /** Pipelined batches whose responses could not be matched past a Content-Length longer than its body. */
  unmatchedAfterLongBody: number;
  /**
   * Streamed responses cut short because the client half-closed (FIN) after its request. Node's
   * http server ended the socket on the client's FIN until the adapter set httpAllowHalfOpen
   * (test/socket/half-close.test.ts); expected to stay 0 since.
   */
  cutAfterHalfClose: number;
  /**
   * Responses cut short because the server closed the connection while the client was still
   * sending its body (the handler answered without reading it): the client's next write meets a
   * closed socket, the RST that follows makes its TCP stack drop the unread end of the response.
   * A lingering close (drain the body for a while before closing) would avoid it.
   */
  cutWhileSending: number;
  cutWhileSendingSamples: string[];
  aborted: number;
  /** Connections where the server neither answered nor closed within ANSWER_WAIT_MS. */
  hung: string[];
  invalid: string[];
  leaks: string[];
  /** 5xx by the route the request was built from. */
  fiveHundreds: Map<string, number>;
}

type Parsed =
  | { kind: "incomplete" }
  | { kind: "invalid"; reason: string; truncated?: boolean }
  | { kind: "response"; status: number; head: string; body: Buffer; consumed: number };

/** Parses one response off the front of `buf` (after any 1xx), as a client would frame it. */
function parseResponse(buf: Buffer, headRequest: boolean, closed: boolean): Parsed {
  let offset = 0;
  for (;;) {
    const end = buf.indexOf("\r\n\r\n", offset);
    if (end < 0) {
      if (buf.length - offset > 64 * 1024) return { kind: "invalid", reason: "a response head over 64 KiB" };
      return closed && buf.length > offset
        ? {
            kind: "invalid",
            reason: `truncated head ${JSON.stringify(buf.subarray(offset, offset + 80).toString("latin1"))}`,
            truncated: true,
          }
        : { kind: "incomplete" };
    }
    const head = buf.subarray(offset, end).toString("latin1");
    const [statusLine, ...headerLines] = head.split("\r\n");
    const match = /^HTTP\/1\.1 ([1-5]\d\d) [^\r\n]*$/.exec(statusLine ?? "");
    if (!match)
      return { kind: "invalid", reason: `bad status line ${JSON.stringify(statusLine?.slice(0, 80))}` };
    const status = Number(match[1]);
    const headers = new Map<string, string>();
    for (const line of headerLines) {
      const colon = line.indexOf(":");
      if (colon <= 0 || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(line.slice(0, colon))) {
        return { kind: "invalid", reason: `bad header line ${JSON.stringify(line.slice(0, 80))}` };
      }
      const name = line.slice(0, colon).toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (headers.has(name) && (name === "content-length" || name === "transfer-encoding")) {
        return { kind: "invalid", reason: `repeated ${name}` };
      }
      headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
    }
    let start = end + 4;
    if (status >= 100 && status < 200) {
      offset = start; // 100 Continue: the real response follows
      continue;
    }
    if (headRequest || status === 204 || status === 304) {
      return { kind: "response", status, head, body: Buffer.alloc(0), consumed: start };
    }
    const te = headers.get("transfer-encoding");
    const cl = headers.get("content-length");
    if (te !== undefined) {
      if (te.toLowerCase() !== "chunked") return { kind: "invalid", reason: `transfer-encoding ${te}` };
      if (cl !== undefined) return { kind: "invalid", reason: "both content-length and chunked" };
      const parts: Buffer[] = [];
      for (;;) {
        const lineEnd = buf.indexOf("\r\n", start);
        if (lineEnd < 0)
          return closed
            ? { kind: "invalid", reason: "truncated chunked body", truncated: true }
            : { kind: "incomplete" };
        const sizeText = buf.subarray(start, lineEnd).toString("latin1");
        if (!/^[0-9a-fA-F]{1,8}$/.test(sizeText))
          return { kind: "invalid", reason: `bad chunk size ${JSON.stringify(sizeText.slice(0, 40))}` };
        const size = parseInt(sizeText, 16);
        start = lineEnd + 2;
        if (size === 0) {
          if (buf.length < start + 2)
            return closed
              ? { kind: "invalid", reason: "truncated last chunk", truncated: true }
              : { kind: "incomplete" };
          if (buf.subarray(start, start + 2).toString("latin1") !== "\r\n")
            return { kind: "invalid", reason: "trailers or garbage after the last chunk" };
          return { kind: "response", status, head, body: Buffer.concat(parts), consumed: start + 2 };
        }
        if (buf.length < start + size + 2)
          return closed
            ? { kind: "invalid", reason: "truncated chunk", truncated: true }
            : { kind: "incomplete" };
        parts.push(buf.subarray(start, start + size));
        if (buf.subarray(start + size, start + size + 2).toString("latin1") !== "\r\n")
          return { kind: "invalid", reason: "chunk not followed by CRLF" };
        start += size + 2;
      }
    }
    if (cl !== undefined) {
      if (!/^\d+$/.test(cl)) return { kind: "invalid", reason: `content-length ${cl}` };
      const length = Number(cl);
      if (buf.length < start + length)
        return closed
          ? { kind: "invalid", reason: `body shorter than content-length ${length}`, truncated: true }
          : { kind: "incomplete" };
      return {
        kind: "response",
        status,
        head,
        body: buf.subarray(start, start + length),
        consumed: start + length,
      };
    }
    // Neither: the body runs to the end of the connection, which must then say close.
    if (!closed) return { kind: "incomplete" };
    if (headers.get("connection")?.toLowerCase() !== "close")
      return { kind: "invalid", reason: "unframed body without Connection: close" };
    return { kind: "response", status, head, body: buf.subarray(start), consumed: buf.length };
  }
}

/** A rough reason why the server closed a request's connection without answering it. */
function closeCause(request: FuzzRequest): string {
  const head = request.bytes.toString("latin1");
  if (request.method === "CONNECT") return "CONNECT";
  if (/\r\nUpgrade:/i.test(head)) return "Upgrade";
  if (abortLike.has(request.method)) return "odd method";
  return "other";
}
const abortLike = new Set(["", "G ET", "GET\0"]);

const STACK = /\bat .*:\d+:\d+|node:internal|\/core\/(src|dist)\//;

/** One connection: a few requests (sequential or pipelined), sometimes an abrupt end. */
async function connection(rng: Rng, port: number, session: string, tally: Tally): Promise<void> {
  const requests: FuzzRequest[] = Array.from({ length: rng.chance(0.3) ? rng.int(2, 4) : 1 }, () =>
    fuzzRequest(rng, port, session),
  );
  const pipelined = rng.chance(0.3);
  const abortMode = rng.chance(0.12)
    ? rng.pick(["mid-write", "after-write", "reset", "half-close", "mid-read"] as const)
    : undefined;
  tally.connections += 1;
  tally.requests += requests.length;

  const socket = net.connect({ port, host: HOST });
  socket.setNoDelay(true);
  let buf: Buffer = Buffer.alloc(0);
  let closed = false;
  let wake: (() => void) | undefined;
  socket.on("data", (chunk: Buffer) => {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    wake?.();
  });
  let socketError: string | undefined;
  let ended = false;
  const openedAt = performance.now();
  socket.on("end", () => (ended = true));
  socket.on("error", (error: NodeJS.ErrnoException) => (socketError = error.code ?? error.message));
  socket.on("close", () => {
    closed = true;
    wake?.();
  });
  const connected = await new Promise<boolean>((resolve) => {
    socket.once("connect", () => resolve(true));
    socket.once("close", () => resolve(false));
  });
  if (!connected) {
    tally.invalid.push("could not connect to the server");
    return;
  }

  // Every random choice is made before any I/O, so that a seed replays the same bytes whatever
  // the timing: each write goes out in 1–6 pieces, sometimes with a pause after a piece.
  const plan = (length: number): Array<{ end: number; pause: number }> => {
    const pieces = rng.int(1, 6);
    const steps: Array<{ end: number; pause: number }> = [];
    let offset = 0;
    for (let p = 0; p < pieces; p++) {
      const end =
        p === pieces - 1 ? length : Math.min(length, offset + rng.int(0, Math.ceil(length / pieces) * 2));
      steps.push({ end, pause: rng.chance(0.2) ? rng.int(0, 15) : 0 });
      offset = end;
    }
    return steps;
  };
  const plans = pipelined
    ? [plan(requests.reduce((n, r) => n + r.bytes.length, 0))]
    : requests.map((r) => plan(r.bytes.length));
  /** The client was still writing when the server closed: its write failed (EPIPE, ECONNRESET). */
  let cutWhileSending = false;
  const write = async (bytes: Buffer, steps: Array<{ end: number; pause: number }>): Promise<void> => {
    let offset = 0;
    for (const { end, pause } of steps) {
      if (closed) {
        if (offset < bytes.length) cutWhileSending = true;
        return;
      }
      if (end > offset) {
        socket.write(bytes.subarray(offset, end), (error) => {
          if (error) cutWhileSending = true;
        });
      }
      offset = Math.max(offset, end);
      if (pause > 0) await sleep(pause);
    }
  };

  const describe = (request: FuzzRequest): string => {
    const all = Buffer.concat(requests.map((r) => r.bytes)).toString("latin1");
    // Long runs and repeated header lines collapsed, so the whole request fits in a report line.
    const shown = all
      .replace(/(.)\1{19,}/gs, (run, c: string) => `${c}…×${run.length}`)
      .replace(
        /([!-9;-~]+): [^\r\n]*\r\n(?:\1: [^\r\n]*\r\n){3,}/g,
        (run, name: string) => `${name}: …(×${run.split("\r\n").length - 1})\r\n`,
      )
      .slice(0, 1500);
    const at = requests.indexOf(request);
    return (
      `${request.route}${pipelined ? " (pipelined)" : ""}${abortMode ? ` (${abortMode})` : ""}, request ${at + 1}/${requests.length}, ` +
      `${all.length} bytes, ${socketError ?? (ended ? "FIN" : "open")} after ${Math.round(performance.now() - openedAt)} ms: ${JSON.stringify(shown)}`
    );
  };
  const awaitResponse = async (request: FuzzRequest): Promise<"ok" | "closed" | "hung" | "invalid"> => {
    const { route } = request;
    const deadline = performance.now() + ANSWER_WAIT_MS;
    for (;;) {
      const parsed = parseResponse(buf, request.method === "HEAD", closed);
      if (parsed.kind === "invalid") {
        const garbageFollows =
          request.trailingGarbage || (pipelined && request !== requests[requests.length - 1]);
        if (parsed.truncated === true && garbageFollows) {
          tally.cutByClientGarbage += 1;
          return "closed";
        }
        if (parsed.truncated === true && abortMode === "half-close") {
          tally.cutAfterHalfClose += 1;
          return "closed";
        }
        if (parsed.truncated === true && cutWhileSending) {
          tally.cutWhileSending += 1;
          if (tally.cutWhileSendingSamples.length < 3) tally.cutWhileSendingSamples.push(describe(request));
          return "closed";
        }
        tally.invalid.push(`${parsed.reason} — ${describe(request)}`);
        return "invalid";
      }
      if (parsed.kind === "response") {
        buf = buf.subarray(parsed.consumed);
        tally.responses += 1;
        tally.byStatus.set(parsed.status, (tally.byStatus.get(parsed.status) ?? 0) + 1);
        if (parsed.status >= 500) {
          tally.fiveHundreds.set(route, (tally.fiveHundreds.get(route) ?? 0) + 1);
          const text = parsed.head + "\n" + parsed.body.toString("latin1");
          if (STACK.test(text) || text.includes("hunter2"))
            tally.leaks.push(`${route} ${parsed.status}: ${text.slice(0, 300)}`);
        }
        return "ok";
      }
      if (closed) {
        if (request === requests[0]) {
          tally.closedWithoutAnswer += 1;
          const key =
            abortMode === "half-close"
              ? "client half-closed"
              : socketError === "EPIPE" || socketError === "ECONNRESET"
                ? "refused while the client was still sending (the 400 lost to the reset)"
                : closeCause(request);
          if (key === "other" && tally.closedSamples.length < 8) {
            tally.closedSamples.push(describe(request));
          }
          tally.closedCauses.set(key, (tally.closedCauses.get(key) ?? 0) + 1);
        } else tally.afterClose += 1;
        return "closed";
      }
      const left = deadline - performance.now();
      if (left <= 0) return "hung";
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  };

  let unmatched = false;
  try {
    if (abortMode === "mid-write") {
      const bytes = requests[0]!.bytes;
      socket.write(bytes.subarray(0, rng.int(0, bytes.length)));
      await sleep(rng.int(0, 20));
      tally.aborted += 1;
      return;
    }
    if (pipelined) await write(Buffer.concat(requests.map((r) => r.bytes)), plans[0]!);
    for (const [index, request] of requests.entries()) {
      if (!pipelined) await write(request.bytes, plans[index]!);
      if (abortMode === "after-write" || abortMode === "reset") {
        await sleep(rng.int(0, 10));
        if (abortMode === "reset") socket.resetAndDestroy();
        tally.aborted += 1;
        return;
      }
      if (abortMode === "half-close") socket.end();
      if (abortMode === "mid-read") {
        await new Promise((resolve) => setTimeout(resolve, rng.int(0, 30)));
        tally.aborted += 1;
        return;
      }
      const outcome = await awaitResponse(request);
      if (outcome === "hung") {
        tally.hung.push(describe(request));
        return;
      }
      if (outcome !== "ok") return;
      if (pipelined && request.swallowsFollowing && index < requests.length - 1) {
        // The server read part of what follows as this request's body: which request a later
        // response answers (and so whether it is a HEAD's, without a body) is unknowable here.
        unmatched = true;
        tally.unmatchedAfterLongBody += 1;
        break;
      }
    }
    // Whatever else the server sent (it may answer garbage after a lying body as a request of its
    // own) must also be well-formed.
    if (buf.length > 0) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      while (buf.length > 0) {
        const parsed = parseResponse(buf, false, closed);
        if (parsed.kind !== "response") {
          if (parsed.kind === "invalid" && !unmatched)
            tally.invalid.push(`after the expected responses: ${parsed.reason}`);
          break;
        }
        buf = buf.subarray(parsed.consumed);
        tally.byStatus.set(parsed.status, (tally.byStatus.get(parsed.status) ?? 0) + 1);
      }
    }
  } finally {
    socket.destroy();
  }
}

function summary(byStatus: Map<number, number>): string {
  return [...byStatus.entries()]
    .sort(([a], [b]) => a - b)
    .map(([status, n]) => `${status}×${n}`)
    .join(" ");
}

describe.skipIf(!coreBuilt)("row 25: crash-proofing", () => {
  it(
    `25: a ${SECONDS} s random HTTP fuzz → 0 process exits, only well-formed answers, no unhandled errors`,
    { timeout: (SECONDS + 90) * 1000 },
    async () => {
      const server = await running.start({
        config: {
          server: { headersTimeout: 1000, requestTimeout: 2000, keepAliveTimeout: 1000, closeTimeout: 2000 },
        },
      });
      // A real session cookie, so that some requests carry one.
      const login = await get(`${server.url}/session`);
      const session = String(login.headers["set-cookie"]?.[0] ?? "session=x").split(";")[0] as string;

      const tally: Tally = {
        requests: 0,
        connections: 0,
        responses: 0,
        byStatus: new Map(),
        closedWithoutAnswer: 0,
        afterClose: 0,
        closedCauses: new Map(),
        closedSamples: [],
        cutByClientGarbage: 0,
        unmatchedAfterLongBody: 0,
        cutAfterHalfClose: 0,
        cutWhileSending: 0,
        cutWhileSendingSamples: [],
        aborted: 0,
        hung: [],
        invalid: [],
        leaks: [],
        fiveHundreds: new Map(),
      };
      const t0 = performance.now();
      const deadline = t0 + SECONDS * 1000;
      let lastProgress = t0;
      const worker = async (index: number): Promise<void> => {
        const rng = random(SEED + index * 7919);
        while (performance.now() < deadline && server.alive) {
          await connection(rng, server.port, session, tally);
          if (index === 0 && performance.now() - lastProgress > 60_000) {
            lastProgress = performance.now();
            report(
              25,
              `… ${Math.round((lastProgress - t0) / 1000)} s: ${tally.requests} requests, ${summary(tally.byStatus)}`,
            );
          }
        }
      };
      await Promise.all(Array.from({ length: WORKERS }, (_, i) => worker(i)));
      const seconds = (performance.now() - t0) / 1000;

      await sleep(200); // anything the server logs late
      const alive = server.alive;
      const root = alive ? await get(`${server.url}/`) : undefined;
      const stats = alive ? await server.stats() : undefined;

      // Errors the child logged (pino level ≥ 50), grouped. Intended: the two throwing routes.
      const errors = new Map<string, number>();
      for (const line of server.logs()) {
        if (typeof line["level"] !== "number" || line["level"] < 50) continue;
        const err = line["err"] as { message?: string } | undefined;
        const key = `${String(line["msg"])}: ${err?.message?.slice(0, 120) ?? ""}`;
        errors.set(key, (errors.get(key) ?? 0) + 1);
      }
      const unexpected = [...errors].filter(
        ([key]) => !/^request failed: (.*secret internals.*|aborted on purpose)$/.test(key),
      );

      report(
        25,
        `${seconds.toFixed(0)} s fuzz, seed ${SEED}, ${WORKERS} clients: ${tally.requests} requests on ${tally.connections} connections ` +
          `(${Math.round(tally.requests / seconds)}/s), ${tally.responses} answered, ${tally.closedWithoutAnswer} closed without an answer ` +
          `(+ ${tally.afterClose} sent on connections the server had closed), ` +
          `${tally.aborted} aborted by the client, ${tally.cutByClientGarbage} cut by the client's own trailing garbage, ` +
          `${tally.unmatchedAfterLongBody} pipelined batches unmatched past a Content-Length longer than its body, ` +
          `${tally.cutAfterHalfClose} streams cut after the client half-closed, ` +
          `${tally.cutWhileSending} responses cut by a close while the client was still sending its body; process exits: ${alive ? 0 : 1}; invalid answers: ${tally.invalid.length}; ` +
          `hung: ${tally.hung.length}; 5xx leaking a stack or secret: ${tally.leaks.length}; ` +
          `unhandled rejections / uncaught exceptions logged: ${server.crashLines.length}`,
      );
      report(25, `statuses: ${summary(tally.byStatus)}`);
      report(
        25,
        `closed without an answer, by request: ${[...tally.closedCauses].map(([k, n]) => `${k} ${n}`).join(", ")}`,
      );
      for (const sample of tally.closedSamples) report(25, `closed without an answer: ${sample}`);
      for (const sample of tally.cutWhileSendingSamples)
        report(25, `cut while the client was still sending: ${sample}`);
      report(
        25,
        `5xx by route: ${[...tally.fiveHundreds].map(([r, n]) => `${r} ${n}`).join(", ") || "none"}`,
      );
      report(
        25,
        `errors the child logged: ${[...errors].map(([k, n]) => `${n}× ${k}`).join(" | ") || "none"}`,
      );
      for (const problem of [...tally.invalid, ...tally.hung, ...tally.leaks].slice(0, 20))
        report(25, `problem: ${problem}`);
      if (stats)
        report(
          25,
          `child after the fuzz: RSS ${(stats.rss / 1024 / 1024).toFixed(1)} MiB, heapUsed ${(stats.heapUsed / 1024 / 1024).toFixed(1)} MiB`,
        );

      expect(server.exit, `the server exited:\n${server.tail()}`).toBeUndefined();
      expect(root?.status).toBe(200);
      expect(root?.body).toBe("ok");
      expect(tally.invalid.slice(0, 10)).toEqual([]);
      expect(tally.leaks.slice(0, 5)).toEqual([]);
      expect(tally.hung.slice(0, 5)).toEqual([]);
      expect(server.crashLines.slice(0, 5)).toEqual([]);
      expect(unexpected.slice(0, 10)).toEqual([]);
      expect(tally.requests).toBeGreaterThan(SECONDS * 100);
    },
  );
});
