import { randomBytes } from "node:crypto";
import { copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { UploadedFile } from "@flagon/forms";

/** The image types a post accepts, recognised by their first bytes (never by the client's claim). */
const SIGNATURES: { type: string; ext: string; test: (head: Buffer) => boolean }[] = [
  {
    type: "image/png",
    ext: "png",
    test: (h) => h.subarray(0, 8).equals(Buffer.from("89504e470d0a1a0a", "hex")),
  },
  { type: "image/jpeg", ext: "jpg", test: (h) => h[0] === 0xff && h[1] === 0xd8 && h[2] === 0xff },
  { type: "image/gif", ext: "gif", test: (h) => /^GIF8[79]a/.test(h.subarray(0, 6).toString("latin1")) },
  {
    type: "image/webp",
    ext: "webp",
    test: (h) =>
      h.subarray(0, 4).toString("latin1") === "RIFF" && h.subarray(8, 12).toString("latin1") === "WEBP",
  },
];

/** The largest image a post may carry, in bytes. */
export const MAX_IMAGE_BYTES = 2 * 1024 * 1024;

/** A stored image's name: 32 hex characters and one of the known extensions. */
export const STORED_NAME = /^[0-9a-f]{32}\.(png|jpg|gif|webp)$/;

/** The image type of some content by its magic bytes, or undefined when it is none of PNG, JPEG, GIF, WebP. */
export function sniffImage(head: Buffer): { type: string; ext: string } | undefined {
  const found = SIGNATURES.find((signature) => signature.test(head));
  return found && { type: found.type, ext: found.ext };
}

async function head(file: UploadedFile): Promise<Buffer> {
  if (file.buffer !== undefined) return file.buffer.subarray(0, 16);
  if (file.path !== undefined) return (await readFile(file.path)).subarray(0, 16);
  return Buffer.alloc(0);
}

/** Where uploads live by default: `data/uploads` under the app root. */
export function defaultUploadsFolder(root: string): string {
  return path.join(root, "data", "uploads");
}

/**
 * Checks that an uploaded file is an image by its content and stores it under a generated name
 * (the client's filename is never used on disk). Resolves to the stored name, or to an error
 * message naming the problem.
 */
export async function storeImage(
  folder: string,
  file: UploadedFile,
): Promise<{ name: string } | { error: string }> {
  if (file.size > MAX_IMAGE_BYTES)
    return { error: `Images are at most ${MAX_IMAGE_BYTES / 1024 / 1024} MB.` };
  const kind = sniffImage(await head(file));
  if (kind === undefined) return { error: "That file is not a PNG, JPEG, GIF or WebP image." };
  await mkdir(folder, { recursive: true });
  const name = `${randomBytes(16).toString("hex")}.${kind.ext}`;
  const target = path.join(folder, name);
  if (file.buffer !== undefined) await writeFile(target, file.buffer, { flag: "wx" });
  else if (file.path !== undefined) await copyFile(file.path, target);
  return { name };
}

/** Removes a stored image (a post's old image after a replacement, or a deleted post's). */
export async function removeImage(folder: string, name: string | null | undefined): Promise<void> {
  if (name == null || !STORED_NAME.test(name)) return;
  await rm(path.join(folder, name), { force: true });
}
