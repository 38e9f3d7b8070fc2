import "reflect-metadata";
import { Controller, Ctx, Flagon, Get, Injectable, Post, type Context } from "@flagon/core";
import { inject, testClient, type InjectResponse } from "@flagon/core/testing";
import { describe, expect, it } from "vitest";
import auth, {
  type AuthUser,
  Can,
  createApiToken,
  CurrentUser,
  FreshLoginRequired,
  hashPassword,
  LoginRequired,
  login,
  loginWithPassword,
  logout,
  type Principal,
  Roles,
  UserLoader,
} from "../src/index.js";
import { loginAs } from "../src/testing.js";

interface User extends AuthUser {
  id: number;
  email: string;
  hash: string;
  sessionVersion: number;
  isActive: boolean;
  roles: string[];
}

const users = new Map<number, User>();
const tokens = new Map<string, number>();

@Injectable()
class Users extends UserLoader<User> {
  override load(id: string) {
    return users.get(Number(id));
  }
  override loadByToken(hash: string) {
    const id = tokens.get(hash);
    return id === undefined ? undefined : users.get(id);
  }
}

@LoginRequired()
@Controller("/account")
class Account {
  @Get("/")
  show(@CurrentUser() user: Principal<User>) {
    return { email: user.isAuthenticated ? user.email : null };
  }

  @Roles("admin")
  @Get("/admin")
  admin() {
    return "admin area";
  }

  @Can((user) => user.isAuthenticated && (user as unknown as User).email.endsWith("@example.com"))
  @Get("/staff")
  staff() {
    return "staff";
  }

  @FreshLoginRequired()
  @Post("/password")
  password() {
    return "changed";
  }
}

@Controller("/")
class Pages {
  @Get("/whoami")
  whoami(@CurrentUser() user: Principal<User>) {
    return { authenticated: user.isAuthenticated, id: user.id };
  }

  @Post("/login")
  async login(@Ctx() ctx: Context) {
    const body = (await ctx.body()) as { email: string; password: string; remember?: boolean };
    const user = await loginWithPassword(ctx, {
      account: body.email,
      password: body.password,
      find: (email) => [...users.values()].find((u) => u.email === email),
      hashOf: (u) => u.hash,
      remember: body.remember ?? false,
    });
    return user === undefined ? { error: "wrong email or password" } : { ok: true };
  }

  @Post("/logout")
  async logout(@Ctx() ctx: Context) {
    await logout(ctx);
    return { ok: true };
  }

  @Post("/login-as/<int:id>")
  async loginAsRoute(@Ctx() ctx: Context) {
    await login(ctx, users.get(ctx.request.params["id"] as number)!);
    return { ok: true };
  }
}

const SECRET = "s".repeat(40);

function app(config: Record<string, unknown> = {}) {
  const a = new Flagon({
    logger: false,
    configFile: false,
    config: { env: "test", secretKey: SECRET, session: { store: "memory" }, ...config },
    controllers: [Account, Pages],
  });
  a.provide({ provide: UserLoader, useClass: Users });
  a.register(auth);
  return a;
}

let nextId = 1;
async function addUser(email: string, password = "correct horse", extra: Partial<User> = {}): Promise<User> {
  const user: User = {
    id: nextId++,
    email,
    hash: await hashPassword(password),
    sessionVersion: 1,
    isActive: true,
    roles: [],
    ...extra,
  };
  users.set(user.id, user);
  return user;
}

const cookieOf = (res: InjectResponse, name: string): string | undefined =>
  res.cookies.find((c) => c.name.endsWith(name) && c.value !== "")?.value;

describe("login and logout", () => {
  it("logs in with the password, regenerating the session id; the old id no longer logs in", async () => {
    const a = app();
    await addUser("ann@example.com");
    const client = testClient(a);
    await client.get("/whoami");
    // A session made before the login (the one an attacker could plant).
    const before = await client.post("/logout");
    const planted = [...client.cookies.entries()];
    const res = await client.post("/login", {
      json: { email: "ann@example.com", password: "correct horse" },
    });
    expect(res.json()).toEqual({ ok: true });
    expect((await client.get("/whoami")).json()).toMatchObject({ authenticated: true });
    const after = [...client.cookies.entries()];
    expect(after).not.toEqual(planted);
    void before;
    // Replaying the pre-login cookies gets nobody.
    const replay = await inject(a, { url: "/whoami", cookies: Object.fromEntries(planted) });
    expect(replay.json()).toMatchObject({ authenticated: false });
  });

  it("refuses a wrong password and an unknown account alike, and an inactive user", async () => {
    const a = app();
    await addUser("bob@example.com");
    await addUser("off@example.com", "pw", { isActive: false });
    for (const attempt of [
      { email: "bob@example.com", password: "wrong" },
      { email: "nobody@example.com", password: "whatever" },
      { email: "off@example.com", password: "pw" },
    ]) {
      const res = await inject(a, { method: "POST", url: "/login", json: attempt });
      expect(res.json(), attempt.email).toEqual({ error: "wrong email or password" });
    }
  });

  it("logout ends the session at once: the cookie replayed afterwards is anonymous", async () => {
    const a = app();
    const user = await addUser("cat@example.com");
    const client = testClient(a);
    await loginAs(a, client, user);
    const cookies = Object.fromEntries(client.cookies.entries());
    expect((await client.get("/account/")).json()).toEqual({ email: "cat@example.com" });
    await client.post("/logout");
    const replay = await inject(a, { url: "/account/", cookies, headers: { accept: "application/json" } });
    expect(replay.statusCode).toBe(401);
  });

  it("a password change (a new sessionVersion) ends every other session and remember cookie", async () => {
    const a = app();
    const user = await addUser("dan@example.com");
    const client = testClient(a);
    const res = await client.post("/login", {
      json: { email: "dan@example.com", password: "correct horse", remember: true },
    });
    expect(cookieOf(res, "remember_token")).toBeDefined();
    expect((await client.get("/whoami")).json()).toMatchObject({ authenticated: true });
    user.sessionVersion = 2;
    expect((await client.get("/whoami")).json()).toMatchObject({ authenticated: false });
  });
});

describe("remember-me", () => {
  it("restores a login after the session is gone, as a non-fresh login", async () => {
    const a = app();
    await addUser("eve@example.com");
    const res = await inject(a, {
      method: "POST",
      url: "/login",
      json: { email: "eve@example.com", password: "correct horse", remember: true },
    });
    const remember = res.cookies.find((c) => c.name === "remember_token");
    expect(remember?.attributes).toMatchObject({ httponly: true, samesite: "Lax", path: "/" });
    const cookies = { remember_token: remember!.value };
    expect((await inject(a, { url: "/whoami", cookies })).json()).toMatchObject({ authenticated: true });
    const fresh = await inject(a, {
      method: "POST",
      url: "/account/password",
      cookies,
      headers: { accept: "application/json" },
    });
    expect(fresh.statusCode).toBe(401);
    const tampered = { remember_token: `${remember!.value.slice(0, -2)}xx` };
    expect((await inject(a, { url: "/whoami", cookies: tampered })).json()).toMatchObject({
      authenticated: false,
    });
  });
});

describe("guards", () => {
  it("sends a browser to the login page with a next, and an API client a 401 with WWW-Authenticate", async () => {
    const a = app();
    const browser = await inject(a, { url: "/account/?tab=2", headers: { accept: "text/html" } });
    expect(browser.statusCode).toBe(303);
    expect(browser.headers["location"]).toBe("/login?next=%2Faccount%2F%3Ftab%3D2");
    const api = await inject(a, { url: "/account/", headers: { accept: "application/json" } });
    expect(api.statusCode).toBe(401);
    expect(api.headers["www-authenticate"]).toBe('Bearer realm="app"');
    expect(api.headers["content-type"]).toContain("application/problem+json");
    const preflight = await inject(a, { method: "OPTIONS", url: "/account/" });
    expect(preflight.statusCode).toBeLessThan(400);
  });

  it("@Roles and @Can answer 403 to a user without them", async () => {
    const a = app();
    const plain = await addUser("fay@other.org");
    const admin = await addUser("gus@example.com", "pw", { roles: ["admin"] });
    const asPlain = testClient(a);
    await loginAs(a, asPlain, plain);
    expect(
      (await asPlain.get("/account/admin", { headers: { accept: "application/json" } })).statusCode,
    ).toBe(403);
    expect(
      (await asPlain.get("/account/staff", { headers: { accept: "application/json" } })).statusCode,
    ).toBe(403);
    const asAdmin = testClient(a);
    await loginAs(a, asAdmin, admin);
    expect((await asAdmin.get("/account/admin")).body).toBe("admin area");
    expect((await asAdmin.get("/account/staff")).body).toBe("staff");
  });
});

describe("API tokens", () => {
  it("authenticates a Bearer token by its hash, without a session cookie", async () => {
    const a = app();
    const user = await addUser("hal@example.com");
    const issued = createApiToken();
    expect(issued.token).toMatch(/^flg_[A-Za-z0-9_-]{43}$/);
    tokens.set(issued.hash, user.id);
    const res = await inject(a, { url: "/account/", headers: { authorization: `Bearer ${issued.token}` } });
    expect(res.json()).toEqual({ email: "hal@example.com" });
    expect(res.headers["set-cookie"]).toBeUndefined();
    const wrong = await inject(a, {
      url: "/account/",
      headers: { authorization: "Bearer flg_nope", accept: "application/json" },
    });
    expect(wrong.statusCode).toBe(401);
  });
});

describe("failed-login limits", () => {
  it("answers 429 with Retry-After past the per-account limit, even with the right password", async () => {
    const a = app({ auth: { limits: { perAccount: 3, perIp: 100 } } });
    await addUser("ivy@example.com");
    for (let i = 0; i < 3; i++) {
      const res = await inject(a, {
        method: "POST",
        url: "/login",
        json: { email: "ivy@example.com", password: "no" },
      });
      expect(res.statusCode).toBe(200);
    }
    const blocked = await inject(a, {
      method: "POST",
      url: "/login",
      json: { email: "ivy@example.com", password: "correct horse" },
      headers: { accept: "application/json" },
    });
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers["retry-after"])).toBeGreaterThan(0);
  });
});
