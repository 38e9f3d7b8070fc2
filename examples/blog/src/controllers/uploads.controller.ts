import { abort, Controller, Get, Param, sendFile, type FileResponse } from "@flagon/core";
import { BlogSettings } from "../settings.js";
import { STORED_NAME } from "../uploads.js";

const TYPES: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
};

/** Serves the images stored with posts. Only generated names are served, with their sniffed type. */
@Controller("/uploads")
export class UploadsController {
  constructor(private readonly settings: BlogSettings) {}

  @Get("/<name>")
  image(@Param("name") name: string): FileResponse {
    const match = STORED_NAME.exec(name);
    if (match === null) abort(404, "there is no such image");
    // A stored name never changes content, so browsers may keep it for a year. The core's
    // security headers add `X-Content-Type-Options: nosniff`.
    return sendFile(name, {
      root: this.settings.uploadsDir,
      contentType: TYPES[match[1] as string] ?? "application/octet-stream",
      cacheControl: "public, max-age=31536000, immutable",
    });
  }
}
