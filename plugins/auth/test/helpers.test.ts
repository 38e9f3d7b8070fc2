// Item 8 (testing helpers), current_user in templates, and row 21's rehash on login.
import "reflect-metadata";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { hash } from "@node-rs/argon2";
import { render } from "@flagon/core";
import { inject, testClient } from "@flagon/core/testing";
import { afterAll, describe, expect, it } from "vitest";
import { ApiTokens, ApiTokenStore, MemoryApiTokenStore, needsRehash, verifyPassword } from "../src/index.js";
import { bearer, loginAs } from "../src/testing.js";
import { fixture, JSON_ACCEPT } from "./fixture.js";

const folder = mkdtempSync(path.join(tmpdir(), "flagon-auth-templates-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
writeFileSync(
  path.join(folder, "who.njk"),
  "{% if current_user.isAuthenticated %}{{ current_user.email }}{% else %}anonymous{% endif %}",
);
writeFileSync(path.join(folder, "page.njk"), "<p>{% include 'who.njk' %}</p>");
writeFileSync(path.join(folder, "nav.njk"), "{{ 'in' if current_user.isAuthenticated else 'out' }}");

describe("testing helpers", () => {
  it("loginAs logs a test client in as after a real login; other clients stay anonymous", async () => {
    const { app, directory } = fixture();
    const user = await directory.add("ann@example.com");
    const client = testClient(app);
    await loginAs(app, client, user);
    expect((await client.get("/whoami")).json()).toEqual({
      authenticated: true,
      email: "ann@example.com",
      via: "session",
    });
    expect((await client.get("/account", { headers: JSON_ACCEPT })).statusCode).toBe(200);
    expect((await testClient(app).get("/account", { headers: JSON_ACCEPT })).statusCode).toBe(401);
    await loginAs(app, client, user.id); // by id too
    await expect(loginAs(app, client, 999)).rejects.toThrow(/loginAs failed with 500/);
  });

  it("loginAs is refused outside env test, and its route cannot be called without the secret", async () => {
    const { app, directory } = fixture({ env: "production" });
    const user = await directory.add("bob@example.com");
    await expect(loginAs(app, testClient(app), user)).rejects.toThrow(/env is "test"/);
    const inTest = fixture().app;
    await inTest.ready();
    const forged = await inject(inTest, {
      method: "POST",
      url: "/__flagon/auth/login-as",
      json: { id: "1" },
      headers: { authorization: "Flagon-Login-As guessed" },
    });
    expect(forged.statusCode).toBe(404);
  });

  it("bearer(token) makes the Authorization header an issued token authenticates with", async () => {
    const { app, directory } = fixture();
    app.provide({ provide: ApiTokenStore, useValue: new MemoryApiTokenStore() });
    const user = await directory.add("cat@example.com");
    await app.ready();
    const { token } = await app.container.resolve(ApiTokens).issue(String(user.id), { name: "test" });
    expect(bearer(token)).toEqual({ authorization: `Bearer ${token}` });
    expect((await inject(app, { url: "/account", headers: bearer(token) })).statusCode).toBe(200);
  });
});

describe("current_user in templates", () => {
  it("is in every template: rendered, included and rendered with app.templates, anonymous or not", async () => {
    const { app, directory } = fixture();
    app.templates.addFolder(folder);
    app.get("/page", () => render("page.njk"));
    app.get("/nav", async (ctx) => app.templates.render("nav.njk", {}, ctx));
    const user = await directory.add("dan@example.com");
    const anonymous = testClient(app);
    expect((await anonymous.get("/page")).body).toBe("<p>anonymous</p>");
    expect((await anonymous.get("/nav")).body).toBe("out");
    const client = testClient(app);
    await loginAs(app, client, user);
    expect((await client.get("/page")).body).toBe("<p>dan@example.com</p>");
    expect((await client.get("/nav")).body).toBe("in");
  });
});

describe("rehash on login (row 21)", () => {
  it("replaces a hash made with weaker parameters at the next login, and leaves a current one", async () => {
    const { app, directory } = fixture();
    const weak = await hash("correct horse", { algorithm: 2, memoryCost: 4096, timeCost: 1, parallelism: 1 });
    const user = await directory.add("eve@example.com", "unused", { hash: weak });
    expect(needsRehash(weak)).toBe(true);
    const json = { email: "eve@example.com", password: "correct horse" };
    expect((await inject(app, { method: "POST", url: "/login", json })).json()).toEqual({ ok: true });
    expect(user.hash).not.toBe(weak);
    expect(user.hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(user.hash, "correct horse")).toBe(true);
    const current = user.hash;
    expect((await inject(app, { method: "POST", url: "/login", json })).json()).toEqual({ ok: true });
    expect(user.hash).toBe(current);
  });

  it("does not rehash on a failed login", async () => {
    const { app, directory } = fixture();
    const weak = await hash("correct horse", { algorithm: 2, memoryCost: 4096, timeCost: 1, parallelism: 1 });
    const user = await directory.add("fay@example.com", "unused", { hash: weak });
    const json = { email: "fay@example.com", password: "wrong" };
    expect((await inject(app, { method: "POST", url: "/login", json })).json()).toEqual({
      error: "wrong email or password",
    });
    expect(user.hash).toBe(weak);
  });
});
