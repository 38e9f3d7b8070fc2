// step-2-database/posts.ts
import { Injectable } from "@flagon/core";
import { Database } from "@flagon/database";
import type { DB } from "./db.js";

/** The posts table: newest first. */
@Injectable()
export class Posts {
  constructor(private readonly db: Database<DB>) {}

  latest() {
    return this.db.selectFrom("posts").selectAll().orderBy("id", "desc").limit(20).execute();
  }

  find(id: number) {
    return this.db.selectFrom("posts").selectAll().where("id", "=", id).executeTakeFirst();
  }

  async create(title: string, body: string): Promise<number> {
    const { id } = await this.db
      .insertInto("posts")
      .values({ title, body, created_at: new Date().toISOString() })
      .returning("id")
      .executeTakeFirstOrThrow();
    return id;
  }
}
