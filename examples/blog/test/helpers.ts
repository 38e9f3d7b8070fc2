import { deflateSync } from "node:zlib";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Flagon } from "@flagon/core";
import type { TestClient } from "@flagon/core/testing";
import { createApp, type BlogAppOptions } from "../src/app.js";

export const SECRET_KEY = "a test key, long enough to sign the blog's cookies";

/** A blog on an in-memory database, migrated, with nothing seeded unless asked. */
export async function testApp(options: BlogAppOptions = {}): Promise<Flagon> {
  const app = createApp({
    logger: false,
    seed: false,
    ...options,
    config: {
      env: "test",
      secretKey: SECRET_KEY,
      database: { url: "sqlite::memory:" },
      ...options.config,
    },
  });
  await app.ready();
  return app;
}

/** A temporary folder, removed by the returned function. */
export async function tempFolder(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), "flagon-blog-"));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** The value of the hidden CSRF field of a page's first form. */
export function csrfOf(html: string): string {
  const match = /name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"/.exec(html);
  const token = match?.[1] ?? match?.[2];
  if (token === undefined) throw new Error("the page has no CSRF field");
  return token;
}

export function setCookies(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

export interface Part {
  name: string;
  value: string | Buffer;
  filename?: string;
  type?: string;
}

const BOUNDARY = "----flagon-blog-test-boundary";
export const MULTIPART_TYPE = `multipart/form-data; boundary=${BOUNDARY}`;

/** A multipart/form-data body, as a browser sends a form with a file input. */
export function multipartBody(parts: Part[]): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const file = part.filename === undefined ? "" : `; filename="${part.filename}"`;
    const type = part.type === undefined ? "" : `\r\nContent-Type: ${part.type}`;
    chunks.push(
      Buffer.from(
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${part.name}"${file}${type}\r\n\r\n`,
      ),
    );
    chunks.push(typeof part.value === "string" ? Buffer.from(part.value) : part.value);
    chunks.push(Buffer.from("\r\n"));
  }
  chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = (CRC_TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A real PNG of one colour (a gradient band across it, so screenshots show something). */
export function makePng(width: number, height: number, rgb: [number, number, number]): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits, truecolour
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      const shade = 0.6 + (0.4 * (x + y)) / (width + height);
      row.set(
        rgb.map((c) => Math.round(c * shade)),
        1 + x * 3,
      );
    }
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from("89504e470d0a1a0a", "hex"),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(Buffer.concat(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** A client of `app` logged in through the real login form (GET for the token, then POST). */
export async function loggedInClient(app: Flagon, username: string, password: string): Promise<TestClient> {
  const client = app.testClient();
  const page = await client.get("/login", { headers: { accept: "text/html" } });
  const res = await client.post("/login", {
    headers: { accept: "text/html" },
    form: { csrf_token: csrfOf(page.body), username, password },
  });
  if (res.statusCode !== 303) throw new Error(`logging in as ${username} answered ${res.statusCode}`);
  return client;
}
