import { abort, type Context } from "@flagon/core";
import type { Principal } from "@flagon/auth";
import { Posts } from "../posts.js";
import type { User } from "../users.js";

/**
 * The author-only guard, for `@Can(isAuthor)` on a route with an `<int:id>` post: true when the
 * signed-in user wrote the post. An unknown post passes, so that the handler answers 404 rather
 * than the guard a 403 that would reveal nothing anyway.
 */
export async function isAuthor(user: Principal, ctx: Context): Promise<boolean> {
  if (!user.isAuthenticated) return false;
  const id = Number(ctx.request.params["id"]);
  const post = await ctx.container.resolve(Posts).find(id);
  return post === undefined || post.authorId === (user as Principal<User>).id;
}

/** The signed-in user of a `@LoginRequired` route (the guard has already turned anonymous requests away). */
export function signedIn(user: Principal<User>): User {
  if (!user.isAuthenticated) abort(401, "log in first");
  return user;
}
