import { fileURLToPath } from "node:url";
import { Flagon, type FlagonOptions } from "@flagon/core";
import auth, { UserLoader } from "@flagon/auth";
import database from "@flagon/database";
import { ArticlesController } from "./articles/articles.controller.js";
import { CommentsController } from "./comments/comments.controller.js";
import { useConduitErrors } from "./http/errors.js";
import { ProfilesController } from "./profiles/profiles.controller.js";
import { TagsController } from "./tags/tags.controller.js";
import { UsersController } from "./users/users.controller.js";
import { LoginLimits, loginLimits } from "./users/login-limits.js";
import { ConduitUserLoader } from "./users/users.js";

/**
 * The example's folder: `flagon.config.json` (the default database URL), `migrations/` and
 * `data/` are found from it. Both `src/app.ts` (tests) and `dist/app.js` sit one level below.
 */
export const conduitRoot = fileURLToPath(new URL("..", import.meta.url));

/** Everything `new Flagon()` accepts except the controllers, which this app fixes. */
export type ConduitOptions = Omit<FlagonOptions, "controllers">;

/**
 * Builds the Conduit API (every path under `/api`) without listening or migrating. The
 * database URL comes from `database.url` (default `sqlite:./data/conduit.db`, set in
 * flagon.config.json; `FLAGON_DATABASE__URL` overrides it); the JWT keys from `auth.jwt.keys`;
 * `secretKey` must be set, since @flagon/auth needs sessions on (this API never sets a cookie).
 *
 * @example
 * const app = createApp({ config: { secretKey, auth: { jwt: { keys: [{ alg: "HS256", secret }] } } } });
 * await app.ready();
 * await migrateToLatest(app);
 * await app.inject({ method: "POST", url: "/api/users", json: { user: { username, email, password } } });
 */
export function createApp(options: ConduitOptions = {}): Flagon {
  const app = new Flagon({
    root: conduitRoot,
    ...options,
    controllers: [
      UsersController,
      ProfilesController,
      ArticlesController,
      CommentsController,
      TagsController,
    ],
  });
  app.provide({ provide: UserLoader, useClass: ConduitUserLoader });
  app.provide({ provide: LoginLimits, useValue: loginLimits() });
  app.register(database);
  // RealWorld clients send `Authorization: Token <jwt>`.
  app.register(auth, { tokenSchemes: ["Token"], realm: "conduit" });
  useConduitErrors(app);
  return app;
}
