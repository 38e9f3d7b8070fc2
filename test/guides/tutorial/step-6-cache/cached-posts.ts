// step-6-cache/cached-posts.ts
import { Injectable } from "@flagon/core";
import { Cache } from "@flagon/cache";
import { Database } from "@flagon/database";
import { Posts } from "../step-2-database/posts.js";
import type { DB } from "../step-2-database/db.js";

/** Posts that empty the cached pages when one is published: provided in place of `Posts`. */
@Injectable()
export class CachedPosts extends Posts {
  constructor(
    db: Database<DB>,
    private readonly cache: Cache,
  ) {
    super(db);
  }

  override async create(title: string, body: string): Promise<number> {
    const id = await super.create(title, body);
    await this.cache.invalidateTag("posts");
    return id;
  }
}
