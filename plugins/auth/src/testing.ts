/**
 * Test helpers: log a test client in as a user without going through the login form (Flask-
 * Login's FlaskLoginClient), and make a bearer header for a token.
 *
 * @module @flagon/auth/testing
 */
import { randomBytes } from "node:crypto";
import { NotFoundError, type Flagon } from "@flagon/core";
import type { TestClient } from "@flagon/core/testing";
import type { AuthUser } from "./identity.js";
import { login, type LoginOptions } from "./login.js";

/** The route that loginAs() calls; it exists only in apps whose env is "test". */
export const LOGIN_AS_PATH = "/__flagon/auth/login-as";

/** The Authorization scheme of loginAs()'s request (no token scheme, so no login by itself). */
const LOGIN_AS_SCHEME = "Flagon-Login-As";

const secrets = new WeakMap<Flagon, string>();

/** @internal The plugin adds the route in test apps; a per-app secret known only in-process guards it. */
export function addLoginAsRoute(app: Flagon, find: (id: string) => Promise<AuthUser | undefined>): void {
  const secret = randomBytes(32).toString("base64url");
  secrets.set(app, secret);
  app.post(LOGIN_AS_PATH, async (ctx) => {
    if (ctx.request.headers.authorization !== `${LOGIN_AS_SCHEME} ${secret}`) throw new NotFoundError();
    const { id, remember, fresh } = (await ctx.body()) as { id: string } & LoginOptions;
    const user = await find(String(id));
    if (user === undefined) throw new Error(`loginAs: the UserLoader found no user ${JSON.stringify(id)}`);
    await login(ctx, user, { remember: remember ?? false, fresh: fresh ?? true });
    return { ok: true };
  });
}

/**
 * Logs the client in as `user` (found again by the app's UserLoader from its id): later
 * requests of the client carry the session cookie, as after a real login.
 */
export async function loginAs(
  app: Flagon,
  client: TestClient,
  user: AuthUser | string | number,
  options: LoginOptions = {},
): Promise<void> {
  await app.ready();
  const secret = secrets.get(app);
  if (secret === undefined)
    throw new Error('loginAs() needs an app whose env is "test" with @flagon/auth registered');
  const id = typeof user === "object" ? user.id : user;
  const res = await client.post(LOGIN_AS_PATH, {
    // In Authorization, like any credential a browser never sends by itself: a CSRF check
    // (@flagon/forms) lets it through, as it does API calls.
    headers: { authorization: `${LOGIN_AS_SCHEME} ${secret}` },
    json: { id: String(id), ...options },
  });
  if (res.statusCode !== 200) throw new Error(`loginAs failed with ${res.statusCode}: ${res.body}`);
}

/** `{ authorization: "Bearer <token>" }`, for inject() or a test client's headers. */
export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}
