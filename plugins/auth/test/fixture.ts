// A small app for the auth suites: users in a map, a guarded account page, a password login.
import "reflect-metadata";
import { Flagon, type FlagonOptions } from "@flagon/core";
import type { InjectResponse } from "@flagon/core/testing";
import auth, {
  type AuthUser,
  currentUser,
  hashPassword,
  identity,
  LoginRequired,
  loginWithPassword,
  logout,
  UserLoader,
  verifyPassword,
} from "../src/index.js";

export interface User extends AuthUser {
  id: number;
  email: string;
  hash: string;
  sessionVersion: number;
  isActive: boolean;
  roles: string[];
}

export const SECRET = "fixture-secret-long-enough-to-sign-things";

/** Users of one app (each app gets its own map). */
export class Directory {
  readonly users = new Map<number, User>();
  private nextId = 1;

  async add(email: string, password = "correct horse", extra: Partial<User> = {}): Promise<User> {
    const user: User = {
      id: this.nextId++,
      email,
      hash: await hashPassword(password),
      sessionVersion: 1,
      isActive: true,
      roles: [],
      ...extra,
    };
    this.users.set(user.id, user);
    return user;
  }

  byEmail(email: string): User | undefined {
    return [...this.users.values()].find((u) => u.email === email);
  }
}

export function loaderFor(directory: Directory): new () => UserLoader<User> {
  return class extends UserLoader<User> {
    override load(id: string) {
      return directory.users.get(Number(id));
    }
    override async loadByCredentials(username: string, password: string) {
      const user = directory.byEmail(username);
      return (await verifyPassword(user?.hash, password)) ? user : undefined;
    }
  };
}

export interface Fixture {
  readonly app: Flagon;
  readonly directory: Directory;
}

/** An app with /whoami, a guarded /account, POST /login (JSON) and POST /logout. */
export function fixture(config: Record<string, unknown> = {}, options: Partial<FlagonOptions> = {}): Fixture {
  const directory = new Directory();
  const app = new Flagon({
    logger: false,
    configFile: false,
    ...options,
    config: { env: "test", secretKey: SECRET, session: { store: "memory" }, ...config },
  });
  app.provide({ provide: UserLoader, useClass: loaderFor(directory) });
  app.register(auth);
  app.get("/whoami", async (ctx) => {
    const user = await currentUser<User>(ctx);
    const { via } = await identity(ctx);
    return { authenticated: user.isAuthenticated, email: user.isAuthenticated ? user.email : null, via };
  });
  app.get("/account", async (ctx) => ({ email: (await currentUser<User>(ctx)).id }), {
    decorators: [LoginRequired()],
  });
  app.post("/login", async (ctx) => {
    const body = (await ctx.body()) as { email: string; password: string; remember?: boolean };
    const user = await loginWithPassword(ctx, {
      account: body.email,
      password: body.password,
      find: (email) => directory.byEmail(email),
      hashOf: (u) => u.hash,
      rehash: (u, hash) => {
        u.hash = hash;
      },
      remember: body.remember ?? false,
    });
    return user === undefined ? { error: "wrong email or password" } : { ok: true };
  });
  app.post("/logout", async (ctx) => {
    await logout(ctx);
    return { ok: true };
  });
  return { app, directory };
}

export const JSON_ACCEPT = { accept: "application/json" };

/** The value of a cookie a response set (not one it cleared). */
export const setCookie = (res: InjectResponse, name: string): string | undefined =>
  res.cookies.find((c) => c.name.endsWith(name) && c.value !== "")?.value;
