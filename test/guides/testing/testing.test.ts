// The code of docs/testing.md, run as the guide says it behaves.
import "reflect-metadata";
import { describe, expect, test } from "vitest";
import { Flagon } from "@flagon/core";
import { runCommand } from "@flagon/cli/testing";
import { inject, testClient } from "@flagon/core/testing";
import { CLOCK, createApp, poweredBy } from "./app.js";

const config = { secretKey: "a test key of at least thirty-two characters" };

describe("docs/testing.md: requests without a socket", () => {
  test("app.inject sends one request and collects the response", async () => {
    const app = createApp({ configFile: false, config });
    const res = await app.inject({ method: "POST", url: "/login", form: { user: "ada" } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: true });
    expect(res.cookies.map((c) => c.name)).toContain("session");
  });

  test("inject(app, …) is the same, as a function; a string is a GET", async () => {
    const app = createApp({ configFile: false, config });
    const res = await inject(app, "/me");
    expect(res.statusCode).toBe(401);
  });
});

describe("docs/testing.md: a client that keeps cookies", () => {
  test("the session cookie set by /login is sent to /me", async () => {
    const client = testClient(createApp({ configFile: false, config }));
    await client.post("/login", { form: { user: "ada" } });
    const res = await client.get("/me");
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ user: "ada" });
    expect([...client.cookies.keys()]).toEqual(["session"]);
  });

  test("app.testClient() is the same client", async () => {
    const client = createApp({ configFile: false, config }).testClient();
    await client.post("/login", { form: { user: "bob" } });
    expect((await client.get("/me")).json()).toEqual({ user: "bob" });
  });
});

describe("docs/testing.md: overriding a provider", () => {
  test("a provider given by the test replaces the app's own", async () => {
    const fixed = { now: () => new Date("2030-01-01T00:00:00Z") };
    const app = createApp({ configFile: false, config, providers: [{ provide: CLOCK, useValue: fixed }] });
    expect((await app.inject("/time")).json()).toEqual({ now: "2030-01-01T00:00:00.000Z" });
  });
});

describe("docs/testing.md: a plugin", () => {
  test("a small app with only the plugin", async () => {
    const app = new Flagon({ configFile: false, plugins: [[poweredBy, { header: "x-made-with" }]] });
    app.get("/", () => "hello");
    const res = await app.inject("/");
    expect(res.headers["x-made-with"]).toBe("Flagon");
    expect(res.body).toBe("hello");
  });
});

describe("docs/testing.md: commands", () => {
  test("runCommand runs `flagon greet ada` and captures its output", async () => {
    const app = createApp({ configFile: false, config });
    const { code, stdout } = await runCommand(app, ["greet", "ada"]);
    await app.close();
    expect(code).toBe(0);
    expect(stdout).toBe("hello, ada\n");
  });

  test("bad usage ends with code 2, its message on stderr", async () => {
    const app = createApp({ configFile: false, config });
    const { code, stderr } = await runCommand(app, ["greet", "ada", "bob"]);
    await app.close();
    expect(code).toBe(2);
    expect(stderr).toMatch(/greet/);
  });
});
