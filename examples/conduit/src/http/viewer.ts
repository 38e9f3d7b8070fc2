// Who is asking. Routes that need a login carry @LoginRequired() (a 401 before the body is
// read) and take the user with @Me(); routes where a login is optional take @Viewer(), which
// is undefined for an anonymous request and a 401 for a token that does not verify — or, with
// @Viewer({ badToken: "anonymous" }), where the spec declares no 401 (GetArticle), anonymous.
import { UnauthorizedError, createParamDecorator, type Context } from "@flagon/core";
import { currentUser } from "@flagon/auth";
import type { UserRow } from "../db.js";

const CHALLENGE = { "www-authenticate": 'Token realm="conduit"' };

function refused(message: string): InstanceType<typeof UnauthorizedError> {
  return new UnauthorizedError(message, { headers: CHALLENGE });
}

export interface ViewerOptions {
  /** What a token that does not verify means: a 401 (the default), or an anonymous request. */
  readonly badToken?: "refuse" | "anonymous";
}

async function viewerOf(ctx: Context, options: ViewerOptions = {}): Promise<UserRow | undefined> {
  const user = await currentUser<UserRow>(ctx);
  if (user.isAuthenticated) return user;
  if (ctx.request.headers.authorization !== undefined && options.badToken !== "anonymous") {
    throw refused("the Authorization header holds no valid token (send: Token <jwt>)");
  }
  return undefined;
}

/** The logged-in user, or undefined; a token that does not verify is a 401. */
export const Viewer = createParamDecorator(
  (ctx: Context, options: ViewerOptions | undefined) => viewerOf(ctx, options),
  { name: "Viewer" },
);

/** The logged-in user, on routes guarded by @LoginRequired(). */
export const Me = createParamDecorator(
  async (ctx: Context) => {
    const user = await viewerOf(ctx);
    if (user === undefined) throw refused("log in first");
    return user;
  },
  { name: "Me" },
);
