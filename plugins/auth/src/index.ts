/**
 * @flagon/auth: who is asking (session, remember-me cookie, API token, JWT), logins that cannot
 * be fixated, guards for pages and APIs, argon2id passwords and failed-login limits. Written
 * only against the public plugin API of `@flagon/core`; the app says how users are found.
 *
 * @example
 * app.provide({ provide: UserLoader, useClass: Users });
 * app.register(auth, { loginUrl: "/login" });
 *
 * @module @flagon/auth
 */
import { createRequire } from "node:module";
import { createKeyv } from "@keyv/redis";
import type Keyv from "keyv";
import type { Flagon } from "@flagon/core";
import { createParamDecorator, definePlugin } from "@flagon/core/plugin";
import { z } from "zod";
import { ApiTokens, ApiTokenStore } from "./api-tokens.js";
import { guard, isGuarded } from "./guards.js";
import { attachIdentity, currentUser, type IdentitySettings, UserLoader } from "./identity.js";
import { jwtVerifier } from "./jwt.js";
import { RememberRevocations } from "./remember.js";
import { Limiter } from "./limiter.js";
import { attachSettings } from "./settings.js";
import { addLoginAsRoute } from "./testing.js";

export {
  ANONYMOUS,
  UserLoader,
  authenticatedByToken,
  currentUser,
  hashApiToken,
  identity,
  type AnonymousUser,
  type AuthMethod,
  type AuthUser,
  type Identity,
  type Principal,
} from "./identity.js";
export { Can, FreshLoginRequired, LoginRequired, Roles, Scopes } from "./guards.js";
export {
  ApiTokenStore,
  ApiTokens,
  MemoryApiTokenStore,
  TOUCH_EVERY_MS,
  type ApiTokenInfo,
  type ApiTokenRecord,
  type IssueOptions,
  type IssuedApiToken,
} from "./api-tokens.js";
export { parseBasic, type BasicCredentials } from "./basic.js";
export { InactiveUserError, isFresh, login, logout, redirectAfterLogin, type LoginOptions } from "./login.js";
export { loginWithPassword, type PasswordLogin } from "./password-login.js";
export { ARGON2_PARAMS, hashPassword, needsRehash, setHashConcurrency, verifyPassword } from "./passwords.js";
export { createApiToken, type IssuedToken } from "./tokens.js";
export { safeNext } from "./next-url.js";
export { issueJwt } from "./issue-jwt.js";
export { Limiter, type LimiterSettings } from "./limiter.js";
export type { JwtVerifier } from "./jwt.js";
export type { JwtAlgorithm, JwtKey } from "./jwt-keys.js";

const { version } = createRequire(import.meta.url)("../package.json") as { version: string };

const jwtKey = z
  .object({
    kid: z.string().min(1).optional(),
    alg: z.enum(["HS256", "HS384", "HS512", "RS256", "PS256", "ES256", "ES384", "EdDSA"]),
    secret: z.string().min(32).optional(),
    publicKey: z.string().optional(),
    privateKey: z.string().optional(),
  })
  .strict();

/** The options, checked and defaulted at start-up (the `auth` config section merged under `register`'s). */
export const configSchema = z
  .object({
    /** Where browsers go to log in: `@LoginRequired` redirects there with `?next=`. */
    loginUrl: z.string().startsWith("/").default("/login"),
    nextParam: z.string().min(1).default("next"),
    realm: z
      .string()
      .regex(/^[^"\\]*$/)
      .default("app"),
    /**
     * The `Authorization` schemes that carry an API token or a JWT (the first is the one a 401's
     * WWW-Authenticate names): `["Bearer"]` by default; the RealWorld API spec uses `Token`.
     */
    tokenSchemes: z
      .array(z.string().regex(/^[A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*$/, "an HTTP auth scheme name"))
      .min(1)
      .refine((schemes) => !schemes.some((s) => s.toLowerCase() === "basic"), {
        message: "Basic is not a token scheme (browsers send Basic credentials by themselves)",
      })
      .default(["Bearer"]),
    /**
     * HTTP Basic through `UserLoader.loadByCredentials`, behind the failed-login limits; never
     * a session. `challengeBrowsers`: browsers get the Basic prompt instead of the login page.
     */
    basic: z
      .object({
        realm: z
          .string()
          .regex(/^[^"\\]*$/)
          .optional(),
        challengeBrowsers: z.boolean().default(false),
      })
      .strict()
      .optional(),
    /** The prefix of API tokens that ApiTokens issues (leak scanners look for it). */
    tokenPrefix: z
      .string()
      .regex(/^[a-z][a-z0-9]{1,9}$/)
      .default("flg"),
    /** A header carrying an API token (such as "x-api-key"), besides `Authorization`. */
    apiKeyHeader: z
      .string()
      .regex(/^[a-z0-9-]+$/)
      .optional(),
    remember: z
      .object({
        cookie: z
          .string()
          .regex(/^[A-Za-z0-9_-]+$/)
          .default("remember_token"),
        /** Seconds a remember-me cookie restores the login (default 30 days). */
        maxAge: z
          .number()
          .int()
          .positive()
          .default(30 * 24 * 3600),
      })
      .strict()
      .prefault({}),
    jwt: z
      .object({
        keys: z.array(jwtKey).min(1),
        issuer: z.string().optional(),
        audience: z.string().optional(),
        expiresIn: z.number().int().positive().default(3600),
        clockTolerance: z.number().int().min(0).max(300).default(30),
      })
      .strict()
      .optional(),
    limits: z
      .object({
        perAccount: z.number().int().positive().default(5),
        perIp: z.number().int().positive().default(50),
        /** Seconds of the window the counts are kept for (default 15 minutes). */
        window: z.number().int().positive().default(900),
        /** Redis for the counters (shared by every worker); none keeps them in this process. */
        url: z
          .string()
          .regex(/^rediss?:\/\//)
          .optional(),
        deadline: z.number().int().positive().default(200),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type AuthOptions = z.output<typeof configSchema>;

declare module "@flagon/core" {
  interface CoreConfig {
    auth?: z.input<typeof configSchema>;
  }
}

/** `make`'s value, made on the first call (after the app's providers are all registered). */
function once<T>(make: () => T): () => T {
  let made = false;
  let value: T;
  return () => {
    if (!made) {
      value = make();
      made = true;
    }
    return value;
  };
}

/** @CurrentUser(): the request's user — theirs, or the anonymous user (`isAuthenticated: false`). */
export const CurrentUser = createParamDecorator((ctx) => currentUser(ctx), { name: "CurrentUser" });

/** The shared store of the limits and remember-cookie revocations (Redis), if `limits.url` names one. */
function sharedStore(app: Flagon, options: AuthOptions): Keyv | undefined {
  const { url, deadline } = options.limits;
  const store =
    url === undefined
      ? undefined
      : createKeyv(
          {
            url,
            disableOfflineQueue: true,
            socket: { connectTimeout: 1000, reconnectStrategy: (n: number) => Math.min(50 * 2 ** n, 1000) },
          },
          { namespace: "flagon-auth", throwOnErrors: true, connectionTimeout: deadline },
        );
  if (store !== undefined) {
    app.addHook("onClose", () =>
      (store.store as { disconnect(force?: boolean): Promise<void> }).disconnect(true).catch(() => undefined),
    );
  }
  return store;
}

function limiterFor(app: Flagon, options: AuthOptions, store: Keyv | undefined): Limiter {
  const { url: _url, ...settings } = options.limits;
  return new Limiter(settings, store, (event) =>
    event === "down"
      ? app.log.warn(
          "@flagon/auth: the login limiter's store is unavailable; counting in this process until it is back",
        )
      : app.log.info("@flagon/auth: the login limiter's store is back"),
  );
}

export default definePlugin<AuthOptions>({
  name: "@flagon/auth",
  version,
  core: ">=0.1.0 <1",
  configKey: "auth",
  configSchema,
  requires: ["sessions"],
  // Guards answer before a cache can serve a page or a form is parsed, whatever the order.
  before: ["@flagon/cache", "@flagon/forms"],
  register(app, options) {
    app.provide({
      provide: ApiTokens,
      useFactory: (container) => {
        if (!container.isRegistered(ApiTokenStore, true))
          throw new Error(
            "ApiTokens needs an ApiTokenStore: app.provide({ provide: ApiTokenStore, useClass: … })",
          );
        return new ApiTokens(container.resolve(ApiTokenStore), options.tokenPrefix);
      },
      scope: "singleton",
    });
    const store = sharedStore(app, options);
    const identitySettings: IdentitySettings = {
      loader: once(() => {
        const loader = app.container.isRegistered(UserLoader, true)
          ? app.container.resolve(UserLoader)
          : undefined;
        if (loader === undefined) {
          app.log.warn(
            "@flagon/auth: no UserLoader is provided (app.provide({ provide: UserLoader, useClass: … })): nobody can log in",
          );
        }
        return loader;
      }),
      remember: {
        cookie: options.remember.cookie,
        maxAge: options.remember.maxAge,
        signer: () => app.signer("remember"),
        revocations: new RememberRevocations(store, options.limits.deadline),
      },
      apiKeyHeader: options.apiKeyHeader,
      tokenSchemes: options.tokenSchemes.map((scheme) => scheme.toLowerCase()),
      challengeScheme: options.tokenSchemes[0]!,
      jwt: options.jwt === undefined ? undefined : jwtVerifier(options.jwt),
      realm: options.realm,
      basic:
        options.basic === undefined
          ? undefined
          : {
              realm: options.basic.realm ?? options.realm,
              challengeBrowsers: options.basic.challengeBrowsers,
            },
      limiter: limiterFor(app, options, store),
      apiTokens: once(() =>
        app.container.isRegistered(ApiTokenStore, true) ? app.container.resolve(ApiTokens) : undefined,
      ),
    };
    attachIdentity(app, identitySettings);
    attachSettings(app, {
      ...identitySettings,
      loginUrl: options.loginUrl,
      nextParam: options.nextParam,
    });
    app.addHook("preHandler", guard, { appliesTo: isGuarded });
    app.templates.addContextProcessor(async (ctx) => ({ current_user: await currentUser(ctx) }));
    if (app.config.env === "test") {
      addLoginAsRoute(app, async (id) => {
        const found = await identitySettings.loader()?.load(id);
        return found ?? undefined;
      });
    }
  },
});
