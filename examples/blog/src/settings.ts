/** Settings of one blog app, provided as a value in its container. */
export class BlogSettings {
  constructor(
    /** The folder post images are stored in (default `data/uploads` under the app root). */
    readonly uploadsDir: string,
  ) {}
}
