// Accounts: registration, login, the current user and its changes, and the UserLoader through
// which @flagon/auth finds the user a token names.
import { Injectable, UnauthorizedError, type Context, type Flagon } from "@flagon/core";
import { UserLoader, hashPassword, issueJwt, verifyPassword } from "@flagon/auth";
import { Database } from "@flagon/database";
import type { DB, UserRow } from "../db.js";
import { unprocessable } from "../http/errors.js";
import { LoginLimits } from "./login-limits.js";
import type { LoginBody, NewUserBody, UpdateUserBody } from "./schemas.js";

/** The spec's User: what /users, /users/login and /user answer. */
export interface UserJson {
  email: string;
  token: string;
  username: string;
  bio: string;
  image: string;
}

@Injectable()
export class Users {
  constructor(
    private readonly db: Database<DB>,
    private readonly limits: LoginLimits,
  ) {}

  byId(id: number): Promise<UserRow | undefined> {
    return this.db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
  }

  async register(input: NewUserBody["user"]): Promise<UserRow> {
    await this.assertFree({ email: input.email, username: input.username });
    const passwordHash = await hashPassword(input.password);
    const { id } = await this.db
      .insertInto("users")
      .values({ username: input.username, email: input.email, password_hash: passwordHash })
      .returning("id")
      .executeTakeFirstOrThrow();
    return (await this.byId(id))!;
  }

  /**
   * The user whose email and password these are; a 401 otherwise (never saying which was
   * wrong), and a 429 past the failed-login limits.
   */
  async authenticate(ctx: Context, input: LoginBody["user"]): Promise<UserRow> {
    await this.limits.check(ctx, input.email);
    const user = await this.db
      .selectFrom("users")
      .selectAll()
      .where("email", "=", input.email)
      .executeTakeFirst();
    // verifyPassword takes as long without a user as with one: no account enumeration by timing.
    if (!(await verifyPassword(user?.password_hash, input.password)) || user === undefined) {
      await this.limits.fail(ctx, input.email);
      throw new UnauthorizedError("email or password is invalid");
    }
    await this.limits.succeed(ctx, input.email);
    return user;
  }

  async update(user: UserRow, changes: UpdateUserBody["user"]): Promise<UserRow> {
    await this.assertFree({ email: changes.email, username: changes.username }, user.id);
    const values: Partial<UserRow> = {};
    if (changes.email !== undefined) values.email = changes.email;
    if (changes.username !== undefined) values.username = changes.username;
    if (changes.bio !== undefined) values.bio = changes.bio;
    if (changes.image !== undefined) values.image = changes.image;
    if (changes.password !== undefined) values.password_hash = await hashPassword(changes.password);
    await this.db.updateTable("users").set(values).where("id", "=", user.id).execute();
    return (await this.byId(user.id))!;
  }

  /** 422 when another account holds the email or username (the database's unique index backs it). */
  private async assertFree(fields: { email?: string; username?: string }, self?: number): Promise<void> {
    const taken: string[] = [];
    for (const field of ["email", "username"] as const) {
      const value = fields[field];
      if (value === undefined) continue;
      let query = this.db.selectFrom("users").select("id").where(field, "=", value);
      if (self !== undefined) query = query.where("id", "<>", self);
      if ((await query.executeTakeFirst()) !== undefined) taken.push(`${field} has already been taken`);
    }
    if (taken.length > 0) throw unprocessable(...taken);
  }
}

/** The spec's User for a row, with a new token for it. */
export async function userJson(app: Flagon, user: UserRow): Promise<{ user: UserJson }> {
  return {
    user: {
      email: user.email,
      token: await issueJwt(app, String(user.id)),
      username: user.username,
      bio: user.bio,
      image: user.image,
    },
  };
}

/** How @flagon/auth finds the user of a token's subject (the user's id). */
@Injectable()
export class ConduitUserLoader extends UserLoader<UserRow> {
  constructor(private readonly users: Users) {
    super();
  }

  override load(id: string): Promise<UserRow | undefined> | undefined {
    return /^[1-9][0-9]{0,9}$/.test(id) ? this.users.byId(Number(id)) : undefined;
  }
}
