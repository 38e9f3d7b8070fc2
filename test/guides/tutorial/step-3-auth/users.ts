// step-3-auth/users.ts
import { Injectable } from "@flagon/core";
import { hashPassword, UserLoader } from "@flagon/auth";
import { Database } from "@flagon/database";
import type { DB } from "./db.js";

/** What the app knows of a signed-in user: `current_user` in templates. */
export interface User {
  id: number;
  username: string;
}

/** Finds users for @flagon/auth (by the id a session holds), and creates them. */
@Injectable()
export class Users extends UserLoader<User> {
  constructor(private readonly db: Database<DB>) {
    super();
  }

  override load(id: string): Promise<User | undefined> {
    return this.db
      .selectFrom("users")
      .select(["id", "username"])
      .where("id", "=", Number(id))
      .executeTakeFirst();
  }

  /** The account a login form names, with its password hash. */
  byUsername(username: string) {
    return this.db.selectFrom("users").selectAll().where("username", "=", username).executeTakeFirst();
  }

  async exists(username: string): Promise<boolean> {
    return (await this.byUsername(username)) !== undefined;
  }

  async create(username: string, password: string): Promise<User> {
    const { id } = await this.db
      .insertInto("users")
      .values({ username, password_hash: await hashPassword(password) })
      .returning("id")
      .executeTakeFirstOrThrow();
    return { id, username };
  }
}
