import { Injectable } from "@flagon/core";
import { hashPassword, UserLoader } from "@flagon/auth";
import { Database } from "@flagon/database";
import type { DB } from "./db.js";

/** What the app knows of a signed-in user (what `current_user` is in templates). */
export interface User {
  id: number;
  username: string;
  sessionVersion: number;
}

interface UserRow {
  id: number;
  username: string;
  session_version: number;
}

const toUser = (row: UserRow): User => ({
  id: row.id,
  username: row.username,
  sessionVersion: row.session_version,
});

/** The accounts: finds users for @flagon/auth (by session id or API token hash) and creates them. */
@Injectable()
export class Users extends UserLoader<User> {
  constructor(private readonly db: Database<DB>) {
    super();
  }

  override async load(id: string): Promise<User | undefined> {
    if (!/^\d{1,15}$/.test(id)) return undefined;
    const row = await this.db
      .selectFrom("users")
      .select(["id", "username", "session_version"])
      .where("id", "=", Number(id))
      .executeTakeFirst();
    return row && toUser(row);
  }

  override async loadByToken(hash: string): Promise<User | undefined> {
    const token = await this.db
      .selectFrom("api_tokens")
      .select(["id", "user_id"])
      .where("hash", "=", hash)
      .executeTakeFirst();
    if (token === undefined) return undefined;
    await this.db
      .updateTable("api_tokens")
      .set({ last_used_at: new Date().toISOString() })
      .where("id", "=", token.id)
      .execute();
    return this.load(String(token.user_id));
  }

  /** The account for a login form: the user with its password hash. */
  async byUsername(username: string): Promise<(User & { passwordHash: string }) | undefined> {
    const row = await this.db
      .selectFrom("users")
      .select(["id", "username", "session_version", "password_hash"])
      .where("username", "=", username)
      .executeTakeFirst();
    return row && { ...toUser(row), passwordHash: row.password_hash };
  }

  async exists(username: string): Promise<boolean> {
    const row = await this.db
      .selectFrom("users")
      .select("id")
      .where("username", "=", username)
      .executeTakeFirst();
    return row !== undefined;
  }

  async create(username: string, password: string): Promise<User> {
    const { id } = await this.db
      .insertInto("users")
      .values({ username, password_hash: await hashPassword(password), created_at: new Date().toISOString() })
      .returning("id")
      .executeTakeFirstOrThrow();
    return { id, username, sessionVersion: 1 };
  }

  async setPasswordHash(id: number, hash: string): Promise<void> {
    await this.db.updateTable("users").set({ password_hash: hash }).where("id", "=", id).execute();
  }

  /** Stores a token's hash for the user; the token itself is shown once and never kept. */
  async addToken(userId: number, name: string, issued: { hash: string; preview: string }): Promise<void> {
    await this.db
      .insertInto("api_tokens")
      .values({
        user_id: userId,
        name,
        hash: issued.hash,
        preview: issued.preview,
        created_at: new Date().toISOString(),
      })
      .execute();
  }

  tokens(userId: number) {
    return this.db
      .selectFrom("api_tokens")
      .select(["id", "name", "preview", "created_at", "last_used_at"])
      .where("user_id", "=", userId)
      .orderBy("id", "desc")
      .execute();
  }

  async revokeToken(userId: number, tokenId: number): Promise<void> {
    await this.db.deleteFrom("api_tokens").where("id", "=", tokenId).where("user_id", "=", userId).execute();
  }
}
