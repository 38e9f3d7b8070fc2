import "reflect-metadata";
// RELIABILITY row 13: request smuggling over a raw socket. test/socket/server-options.test.ts
// already sends the listed vectors (CL.TE, TE.CL, duplicate Content-Length, obs-fold, obs-fold
// hiding TE, bare LF, space before the colon, TE not ending in chunked, signed and listed
// Content-Length, NUL, a bare-LF chunk size, no Host; duplicate Host; absolute-form normalised)
// and proves each is a 400 with nothing behind it processed. This file adds the variants that
// list leaves out, with the same checks.
import { afterEach, describe, expect, it } from "vitest";
import { expectSmugglingRefused, harness, HOST, sleep, SMUGGLED, smugglingApp } from "../socket/helpers.js";
import { figure } from "./helpers.js";

const h = harness();
afterEach(() => h.cleanup());

const chunk = (text: string): string => `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n0\r\n\r\n`;
const post = (headers: string): string =>
  `POST /echo HTTP/1.1\r\nHost: ${HOST}\r\nContent-Type: text/plain\r\n${headers}\r\n`;

// [name, bytes on the wire]: each hides a second request or is ambiguous about its framing.
const vectors: Array<[string, string]> = [
  ["Transfer-Encoding: xchunked", `${post("Transfer-Encoding: xchunked\r\n")}${chunk(SMUGGLED)}`],
  [
    "Transfer-Encoding: chunked with a trailing comma",
    `${post("Transfer-Encoding: chunked,\r\n")}${chunk(SMUGGLED)}`,
  ],
  [
    "two Transfer-Encoding headers (chunked, then identity)",
    `${post("Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n")}${chunk(SMUGGLED)}`,
  ],
  [
    "Transfer-Encoding with a vertical tab",
    `${post("Transfer-Encoding:\u000bchunked\r\n")}${chunk(SMUGGLED)}`,
  ],
  ["Content-Length with a space before the colon", `${post("Content-Length : 5\r\n")}hello${SMUGGLED}`],
  ["Content-Length in hexadecimal", `${post("Content-Length: 0x5\r\n")}hello${SMUGGLED}`],
  ["Content-Length with an inner space", `${post("Content-Length: 1 0\r\n")}helloworld${SMUGGLED}`],
  ["Content-Length larger than 2^64", `${post("Content-Length: 99999999999999999999999\r\n")}hello`],
  [
    "chunk size overflowing 64 bits",
    `${post("Transfer-Encoding: chunked\r\n")}FFFFFFFFFFFFFFFFF\r\nhello\r\n0\r\n\r\n`,
  ],
  [
    "chunk extension with a bare CR",
    `${post("Transfer-Encoding: chunked\r\n")}5;a=b\rc\r\nhello\r\n0\r\n\r\n${SMUGGLED}`,
  ],
  [
    "chunk data longer than its size",
    `${post("Transfer-Encoding: chunked\r\n")}2\r\nhello\r\n0\r\n\r\n${SMUGGLED}`,
  ],
  ["a request line ended by a bare CR", `GET / HTTP/1.1\rHost: ${HOST}\r\n\r\n${SMUGGLED}`],
  ["a header line ended by a bare CR", `GET / HTTP/1.1\r\nHost: ${HOST}\rX: y\r\n\r\n${SMUGGLED}`],
  [
    "a control character in a header name",
    `GET / HTTP/1.1\r\nHost: ${HOST}\r\nX\u0001Y: z\r\n\r\n${SMUGGLED}`,
  ],
  ["a space inside a header name", `GET / HTTP/1.1\r\nHost: ${HOST}\r\nContent Length: 5\r\n\r\n${SMUGGLED}`],
  ["an unknown HTTP version", `GET / HTTP/1.2\r\nHost: ${HOST}\r\n\r\n${SMUGGLED}`],
  ["an empty Host and a second one", `GET / HTTP/1.1\r\nHost:\r\nHost: ${HOST}\r\n\r\n${SMUGGLED}`],
];

describe("row 13 — request smuggling: vectors beyond test/socket/server-options.test.ts", () => {
  const outcomes: string[] = [];
  let http10 = 0;

  it.each(vectors)("%s → 400, connection closed, nothing behind it processed", async (name, wire) => {
    await expectSmugglingRefused(h, wire);
    outcomes.push(`${name}: 400`);
  });

  it("HTTP/1.0 with Transfer-Encoding: chunked → never more than one message, then the connection closes", async () => {
    // RFC 9112 §6.1: process it as faulty framing, then close. Node reads the chunked message
    // and refuses the bytes behind it (400, HPE_CLOSED_CONNECTION), whichever answer comes first.
    const { app, smuggled } = smugglingApp(h);
    const port = await h.listen(app);
    const client = await h.raw(port);
    await client.write(
      `POST /echo HTTP/1.0\r\nHost: ${HOST}\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n${chunk("hello")}${SMUGGLED}`,
    );
    const res = await client.readResponse({ timeout: 2000 });
    expect([200, 400]).toContain(res.status);
    expect(await client.waitEnd(2000)).toBe(true);
    expect(client.pending.toString("latin1")).not.toContain("smuggled!");
    await sleep(50);
    expect(smuggled()).toBe(0);
    http10 = res.status;
  });

  it("figure: every vector refused", () => {
    figure(
      "row 13",
      "extra smuggling vectors",
      `${outcomes.length} sent, ${outcomes.filter((o) => o.endsWith(": 400")).length} → 400; HTTP/1.0 + chunked → ${http10} then closed, 0 smuggled`,
    );
    expect(outcomes).toHaveLength(vectors.length);
  });
});
