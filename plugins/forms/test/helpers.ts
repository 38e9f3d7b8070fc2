import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach } from "vitest";
import { Flagon, type FlagonOptions } from "@flagon/core";
import { inject } from "@flagon/core/testing";
import forms from "../src/index.js";

export const SECRET = "a-test-secret-key-that-is-long-enough-123";

/** An app with the forms plugin; `forms` options are passed to the plugin. */
export function makeApp(
  pluginOptions: Record<string, unknown> = {},
  options: Partial<FlagonOptions> = {},
): Flagon {
  return new Flagon({
    configFile: false,
    logger: false,
    ...options,
    config: { env: "test", secretKey: SECRET, ...(options.config ?? {}) },
    plugins: [[forms, pluginOptions]],
  });
}

export interface Part {
  name: string;
  value?: string | Buffer;
  filename?: string;
  type?: string;
}

export const BOUNDARY = "----flagonTestBoundary7MA4YWxkTrZu0gW";

/** A multipart/form-data body of `parts`. */
export function multipart(parts: Part[], boundary = BOUNDARY): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"`;
    if (part.filename !== undefined) head += `; filename="${part.filename}"`;
    head += "\r\n";
    if (part.type !== undefined) head += `Content-Type: ${part.type}\r\n`;
    chunks.push(Buffer.from(`${head}\r\n`), Buffer.from(part.value ?? ""), Buffer.from("\r\n"));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

export const MULTIPART = `multipart/form-data; boundary=${BOUNDARY}`;

/** POSTs `body` with `type` (multipart by default) and no other header. */
export function postBody(app: Flagon, url: string, body: Buffer | string, type = MULTIPART) {
  return inject(app, { method: "POST", url, headers: { "content-type": type }, body });
}

/** A function making temp dirs that are removed after each test of the file. */
export function useTempDirs(prefix: string): () => string {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(path.join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
}
