import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Flagon } from "@flagon/core";
import type { TestClient } from "@flagon/core/testing";
import { csrfOf, setCookies, testApp } from "./helpers.js";

const HTML = { accept: "text/html" };

let app: Flagon;
beforeEach(async () => {
  app = await testApp();
});
afterEach(async () => {
  await app.close();
});

/** Registers through the real form (GET for the token, then POST). */
export async function register(client: TestClient, username: string, password = "correct horse battery") {
  const page = await client.get("/register", { headers: HTML });
  return client.post("/register", {
    headers: HTML,
    form: { csrf_token: csrfOf(page.body), username, password, confirm: password },
  });
}

async function logIn(
  client: TestClient,
  username: string,
  password: string,
  extra: Record<string, string> = {},
  url = "/login",
) {
  const page = await client.get(url, { headers: HTML });
  return client.post(url, {
    headers: HTML,
    form: { csrf_token: csrfOf(page.body), username, password, ...extra },
  });
}

describe("registering", () => {
  it("creates the account, logs it in and says welcome once", async () => {
    const client = app.testClient();
    const res = await register(client, "ada");
    expect(res.statusCode).toBe(303);
    expect(res.headers["location"]).toBe("/");
    const home = await client.get("/", { headers: HTML });
    expect(home.body).toContain("Welcome, ada! Your account is ready.");
    expect(home.body).toContain('<span class="who">(ada)</span>');
    const again = await client.get("/", { headers: HTML });
    expect(again.body).not.toContain("Welcome, ada!");
  });

  it("shows the form again with each field's error and the username kept", async () => {
    const client = app.testClient();
    const page = await client.get("/register", { headers: HTML });
    const res = await client.post("/register", {
      headers: HTML,
      form: { csrf_token: csrfOf(page.body), username: "a!", password: "short", confirm: "other" },
    });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain("Create an account");
    expect(res.body).toContain('value="a!"');
    expect(res.body).toContain("Use letters, digits, - and _ only.");
    expect(res.body).toMatch(/at least 8 characters/i);
    expect(res.body).toMatch(/<input[^>]*name="password"/);
    expect(res.body).not.toContain('value="short"');
  });

  it("refuses a username that is taken", async () => {
    await register(app.testClient(), "grace");
    const res = await register(app.testClient(), "grace");
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain("That username is taken.");
  });
});

describe("logging in and out", () => {
  it("says only that the username or password is wrong, and keeps the username", async () => {
    await register(app.testClient(), "linus");
    for (const [username, password] of [
      ["linus", "wrong password!"],
      ["nobody", "correct horse battery"],
    ] as const) {
      const res = await logIn(app.testClient(), username, password);
      expect(res.statusCode).toBe(422);
      expect(res.body).toContain("Wrong username or password.");
      expect(res.body).toContain(`value="${username}"`);
    }
  });

  it("logs in, goes back to the page asked for, and logs out", async () => {
    await register(app.testClient(), "margaret");
    const client = app.testClient();
    const guarded = await client.get("/posts/new", { headers: HTML });
    expect(guarded.statusCode).toBe(303);
    expect(guarded.headers["location"]).toBe("/login?next=%2Fposts%2Fnew");

    const res = await logIn(client, "margaret", "correct horse battery", {}, "/login?next=%2Fposts%2Fnew");
    expect(res.statusCode).toBe(303);
    expect(res.headers["location"]).toBe("/posts/new");
    expect((await client.get("/posts/new", { headers: HTML })).statusCode).toBe(200);

    const home = await client.get("/", { headers: HTML });
    const out = await client.post("/logout", { headers: HTML, form: { csrf_token: csrfOf(home.body) } });
    expect(out.statusCode).toBe(303);
    expect((await client.get("/posts/new", { headers: HTML })).statusCode).toBe(303);
  });

  it("never sends a login off the site", async () => {
    await register(app.testClient(), "tim");
    const res = await logIn(
      app.testClient(),
      "tim",
      "correct horse battery",
      {},
      "/login?next=https%3A%2F%2Fevil.example%2F",
    );
    expect(res.statusCode).toBe(303);
    expect(res.headers["location"]).toBe("/");
  });

  it("remembers the login across a lost session only with remember me", async () => {
    await register(app.testClient(), "barbara");
    const plain = await logIn(app.testClient(), "barbara", "correct horse battery");
    expect(setCookies(plain.headers["set-cookie"]).some((c) => c.startsWith("remember_token="))).toBe(false);

    const remembered = await logIn(app.testClient(), "barbara", "correct horse battery", { remember: "y" });
    const cookie = setCookies(remembered.headers["set-cookie"]).find((c) => c.startsWith("remember_token="));
    expect(cookie).toMatch(/HttpOnly/i);
    // A browser that kept only the remember-me cookie (the session cookie ended with the browser).
    const value = /^remember_token=([^;]+)/.exec(cookie ?? "")?.[1] ?? "";
    const fresh = app.testClient();
    const page = await fresh.get("/posts/new", { headers: HTML, cookies: { remember_token: value } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("(barbara)");
  });

  it("refuses a logout without the CSRF token", async () => {
    await register(app.testClient(), "ken");
    const client = app.testClient();
    await logIn(client, "ken", "correct horse battery");
    const res = await client.post("/logout", { headers: HTML, form: {} });
    expect(res.statusCode).toBe(403);
    expect((await client.get("/posts/new", { headers: HTML })).statusCode).toBe(200);
  });
});
