import "reflect-metadata";
import { inject } from "@flagon/core/testing";
import { describe, expect, it } from "vitest";
import { authenticatedByToken, createApiToken, parseBasic, UserLoader } from "../src/index.js";
import { fixture, JSON_ACCEPT } from "./fixture.js";

const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`,
});

describe("HTTP Basic (auth.basic)", () => {
  it("authenticates user:password through loadByCredentials, as 'basic', with no session cookie", async () => {
    const { app, directory } = fixture({ auth: { basic: { realm: "intranet" } } });
    await directory.add("ann@example.com", "pa:ss wörd");
    const res = await inject(app, { url: "/whoami", headers: basic("ann@example.com", "pa:ss wörd") });
    expect(res.json()).toEqual({ authenticated: true, email: "ann@example.com", via: "basic" });
    expect(res.headers["set-cookie"]).toBeUndefined();
    const guarded = await inject(app, { url: "/account", headers: basic("ann@example.com", "pa:ss wörd") });
    expect(guarded.statusCode).toBe(200);
    expect(guarded.headers["set-cookie"]).toBeUndefined();
  });

  it("answers a wrong password with 401 and a Basic challenge when Basic is the only scheme", async () => {
    const { app, directory } = fixture({ auth: { basic: { realm: "intranet" } } });
    await directory.add("bob@example.com");
    for (const headers of [basic("bob@example.com", "wrong"), basic("nobody@example.com", "x"), {}]) {
      const res = await inject(app, { url: "/account", headers: { ...headers, ...JSON_ACCEPT } });
      expect(res.statusCode).toBe(401);
      expect(res.headers["www-authenticate"]).toBe('Basic realm="intranet", charset="UTF-8"');
    }
  });

  it("answers malformed credentials with a 401 naming the problem, never a 500", async () => {
    const { app } = fixture({ auth: { basic: {} } });
    const cases = {
      "Basic %%%": /not base64/,
      "Basic YWJj": /no colon/, // "abc"
      "Basic YQ": /not base64/, // unpadded
      "Basic /w==": /not UTF-8/, // 0xff
      "Basic YQphOmI=": /control characters/, // "a\na:b"
      [`Basic ${"A".repeat(5000)}`]: /too long/,
    };
    for (const [authorization, message] of Object.entries(cases)) {
      const res = await inject(app, { url: "/whoami", headers: { authorization, ...JSON_ACCEPT } });
      expect(res.statusCode, authorization.slice(0, 20)).toBe(401);
      expect(res.json<{ detail: string }>().detail).toMatch(message);
      expect(res.headers["www-authenticate"]).toBe('Basic realm="app", charset="UTF-8"');
    }
  });

  it("counts failures against the login limits: 429 with Retry-After, even for the right password", async () => {
    const { app, directory } = fixture({ auth: { basic: {}, limits: { perAccount: 3, perIp: 100 } } });
    await directory.add("cat@example.com");
    for (let i = 0; i < 3; i++) {
      const res = await inject(app, {
        url: "/account",
        headers: { ...basic("cat@example.com", "no"), ...JSON_ACCEPT },
      });
      expect(res.statusCode).toBe(401);
    }
    const blocked = await inject(app, {
      url: "/account",
      headers: { ...basic("cat@example.com", "correct horse"), ...JSON_ACCEPT },
    });
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers["retry-after"])).toBeGreaterThan(0);
    // Another account from the same IP still works: the per-account limit is the one reached.
    await directory.add("dan@example.com");
    const other = await inject(app, { url: "/account", headers: basic("dan@example.com", "correct horse") });
    expect(other.statusCode).toBe(200);
  });

  it("limits per IP across accounts", async () => {
    const { app } = fixture({ auth: { basic: {}, limits: { perAccount: 100, perIp: 4 } } });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await inject(app, {
        url: "/account",
        headers: { ...basic(`user${i}@example.com`, "guess"), ...JSON_ACCEPT },
        remoteAddress: "203.0.113.9",
      });
      statuses.push(res.statusCode);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
    const elsewhere = await inject(app, {
      url: "/account",
      headers: { ...basic("user0@example.com", "guess"), ...JSON_ACCEPT },
      remoteAddress: "203.0.113.10",
    });
    expect(elsewhere.statusCode).toBe(401);
  });

  it("is ignored without auth.basic: Basic credentials are not a login then", async () => {
    const { app, directory } = fixture();
    await directory.add("eve@example.com");
    const res = await inject(app, { url: "/whoami", headers: basic("eve@example.com", "correct horse") });
    expect(res.json()).toMatchObject({ authenticated: false });
    expect((await inject(app, { url: "/whoami", headers: { authorization: "Basic %%%" } })).statusCode).toBe(
      200,
    );
  });

  it("sends browsers the Basic prompt when they presented Basic, or with challengeBrowsers", async () => {
    const html = { accept: "text/html" };
    const plain = fixture({ auth: { basic: {} } }).app;
    expect((await inject(plain, { url: "/account", headers: html })).statusCode).toBe(303);
    const presented = await inject(plain, { url: "/account", headers: { ...html, ...basic("x", "y") } });
    expect(presented.statusCode).toBe(401);
    const prompt = fixture({ auth: { basic: { challengeBrowsers: true } } }).app;
    const res = await inject(prompt, { url: "/account", headers: html });
    expect(res.statusCode).toBe(401);
    expect(res.headers["www-authenticate"]).toContain("Basic realm=");
  });

  it("parses RFC 7617 credentials: the first colon splits, the password may hold more", () => {
    expect(parseBasic(Buffer.from("a:b:c").toString("base64"))).toEqual({ username: "a", password: "b:c" });
    expect(parseBasic(Buffer.from(":").toString("base64"))).toEqual({ username: "", password: "" });
  });
});

describe("authenticatedByToken (for CSRF exemption)", () => {
  it("is true for an API token or JWT, false for Basic, sessions and anonymous requests", async () => {
    const issued = createApiToken();
    const { app, directory } = fixture({ auth: { basic: {} } });
    const user = await directory.add("fay@example.com");
    class WithTokens extends UserLoader {
      override load(id: string) {
        return directory.users.get(Number(id));
      }
      override loadByToken(hash: string) {
        return hash === issued.hash ? user : undefined;
      }
      override loadByCredentials(name: string, password: string) {
        return name === user.email && password === "correct horse" ? user : undefined;
      }
    }
    app.provide({ provide: UserLoader, useClass: WithTokens });
    app.get("/by-token", async (ctx) => ({ token: await authenticatedByToken(ctx) }));
    const ask = async (headers: Record<string, string>) =>
      (await inject(app, { url: "/by-token", headers })).json<{ token: boolean }>().token;
    expect(await ask({ authorization: `Bearer ${issued.token}` })).toBe(true);
    expect(await ask(basic("fay@example.com", "correct horse"))).toBe(false);
    expect(await ask({ authorization: "Bearer flg_unknown" })).toBe(false);
    expect(await ask({})).toBe(false);
  });
});
