import { describe, expect, it } from "vitest";
import { createApp } from "../src/app.js";

describe("hello example", () => {
  it("says hello at / as HTML", async () => {
    const res = await createApp().inject({ url: "/" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(res.body).toBe("Hello, World!");
  });

  it("answers JSON at /api/hello", async () => {
    const res = await createApp().inject({ url: "/api/hello" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    expect(res.json()).toEqual({ message: "Hello, World!" });
  });

  it("greets by name from the path", async () => {
    const res = await createApp().inject({ url: "/hello/Ada" });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe("Hello, Ada!");
  });

  it("sends the name as plain text, so markup is never interpreted", async () => {
    const res = await createApp().inject({ url: "/hello/%3Cb%3EAda%3C%2Fb%3E" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(res.body).toBe("Hello, <b>Ada</b>!");
  });

  it("answers 404 for an unknown path and 405 for a wrong method", async () => {
    const app = createApp();
    expect((await app.inject({ url: "/nope" })).statusCode).toBe(404);
    const res = await app.inject({ method: "POST", url: "/" });
    expect(res.statusCode).toBe(405);
    expect(String(res.headers["allow"]).split(", ").sort()).toEqual(["GET", "HEAD", "OPTIONS"]);
  });
});
