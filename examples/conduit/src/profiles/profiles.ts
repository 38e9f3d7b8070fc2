// Profiles (the public face of a user) and who follows whom.
import { Injectable, NotFoundError } from "@flagon/core";
import { Database } from "@flagon/database";
import type { DB, UserRow } from "../db.js";
import { unprocessable } from "../http/errors.js";

/** The spec's Profile. */
export interface ProfileJson {
  username: string;
  bio: string;
  image: string;
  following: boolean;
}

export function profileJson(
  user: Pick<UserRow, "username" | "bio" | "image">,
  following: boolean,
): ProfileJson {
  return { username: user.username, bio: user.bio, image: user.image, following };
}

@Injectable()
export class Profiles {
  constructor(private readonly db: Database<DB>) {}

  /** The user called `username`, or a 404 naming it. */
  async byUsername(username: string): Promise<UserRow> {
    const user = await this.db
      .selectFrom("users")
      .selectAll()
      .where("username", "=", username)
      .executeTakeFirst();
    if (user === undefined) throw new NotFoundError(`profile ${JSON.stringify(username)} does not exist`);
    return user;
  }

  /** Of `authorIds`, those `viewer` follows (none for an anonymous viewer). */
  async followedAmong(viewer: number | undefined, authorIds: readonly number[]): Promise<Set<number>> {
    if (viewer === undefined || authorIds.length === 0) return new Set();
    const rows = await this.db
      .selectFrom("follows")
      .select("followed_id")
      .where("follower_id", "=", viewer)
      .where("followed_id", "in", [...new Set(authorIds)])
      .execute();
    return new Set(rows.map((row) => row.followed_id));
  }

  async profile(username: string, viewer: number | undefined): Promise<{ profile: ProfileJson }> {
    const user = await this.byUsername(username);
    const following = (await this.followedAmong(viewer, [user.id])).has(user.id);
    return { profile: profileJson(user, following) };
  }

  /** Follows `username` (following twice is the same as once). */
  async follow(viewer: number, username: string): Promise<{ profile: ProfileJson }> {
    const user = await this.byUsername(username);
    if (user.id === viewer) throw unprocessable("you cannot follow yourself");
    await this.db
      .insertInto("follows")
      .values({ follower_id: viewer, followed_id: user.id })
      .onConflict((conflict) => conflict.columns(["follower_id", "followed_id"]).doNothing())
      .execute();
    return { profile: profileJson(user, true) };
  }

  async unfollow(viewer: number, username: string): Promise<{ profile: ProfileJson }> {
    const user = await this.byUsername(username);
    await this.db
      .deleteFrom("follows")
      .where("follower_id", "=", viewer)
      .where("followed_id", "=", user.id)
      .execute();
    return { profile: profileJson(user, false) };
  }
}
