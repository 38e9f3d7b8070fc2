import "reflect-metadata";
import { Flagon, Injectable } from "@flagon/core";
import { inject } from "@flagon/core/testing";
import { describe, expect, it } from "vitest";
import auth, { type AuthUser, currentUser, issueJwt, LoginRequired, UserLoader } from "../src/index.js";

interface User extends AuthUser {
  id: number;
  name: string;
}

const people = new Map<number, User>([[7, { id: 7, name: "ada" }]]);

@Injectable()
class People extends UserLoader<User> {
  override load(id: string) {
    return people.get(Number(id));
  }
}

const SECRET = "a-test-secret-that-is-long-enough-for-signing";

function app(auth_config: Record<string, unknown>): Flagon {
  const a = new Flagon({
    config: { env: "test", secretKey: SECRET, session: { store: "memory" }, auth: auth_config },
  });
  a.provide({ provide: UserLoader, useClass: People });
  a.register(auth);
  a.get("/me", async (ctx) => {
    const user = await currentUser<User>(ctx);
    return { name: user.isAuthenticated ? user.name : null };
  });
  a.get("/private", () => "ok", { decorators: [LoginRequired()] });
  return a;
}

describe("token schemes and issueJwt", () => {
  const jwt = { keys: [{ alg: "HS256", secret: SECRET }], issuer: "flagon-test" };

  it("issues a JWT that the app accepts under a configured scheme (Token, as RealWorld uses)", async () => {
    const a = app({ jwt, tokenSchemes: ["Token", "Bearer"] });
    await a.ready();
    const token = await issueJwt(a, "7");
    for (const scheme of ["Token", "token", "Bearer"]) {
      const res = await inject(a, { url: "/me", headers: { authorization: `${scheme} ${token}` } });
      expect(res.json()).toEqual({ name: "ada" });
      expect(res.headers["set-cookie"]).toBeUndefined();
    }
    await a.close();
  });

  it("ignores a scheme that is not configured, and names the first one in WWW-Authenticate", async () => {
    const a = app({ jwt, tokenSchemes: ["Token"] });
    await a.ready();
    const token = await issueJwt(a, "7");
    const bearer = await inject(a, { url: "/me", headers: { authorization: `Bearer ${token}` } });
    expect(bearer.json()).toEqual({ name: null });
    const refused = await inject(a, { url: "/private", headers: { accept: "application/json" } });
    expect(refused.statusCode).toBe(401);
    expect(refused.headers["www-authenticate"]).toBe('Token realm="app"');
    await a.close();
  });

  it("refuses Basic as a token scheme, and issueJwt without auth.jwt", async () => {
    await expect(app({ tokenSchemes: ["Basic"] }).ready()).rejects.toThrow(/Basic is not a token scheme/);
    const a = app({});
    await a.ready();
    await expect(issueJwt(a, "7")).rejects.toThrow(/auth\.jwt is not configured/);
    await a.close();
  });
});
